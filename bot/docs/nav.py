"""The site's nav as MkDocs builds it, with the pages it reaches.

Explicit ``nav:`` (every form MkDocs accepts), the inferred nav when there is none, section
index pages, titles from the page (front matter, first H1, file name), exclusions, and two
nav plugins read the simple way: literate-nav (``SUMMARY.md`` lists, ``dir/`` cross-links,
wildcards) and awesome-pages (``.pages``: ``title``, ``nav`` with ``...``, ``hide``). Any other
plugin that makes the nav gives a ``nav-plugin`` note and the nav counts as unknown.
"""

from __future__ import annotations

import fnmatch
import functools
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import pathspec

from .config import NavEntry, Note, SiteConfig, load_yaml
from .pages import MD_SUFFIXES, Page, dirname_to_title, read_page
from .tree import Tree

INDEX_NAMES = ("index.md", "README.md")
INDEX_TITLES = frozenset({"overview", "index"})
# Plugins that build the nav in ways not read here (awesome-pages v3 is awesome-nav).
NAV_PLUGINS = frozenset(
    {"awesome-nav", "monorepo", "multirepo", "nav-weight", "mkdocs-nav-weight", "simple"}
)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_LIST_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+(.*?)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_NAV_MARK = "<!--nav-->"
_LINK = re.compile(r"^\[(.*)\]\((\S*?)(?:[ \t]+\"[^\"]*\")?\)$")


class NavItem(NamedTuple):
    """A page, a link or a section of the nav. ``page`` is docs-relative; for a section it is
    its index page. ``missing``: the nav points at a file that does not exist. A named tuple
    (immutable, and cheaper to make than a frozen dataclass: one per nav entry)."""

    title: str
    page: str | None = None
    url: str | None = None
    children: tuple[NavItem, ...] | None = None
    line: int | None = None
    source: str | None = None  # the repo-relative file holding `line`
    missing: bool = False

    @property
    def is_section(self) -> bool:
        return self.children is not None

    def walk(self) -> Iterable[NavItem]:
        yield self
        for child in self.children or ():
            yield from child.walk()


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    docs_dir: str  # repo-relative ("" for the root)
    files: frozenset[str]  # docs-relative: every file under docs_dir that is not excluded
    pages: Mapping[str, Page]  # docs-relative markdown pages
    nav: tuple[NavItem, ...]
    nav_known: bool  # False when a plugin builds the nav in a way not read here
    in_nav: frozenset[str]
    not_in_nav: frozenset[str]
    notes: tuple[Note, ...] = ()

    @functools.cached_property
    def folded(self) -> Mapping[str, str]:
        """Casefolded path -> path: made once a missing page needs it (most runs, never)."""
        return {f.casefold(): f for f in self.files}

    def repo_path(self, page: str) -> str:
        return f"{self.docs_dir}/{page}" if self.docs_dir else page

    def url(self, page: str) -> str | None:
        base = self.config.site_url
        if not base:
            return None
        return base.rstrip("/") + "/" + page_url(page, self.config.use_directory_urls)

    def case_twin(self, page: str) -> str | None:
        """A file whose path differs from `page` only in case (works on macOS, not Linux)."""
        return self.folded.get(page.casefold())

    def items(self) -> Iterable[NavItem]:
        for item in self.nav:
            yield from item.walk()


def page_url(page: str, directory_urls: bool) -> str:
    stem, _, _ = page.rpartition(".")
    head, _, name = stem.rpartition("/")
    prefix = f"{head}/" if head else ""
    if name in ("index", "README"):
        return prefix if directory_urls else f"{prefix}index.html"
    return f"{prefix}{name}/" if directory_urls else f"{prefix}{name}.html"


def is_markdown(path: str) -> bool:
    return path.endswith(MD_SUFFIXES)


class LazyPages(Mapping[str, Page]):
    """Markdown pages by docs-relative path, each read (title, words, stub) when first asked
    for: most of a big site's pages are never looked at beyond the nav's own titles. Their
    bytes are read lazily too, in batches: ``prefetch`` the pages drift's cells point at (one
    git process; each page is read as it comes, while git gets the next), and the first page
    asked for beyond those reads all the rest at once."""

    def __init__(
        self,
        contents: Mapping[str, bytes],
        *,
        min_words: int,
        max_words_with_marker: int,
        drafts: pathspec.PathSpec | None,
        paths: Iterable[str] = (),
        load: Callable[[list[str]], Iterable[tuple[str, bytes]]] | None = None,
    ) -> None:
        """`contents`: pages already read; `paths`: more pages, read by `load` when needed."""
        self._contents: dict[str, bytes] = dict(contents)
        self._paths = list(dict.fromkeys([*self._contents, *paths]))
        self._known = frozenset(self._paths)
        self._load = load
        self._read: dict[str, Page] = {}
        # Pages with the same bytes read the same (stubs "Stub.\n", copies): read once. A git
        # tree gives the pages of one blob one bytes object, so the key is its identity (the
        # bytes stay in `_contents`): hashing every page's bytes cost more than it saved on a
        # site of distinct pages.
        self._same: dict[tuple[int, bool], Page] = {}
        self._rule = (min_words, max_words_with_marker)
        self._drafts = drafts

    def prefetch(self, paths: Iterable[str]) -> None:
        """Read `paths` (those that are pages not read yet) in one batch: each page's bytes
        and then the page, as they come (the caller is about to ask for every one)."""
        contents = self._contents
        wanted = [p for p in dict.fromkeys(paths) if p in self._known and p not in contents]
        self._fetch(wanted, read=True)

    def _fetch(self, wanted: list[str], read: bool = False) -> None:
        if not wanted or self._load is None:
            return
        contents = self._contents
        done = self._read
        for p, data in self._load(wanted):
            contents[p] = data
            if read and p not in done:
                done[p] = self._page(p, data)  # now, while git writes the next pages
        for p in wanted:
            contents.setdefault(p, b"")  # unreadable: an empty page

    def __getitem__(self, path: str) -> Page:
        page = self._read.get(path)
        if page is None:
            data = self._contents.get(path)
            if data is None:
                if path not in self._known:
                    raise KeyError(path)
                contents = self._contents
                self._fetch([p for p in self._paths if p not in contents])
                data = contents.get(path, b"")
            page = self._read[path] = self._page(path, data)
        return page

    def _page(self, path: str, data: bytes) -> Page:
        draft = bool(self._drafts and self._drafts.match_file(path))
        key = (id(data), draft)
        same = self._same.get(key)
        if same is not None:
            return Page(path, same.meta_title, same.h1, same.words, same.stub)
        page = self._same[key] = read_page(
            path,
            data,
            min_words=self._rule[0],
            max_words_with_marker=self._rule[1],
            draft=draft,
        )
        return page

    def get(self, path: str, default: Page | None = None) -> Page | None:  # type: ignore[override]
        page = self._read.get(path)  # most asks: a page read already (no __getitem__ call)
        if page is not None:
            return page
        return self[path] if path in self._known else default

    def __contains__(self, path: object) -> bool:
        return path in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def _spec(text: str) -> pathspec.PathSpec | None:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def _excluded_by_default(path: str) -> bool:
    # a part starting with "." is at the start or after a "/"
    return path.startswith(("templates/", ".")) or "/." in path


def _normpath(path: str) -> str:
    """posixpath.normpath, without its work for a path that is already normal (most)."""
    if path and not path.startswith(".") and "/." not in path and "//" not in path:
        return path.removesuffix("/") if path != "/" else path
    return posixpath.normpath(path)


class _Builder:
    def __init__(self, tree: Tree, config: SiteConfig, files: frozenset[str]) -> None:
        self.tree = tree
        self.config = config
        self.files = files
        self.pages: Mapping[str, Page] = {}
        self.notes: list[Note] = list(config.notes)

    # -- titles --------------------------------------------------------------------------

    def title(self, page: str) -> str:
        p = self.pages.get(page)
        return p.title if p else dirname_to_title(posixpath.splitext(page.rpartition("/")[2])[0])

    # -- explicit nav --------------------------------------------------------------------

    def target(self, entry: NavEntry, base: str, source: str) -> NavItem:
        raw = (entry.target or "").strip()
        title = entry.title
        if entry.tag is not None or not raw:
            return NavItem(title or raw or "?", url=raw or None, line=entry.line, source=source)
        if (":" in raw and _URL.match(raw)) or raw.startswith("//"):
            return NavItem(title or raw, url=raw, line=entry.line, source=source)
        path = raw
        if "#" in path or "?" in path:  # most targets have neither: no splits
            path = path.split("#", 1)[0].split("?", 1)[0]
        if path.startswith("/"):
            if not self.config.absolute_links_to_docs:
                return NavItem(title or raw, url=raw, line=entry.line, source=source)
            path, base = path.lstrip("/"), ""
        full = _normpath(f"{base}/{path}" if base else path)
        if full == ".." or full.startswith("../"):
            self.notes.append(
                Note(
                    "link-outside-docs",
                    f"nav entry {raw!r} points outside docs_dir",
                    source,
                    entry.line,
                )
            )
            return NavItem(title or raw, url=raw, line=entry.line, source=source)
        if full in self.files:
            return NavItem(title or self.title(full), page=full, line=entry.line, source=source)
        return NavItem(
            title or self.title(full), page=full, line=entry.line, source=source, missing=True
        )

    def explicit(
        self, entries: tuple[NavEntry, ...], base: str, source: str
    ) -> tuple[NavItem, ...]:
        out: list[NavItem] = []
        for e in entries:
            if e.children is not None:
                children = self.explicit(e.children, base, source)
                head = e.children[0].title if e.children else None
                index_ok = head is None or head.casefold() in INDEX_TITLES
                out.append(section(e.title or "", children, e.line, source, index_ok))
            elif self._rests is not None and e.title is None and _Rest.parse(e.target):
                rest = _Rest.parse(e.target)
                assert rest is not None
                self._rests.append(rest)  # filled by with_rests()
                out.append(NavItem(_REST_MARK, url=str(len(self._rests) - 1), line=e.line))
            else:
                out.append(self.target(e, base, source))
        return tuple(out)

    def with_rests(self, nav: tuple[NavItem, ...]) -> tuple[NavItem, ...]:
        """awesome-pages' `...` in mkdocs.yml's nav: each is the inferred nav's pages that
        the nav does not list (those whose path its glob or regex matches, for a filtered
        one), in their sections."""
        rests = self._rests or []
        listed = {i.page for item in nav for i in item.walk() if i.page}

        def take(items: tuple[NavItem, ...]) -> list[list[NavItem]]:
            blocks: list[list[NavItem]] = [[] for _ in rests]
            order = sorted(range(len(rests)), key=lambda k: rests[k].kind == "all")
            for item in items:
                if item.is_section:
                    inner = take(
                        ((NavItem("", page=item.page),) if item.page else ())
                        + (item.children or ())
                    )
                    for k, got in enumerate(inner):
                        if got:
                            idx = (
                                got[0].page
                                if got[0].page == item.page and not got[0].is_section
                                else None
                            )
                            kids = tuple(got[1:] if idx else got)
                            blocks[k].append(NavItem(item.title, page=idx, children=kids))
                elif item.page and item.page not in listed:
                    into = next((k for k in order if rests[k].matches(item.page)), None)
                    if into is not None:
                        blocks[into].append(item)
            return blocks

        blocks = take(self.inferred(""))

        def fill(items: tuple[NavItem, ...]) -> tuple[NavItem, ...]:
            out: list[NavItem] = []
            for item in items:
                if item.title == _REST_MARK and item.url is not None and item.page is None:
                    out.extend(blocks[int(item.url)])
                elif item.children:
                    out.append(item._replace(children=fill(item.children)))
                else:
                    out.append(item)
            return tuple(out)

        return fill(nav)

    # -- inferred nav --------------------------------------------------------------------

    def inferred(self, directory: str, titles: dict[str, str] | None = None) -> tuple[NavItem, ...]:
        """The nav MkDocs infers for `directory` (docs-relative, "" for docs_dir), with
        awesome-pages' .pages files applied."""
        prefix = f"{directory}/" if directory else ""
        pages: list[str] = []
        dirs: set[str] = set()
        hidden = self._hidden
        for f in self._listing.get(directory, ()):
            if f not in hidden:
                pages.append(f)
        for d in self._subdirs.get(directory, ()):
            dirs.add(d)
        index = next((prefix + n for n in INDEX_NAMES if prefix + n in pages), None)
        items: dict[str, NavItem] = {}
        for f in sorted(pages):
            if f == index or f.rpartition("/")[2] in INDEX_NAMES:
                continue  # an index page belongs to its section; README beside index is skipped
            items[f.rpartition("/")[2]] = NavItem(self.title(f), page=f)
        for d in sorted(dirs):
            sub = f"{prefix}{d}"
            meta = self.dot_pages(sub)
            if meta.get("hide") is True:
                continue
            children = self.inferred(sub)
            sub_index = next(
                (
                    f"{sub}/{n}"
                    for n in INDEX_NAMES
                    if f"{sub}/{n}" in self.files and f"{sub}/{n}" not in hidden
                ),
                None,
            )
            title = meta.get("title")
            if not isinstance(title, str):
                title = dirname_to_title(d)
            if children or sub_index:
                items[d] = NavItem(title, page=sub_index, children=children)
        ordered = self.arrange(directory, items)
        if directory == "" and index:
            ordered = (NavItem(self.title(index), page=index), *ordered)
        return ordered

    def arrange(self, directory: str, items: dict[str, NavItem]) -> tuple[NavItem, ...]:
        """`items` (by file or directory name) as the directory's .pages orders them:
        `order`, then `nav` (or v1's `arrange`, whose rest goes last when it has no `...`),
        where each item not listed goes to the first `... | glob` (or `regex=`) it matches,
        else to the plain `...`, else is left out."""
        meta = self.dot_pages(directory)
        order = meta.get("order")
        if order in ("asc", "desc"):
            items = dict(sorted(items.items(), reverse=order == "desc"))
        nav = meta.get("nav")
        if not isinstance(nav, list):
            nav = meta.get("arrange")
            if not isinstance(nav, list):
                return tuple(items.values())
            if "..." not in nav:
                nav = [*nav, "..."]
        out: list[NavItem | _Rest] = []
        used: set[str] = set()
        for entry in nav:
            rest = _Rest.parse(entry)
            if rest is not None:
                out.append(rest)
            elif isinstance(entry, str) and entry in items:
                out.append(items[entry])
                used.add(entry)
            elif isinstance(entry, dict) and len(entry) == 1:
                title, target = next(iter(entry.items()))
                if isinstance(target, str) and target in items:
                    item = items[target]
                    out.append(NavItem(str(title), item.page, item.url, item.children))
                    used.add(target)
                elif isinstance(target, str) and _URL.match(target):
                    out.append(NavItem(str(title), url=target))
        rests = [r for r in out if isinstance(r, _Rest)]
        rests.sort(key=lambda r: r.kind == "all")  # the filtered ones take their items first
        for name, item in items.items():
            if name not in used:
                into = next((r for r in rests if r.matches(name)), None)
                if into is not None:
                    into.items.append(item)
        result: list[NavItem] = []
        for x in out:
            if isinstance(x, _Rest):
                result.extend(x.items)
            else:
                result.append(x)
        return tuple(result)

    def dot_pages(self, directory: str) -> dict:
        cached = self._dot_pages.get(directory)
        if cached is not None:
            return cached
        found: dict = {}
        if "awesome-pages" in self.config.plugins:
            rel = f"{directory}/.pages" if directory else ".pages"
            data = self.tree.read(self._repo(rel))
            if data is not None and len(data) < 1 << 20:
                try:
                    value, _ = load_yaml(data.decode("utf-8-sig", "replace"), rel, {})
                except Exception as err:  # a broken .pages is a note, not a stop
                    self.notes.append(Note("nav-plugin", f"{err}", self._repo(rel)))
                    value = None
                if isinstance(value, dict):
                    found = value
        self._dot_pages[directory] = found
        return found

    # -- literate-nav --------------------------------------------------------------------

    def literate(self, summary: str, depth: int = 0) -> tuple[NavItem, ...]:
        """The nav a literate-nav SUMMARY.md (docs-relative) lists."""
        data = self.tree.read(self._repo(summary)) or b""
        base = summary.rpartition("/")[0]
        source = self._repo(summary)
        root: list[tuple[int, list[NavItem], str | None, int | None]] = []
        stack: list[tuple[int, list]] = [(-1, root)]
        for n, line in _nav_list(data.decode("utf-8-sig", "replace").splitlines()):
            m = _LIST_ITEM.match(line)
            if not m:
                continue  # a continuation line of an item
            indent = len(m.group(1).expandtabs(4))
            while len(stack) > 1 and stack[-1][0] >= indent:
                stack.pop()
            node: list = []
            entry = (n, node, m.group(2), indent)
            stack[-1][1].append(entry)
            stack.append((indent, node))
        # What a wildcard leaves out: every page the file links to, and the file itself.
        seen = {summary}
        for entry in _flatten(root):
            link = _LINK.match(entry[2] or "")
            if link and not _URL.match(link.group(2)):
                seen.add(_normpath(posixpath.join(base, link.group(2))))
        return tuple(self._literate_items(root, base, source, depth, seen))

    def _literate_items(
        self, entries: list, base: str, source: str, depth: int, seen: set[str]
    ) -> list[NavItem]:
        out: list[NavItem] = []
        for line, children, text, _indent in entries:
            link = _LINK.match(text)
            title, target = (link.group(1), link.group(2)) if link else (text, None)
            if link is None and "*" in text and not children:
                # `* subdir/*.md`: the pages and directories it matches (literate-nav)
                out.extend(self._literate_glob(base, text, seen, source, line, depth))
                continue
            kids = self._literate_items(children, base, source, depth, seen)
            if target and "*" in target:
                pattern = posixpath.normpath(posixpath.join(base, target)) if base else target
                for f in sorted(self.files):
                    if is_markdown(f) and fnmatch.fnmatchcase(f, pattern):
                        out.append(NavItem(self.title(f), page=f, line=line, source=source))
                continue
            if target and target.endswith("/") and not _URL.match(target):
                sub = (
                    posixpath.normpath(posixpath.join(base, target)) if base else target.rstrip("/")
                )
                summary = f"{sub}/{self._nav_file}"
                if depth < 20 and summary in self.files:
                    sub_items = self.literate(summary, depth + 1)
                else:
                    sub_items = self.inferred(sub)
                idx = next((f"{sub}/{n}" for n in INDEX_NAMES if f"{sub}/{n}" in self.files), None)
                out.append(NavItem(title, page=idx, children=sub_items, line=line, source=source))
                continue
            if target is None:
                out.append(section(title, tuple(kids), line, source))
                continue
            item = self.target(NavEntry(title or None, target, None, line), base, source)
            if kids:
                item = section(item.title, (item, *kids), line, source)
            out.append(item)
        return out

    def _literate_glob(
        self, base: str, pattern: str, seen: set[str], source: str, line: int, depth: int
    ) -> list[NavItem]:
        """A bare wildcard item of a literate nav: the markdown pages (index first) and then
        the directories it matches, as glob does (`*` stays within one directory; a
        trailing `/` matches directories only); what the file links to is left out."""
        dirs_only = pattern.endswith("/")
        full = _normpath(posixpath.join(base, pattern.rstrip("/")) if base else pattern)
        parent, _, name = full.rpartition("/")
        if "*" in parent:  # `*/api.md`, `**/*.md`: whole paths, not directory by directory
            pages = [f for f in self._markdown if fnmatch.fnmatchcase(f, full)]
            subdirs: list[str] = []
        else:
            prefix = f"{parent}/" if parent else ""
            pages = [f for f in self._listing.get(parent, ()) if fnmatch.fnmatchcase(f, full)]
            subdirs = [
                prefix + d
                for d in sorted(self._subdirs.get(parent, ()))
                if fnmatch.fnmatchcase(d, name)
            ]
        out: list[NavItem] = []
        if not dirs_only:
            pages.sort(key=lambda f: (f.rpartition("/")[2] not in INDEX_NAMES, f))
            for f in pages:
                if f not in seen and f.rpartition("/")[2] != self._nav_file:
                    seen.add(f)
                    out.append(NavItem(self.title(f), page=f, line=line, source=source))
        for sub in subdirs:
            if sub in seen:
                continue
            seen.add(sub)
            summary = f"{sub}/{self._nav_file}"
            if depth < 20 and summary in self.files:
                children = self.literate(summary, depth + 1)
            else:  # the directory's pages and directories not linked already
                children = tuple(self._literate_glob(sub, "*", seen, source, line, depth + 1))
            if children:
                title = dirname_to_title(sub.rpartition("/")[2])
                out.append(section(title, children, line, source))
        return out

    @functools.cached_property
    def _listing(self) -> dict[str, list[str]]:
        """Markdown pages by directory, for the inferred nav (an explicit nav needs none)."""
        listing: dict[str, list[str]] = {}
        for f in self._markdown:
            listing.setdefault(f.rpartition("/")[0], []).append(f)
        return listing

    @functools.cached_property
    def _subdirs(self) -> dict[str, set[str]]:
        """The subdirectories holding markdown pages, by directory."""
        subdirs: dict[str, set[str]] = {}
        for d in self._listing:
            while d:
                parent, _, name = d.rpartition("/")
                under = subdirs.setdefault(parent, set())
                if name in under:
                    break  # its parents are known already
                under.add(name)
                d = parent
        return subdirs

    def _repo(self, rel: str) -> str:
        d = self.config.docs_dir
        return f"{d}/{rel}" if d else rel

    @functools.cached_property
    def _hidden(self) -> frozenset[str]:
        """Pages MkDocs leaves out of the inferred nav: `not_in_nav` and `draft_docs` ones."""
        specs = [s for s in self._leave_out if s is not None]
        if not specs:
            return frozenset()
        return frozenset(f for f in self._markdown if any(s.match_file(f) for s in specs))

    def prepare(
        self, markdown: list[str], leave_out: Iterable[pathspec.PathSpec | None] = ()
    ) -> None:
        self._dot_pages: dict[str, dict] = {}
        self._markdown = markdown
        self._rests: list[_Rest] | None = None  # awesome-pages' `...` in mkdocs.yml's nav
        self._leave_out = tuple(leave_out)
        opts = self.config.plugin_options.get("literate-nav", {})
        nav_file = opts.get("nav_file") if isinstance(opts, dict) else None
        self._nav_file = nav_file if isinstance(nav_file, str) else "SUMMARY.md"


_REST_MARK = "\0awesome-pages rest"
_REST = re.compile(r"^\.{3}\s*\|\s*(?:(regex|glob)=)?(.*)")


class _Rest:
    """A `...` entry of an awesome-pages `nav`: where the items not listed go, or those of
    them whose name matches its glob (`... | *.md`, `... | glob=x*`) or regex."""

    def __init__(self, kind: str, pattern: str = "") -> None:
        self.kind = kind
        self.pattern = pattern
        self.items: list[NavItem] = []

    @classmethod
    def parse(cls, entry: object) -> _Rest | None:
        if entry == "...":
            return cls("all")
        m = _REST.match(entry) if isinstance(entry, str) else None
        return cls(m.group(1) or "glob", m.group(2)) if m else None

    def matches(self, name: str) -> bool:
        if self.kind == "all":
            return True
        if self.kind == "glob":  # `*` within one directory, `**` across them
            if "**" in self.pattern:
                return fnmatch.fnmatchcase(name, self.pattern)
            parts, globs = name.split("/"), self.pattern.split("/")
            return len(parts) == len(globs) and all(map(fnmatch.fnmatchcase, parts, globs))
        try:
            return re.search(self.pattern, name) is not None
        except re.error:
            return False


def _nav_list(lines: list[str]) -> list[tuple[int, str]]:
    """The lines (numbered from 1) of the list literate-nav reads as the nav: the first list
    after the last `<!--nav-->` line, else the file's last list. Lists in code fences are
    not lists; a line at the margin that is not an item ends a list."""
    lists: list[list[tuple[int, str]]] = []
    marks: list[int] = []  # how many lists had begun at each marker
    current: list[tuple[int, str]] | None = None
    fence: str | None = None
    for n, line in enumerate(lines, 1):
        if fence is not None:
            if line.lstrip(" ").startswith(fence):
                fence = None
            continue
        f = _FENCE.match(line)
        if f:
            fence, current = f.group(1)[0] * 3, None
            continue
        if line.strip() == _NAV_MARK:
            marks.append(len(lists))
            current = None
            continue
        if _LIST_ITEM.match(line):
            if current is None:
                current = []
                lists.append(current)
            current.append((n, line))
        elif current is not None and (not line.strip() or line[:1] in " \t"):
            current.append((n, line))  # a blank or continuation line inside the list
        else:
            current = None
    if marks:
        at = marks[-1]
        return lists[at] if at < len(lists) else []
    return lists[-1] if lists else []


def _flatten(entries: list) -> Iterator[tuple]:
    for entry in entries:
        yield entry
        yield from _flatten(entry[1])


def section(
    title: str,
    children: tuple[NavItem, ...],
    line: int | None,
    source: str | None,
    index_ok: bool = True,
) -> NavItem:
    """A section; a first child that is an index page (bare, or titled Overview/Index:
    `index_ok`) is the section's index page (material's navigation.indexes, section-index,
    literate-nav)."""
    page = None
    if children and index_ok:
        first = children[0]
        if (
            not first.is_section
            and first.page
            and not first.missing
            and first.page.rpartition("/")[2] in INDEX_NAMES
        ):
            page = first.page
            children = children[1:]
    return NavItem(title, page=page, children=children, line=line, source=source)


def build_site(
    tree: Tree,
    config: SiteConfig,
    *,
    min_words: int = 25,
    max_words_with_marker: int = 150,
) -> Site:
    """Everything drift needs of the site: files, pages read, the nav."""
    prefix = f"{config.docs_dir}/" if config.docs_dir else ""
    exclude = _spec(config.exclude_docs)
    drafts = _spec(config.draft_docs)
    not_in_nav_spec = _spec(config.not_in_nav)
    cut = len(prefix)
    # Comprehensions, not a loop of statements: 10,000 paths on a big site.
    files = {
        rel
        for rel in (p[cut:] for p in tree.paths() if p.startswith(prefix))
        if not _excluded_by_default(rel)
    }
    if exclude is not None:
        files = {rel for rel in files if not exclude.match_file(rel)}
    markdown = [f for f in files if f.endswith(MD_SUFFIXES)]  # is_markdown, without a call
    b = _Builder(tree, config, frozenset(files))

    def load(pages: list[str]) -> Iterator[tuple[str, bytes]]:
        for p, data in tree.read_each(prefix + f for f in pages):
            yield p[cut:], data

    b.pages = LazyPages(
        {},
        min_words=min_words,
        max_words_with_marker=max_words_with_marker,
        drafts=drafts,
        paths=markdown,
        load=load,
    )
    b.prepare(markdown, (not_in_nav_spec, drafts))
    nav_known = True
    plugins = set(config.plugins)
    odd = sorted(plugins & NAV_PLUGINS)
    if ".nav.yml" in files and "awesome-nav" not in odd:
        odd.append(".nav.yml (awesome-nav)")
    summary = b._nav_file
    if odd:
        b.notes.append(
            Note(
                "nav-plugin",
                f"the nav is built by {', '.join(odd)}, which drift does not read; "
                "cells fall back to the path rule and nav checks are skipped",
                config.path,
            )
        )
        nav_known = False
        nav: tuple[NavItem, ...] = ()
    elif "literate-nav" in plugins and summary in files:
        nav = b.literate(summary)
    elif config.nav is not None:
        if "awesome-pages" in plugins:
            b._rests = []
        nav = b.explicit(config.nav, "", config.nav_file)
        if b._rests:
            nav = b.with_rests(nav)
    else:
        nav = b.inferred("")
    in_nav: set[str] = set()
    stack = list(nav)
    while stack:  # every item of the nav (a loop: nested generators cost more on 10,000)
        i = stack.pop()
        if i.page and not i.missing:
            in_nav.add(i.page)
        if i.children:
            stack.extend(i.children)
    not_in_nav = (
        frozenset(f for f in markdown if not_in_nav_spec.match_file(f))
        if not_in_nav_spec
        else frozenset()
    )
    return Site(
        config=config,
        docs_dir=config.docs_dir,
        files=b.files,
        pages=b.pages,
        nav=nav,
        nav_known=nav_known,
        in_nav=frozenset(in_nav),
        not_in_nav=not_in_nav,
        notes=tuple(b.notes),
    )
