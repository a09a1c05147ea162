"""The roadmap against the docs site it describes: one finding per cell that disagrees.

For every module x column (spec §4) the page the cell stands for is found in the nav: the
nav root, the group section, the module item, the column page; else the path template.
Then the box is compared with the page (written, stub, missing; in the nav or not) and the
disagreement becomes a :class:`Finding` (spec §6). Modules and groups are reported once.
Pure: the roadmap, its text and the site are given; nothing is read here.
"""

from __future__ import annotations

import difflib
import functools
import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import unquote

import pathspec

from bot.roadmap.model import Cell, CellState, Module, Roadmap

from .config import ColumnSpec, DriftSettings, Note
from .nav import INDEX_NAMES, LazyPages, NavItem, Site
from .renames import Lost, Rename, Unnamed, pair
from .tree import parent_dirs

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)
FUZZY = 0.85


class Finding(NamedTuple):
    """One disagreement. A named tuple: immutable, and cheaper to make than a frozen
    dataclass (a big roadmap has thousands)."""

    kind: str
    severity: str
    message: str
    group: str | None = None
    module: str | None = None
    column: str | None = None
    roadmap_line: int | None = None
    page: str | None = None  # repo-relative
    nav_line: int | None = None
    nav_file: str | None = None  # the file nav_line is in (mkdocs.yml, an INHERITed file, …)
    url: str | None = None
    suggestion: str | None = None

    @property
    def rank(self) -> tuple[int, int, str]:
        return (SEVERITIES.index(self.severity), self.roadmap_line or 0, self.kind)


@dataclass(frozen=True, slots=True)
class CellPage:
    """What the docs show for one cell: ``page``, ``stub``, ``missing`` (or ``track``)."""

    state: str
    page: str | None = None  # repo-relative
    url: str | None = None
    reason: str | None = None  # the stub's reason


@dataclass(frozen=True)
class DriftReport:
    roadmap: str
    mkdocs: str
    docs_dir: str
    nav_root: str | None
    findings: tuple[Finding, ...]
    cells: Mapping[tuple[str, str], CellPage] = field(default_factory=dict)  # (qualified, col)
    commit: str | None = None

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(SEVERITIES, 0)
        for f in self.findings:
            out[f.severity] += 1
        return out


# --- names -----------------------------------------------------------------------------------

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


@functools.lru_cache(maxsize=65536)
def norm(name: str) -> str:
    """NFKC, casefold, & -> and, punctuation/-/_ -> space, spaces collapsed."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    return " ".join(_PUNCT.sub(" ", text).split())


def slug(name: str) -> str:
    return norm(name).replace(" ", "-")


def strip_suffix(name: str, suffixes: Iterable[str]) -> str:
    for suffix in suffixes:
        if suffix and name.casefold().endswith(suffix.casefold()) and len(name) > len(suffix):
            return name[: -len(suffix)].strip()
    return name.strip()


def _spelt_differently(a: str, b: str) -> bool:
    # Case alone is not a difference: MkDocs' titles from file names capitalise the first word
    # only ("Policy engine"), and the reader sees the same name.
    return " ".join(a.split()).casefold() != " ".join(b.split()).casefold()


def _is_done(cell: Cell) -> bool:
    return cell.state is CellState.DONE


# --- roadmap links ---------------------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE_LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+[\"'(][^)]*)?\)")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def relative_links(text: str) -> Iterable[tuple[int, str]]:
    """(line, target) of every relative link in markdown `text`, outside code."""
    fence: str | None = None
    for n, line in enumerate(re.split(r"\r\n|\r|\n", text), 1):
        m = _FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        if "](" not in line and "]:" not in line:
            continue
        line = _CODE_SPAN.sub("", line) if "`" in line else line
        targets = [t for t in _INLINE_LINK.findall(line)]
        ref = _REF_DEF.match(line)
        if ref:
            targets.append(ref.group(1))
        for target in targets:
            target = target[1:-1] if target.startswith("<") else target
            if not target or target.startswith(("#", "/")) or _SCHEME.match(target):
                continue
            yield n, target


def broken_links(
    text: str, roadmap_path: str, paths: frozenset[str], dirs: frozenset[str] | None = None
) -> list[Finding]:
    """Links of the roadmap to no file or directory of `paths` (`dirs`: their directories,
    worked out from `paths` when a link is to no file)."""
    base = posixpath.dirname(roadmap_path)
    by_name: dict[str, list[str]] | None = None
    out: list[Finding] = []
    for line, target in relative_links(text):
        path = unquote(target.split("#", 1)[0].split("?", 1)[0])
        if not path:
            continue
        full = posixpath.normpath(posixpath.join(base, path))
        if full in paths:
            continue
        if dirs is None:
            dirs = parent_dirs(paths)
        if full.rstrip("/") in dirs:
            continue
        if by_name is None:
            by_name = {}
            for p in paths:
                by_name.setdefault(p.rpartition("/")[2], []).append(p)
        name = full.rpartition("/")[2]
        same = by_name.get(name, [])
        suggestion = None
        if same:
            best = max(same, key=lambda p: (_common(p, full), -len(p)))
            suggestion = f"did you mean {posixpath.relpath(best, base or '.')}?"
        where = "outside the repository" if full.startswith("..") else "nothing"
        out.append(
            Finding(
                "broken-link",
                ERROR,
                f"link {target!r} resolves to {where} ({full})",
                roadmap_line=line,
                suggestion=suggestion,
            )
        )
    return out


def _common(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split("/"), b.split("/"), strict=False):
        if x != y:
            break
        n += 1
    return n


# --- the mapping -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Place:
    """A nav item under the root, with its nearest group section (a roadmap group's key)."""

    item: NavItem
    parent: NavItem | None
    group_key: str | None
    group_item: NavItem | None


@dataclass(slots=True)
class _Target:
    page: str | None = None  # docs-relative
    item: NavItem | None = None  # the nav item that names it
    in_nav: bool = False
    missing: bool = False  # the nav names a file that does not exist
    external: bool = False


class _Matcher:
    def __init__(self, roadmap: Roadmap, site: Site, settings: DriftSettings) -> None:
        self.roadmap = roadmap
        self.site = site
        self.s = settings
        self.ignore = (
            pathspec.GitIgnoreSpec.from_lines(settings.ignore) if settings.ignore else None
        )
        self.findings: list[Finding] = []
        strip = settings.group_slug_strip
        self.group_keys: dict[str, str] = {}  # matching key -> roadmap group name
        for g in roadmap.groups:
            alias = settings.aliases.groups.get(g.name)
            self.group_keys[norm(strip_suffix(alias or g.name, strip))] = g.name
        self.module_keys = {m.key: m for m in roadmap.modules}
        self.root: NavItem | None = None
        self._column_pages: dict[int, list[tuple[str, str, NavItem]]] = {}
        self._columns: dict[str, ColumnSpec] = {}
        # Whether a column's cells are pages (the others are only tracked), by column name:
        # asked for every cell, so worked out once per name.
        self.is_page: dict[str, bool] = {}
        for module in roadmap.modules:
            for c in module.cells:
                if c.column not in self.is_page:
                    self.is_page[c.column] = self.column(c.column).kind == "page"
        self._column_keys: dict[str, tuple[str, frozenset[str]]] = {}
        self._section_dirs: dict[int, str | None] = {}
        # Each cell's page, found before the pages are read: (id(module), column) -> target.
        self.targets: dict[tuple[int, str], _Target] = {}

    @functools.cached_property
    def dirs(self) -> frozenset[str]:
        """The site's directories: only modules missing from the nav need them."""
        return parent_dirs(self.site.files)

    # -- where things are -----------------------------------------------------------------

    def group_key(self, title: str) -> str:
        return norm(strip_suffix(title, self.s.group_slug_strip))

    def choose_root(self) -> tuple[NavItem | None, tuple[NavItem, ...]]:
        nav = self.site.nav
        if self.s.nav_root:
            want = norm(self.s.nav_root)
            for item in self.site.items():
                if item.is_section and norm(item.title) == want:
                    return item, item.children or ()
            self.findings.append(
                Finding(
                    "nav-root-missing",
                    WARNING,
                    f"nav_root {self.s.nav_root!r} is not a section of the nav; "
                    "the whole nav is searched",
                    nav_file=self.site.config.nav_file,
                )
            )
            return None, nav
        names = {norm(m.name) for m in self.roadmap.modules}
        best: list[tuple[int, int, NavItem | None]] = [(0, 0, None)]
        for item in nav:
            _count_names(item, 0, names, best)
        best_item = best[0][2]
        if best_item is None:
            return None, nav
        # The section holding most module names; a group section of them is too narrow
        # when its parent is the modules' section.
        return best_item, best_item.children or ()

    def places(self, root: NavItem | None, items: tuple[NavItem, ...]) -> list[_Place]:
        """The items under the root that can be a group or a module: sections, and the pages
        right under the root or a group section. A module section's own pages (most of a
        big nav) are column pages, found from the module's item later: not listed."""
        out: list[_Place] = []
        root_group = (
            self.group_key(root.title)
            if root and self.group_key(root.title) in self.group_keys
            else None
        )

        for item in items:
            _walk_places(self, item, root, root_group, root if root_group else None, out)
        return out

    # -- pages ----------------------------------------------------------------------------

    def page_state(self, t: _Target) -> tuple[str, str | None]:
        if t.external:
            return "page", None
        if t.page is None or t.missing or t.page not in self.site.files:
            return "missing", None
        page = self.site.pages.get(t.page)
        if page is None:
            return "page", None  # a file that is not markdown (an .html page, a PDF)
        return ("stub", page.stub) if page.stub else ("page", None)

    def ignored(self, page: str | None) -> bool:
        return bool(page and self.ignore and self.ignore.match_file(page))

    def column(self, name: str) -> ColumnSpec:
        found = self._columns.get(name)
        if found is None:
            found = self._columns[name] = self.s.column(name)
        return found

    def column_keys(self, name: str) -> tuple[str, frozenset[str]]:
        """(file stem, normalised titles) a column's page is found by."""
        found = self._column_keys.get(name)
        if found is None:
            spec = self.column(name)
            file = (spec.file or slug(name)).casefold()
            titles = frozenset(norm(t) for t in (spec.titles or (name,)))
            found = self._column_keys[name] = (file, titles)
        return found

    def section_dir(self, item: NavItem) -> str | None:
        key = id(item)
        if key not in self._section_dirs:
            self._section_dirs[key] = _section_dir(item)
        return self._section_dirs[key]

    def column_pages(self, item: NavItem) -> list[tuple[str, str, NavItem]]:
        """(normalised title, file stem, item) of a module section's pages, computed once."""
        found = self._column_pages.get(id(item))
        if found is None:
            found = [
                (norm(p.title) if p.title else "", _stem(p.page) if p.page else "", p)
                for p in _column_pages(item)
            ]
            self._column_pages[id(item)] = found
        return found

    def all_ignored(self, item: NavItem) -> bool:
        """Every page under `item` is ignored (and there is one)."""
        pages = [i.page for i in item.walk() if i.page]
        return bool(pages) and all(self.ignored(p) for p in pages)


# The nav's walks are module functions, not closures: a recursive closure is a reference
# cycle, which kept the matcher (and the site, and every finding) alive until the cyclic
# collector ran.


def _count_names(
    item: NavItem, depth: int, names: set[str], best: list[tuple[int, int, NavItem | None]]
) -> int:
    """Module names at or under `item`; `best[0]` becomes the first section holding most."""
    n = 0
    for child in item.children or ():
        if child.children is None:  # a page: most items (no call for it)
            n += norm(child.title) in names
        else:
            n += _count_names(child, depth + 1, names, best)
    n += norm(item.title) in names
    if item.children is not None and (n, depth) > best[0][:2]:
        best[0] = (n, depth, item)
    return n


def _walk_places(
    m: _Matcher,
    item: NavItem,
    parent: NavItem | None,
    gkey: str | None,
    gitem: NavItem | None,
    out: list[_Place],
) -> None:
    children = item.children
    if children is not None:  # a section: a group's, when named like one
        key = m.group_key(item.title)
        if key in m.group_keys:
            gkey, gitem = key, item
    out.append(_Place(item, parent, gkey, gitem))
    if children:
        pages_too = item is gitem  # a group section's pages are modules
        for child in children:
            if pages_too or child.children is not None:
                _walk_places(m, child, item, gkey, gitem, out)


def _section_dir(item: NavItem) -> str | None:
    pages = [item.page] if item.page else []
    pages += [c.page for c in item.children or () if c.page and not c.is_section]
    if not pages:
        return None
    dirs = [p.rpartition("/")[0] for p in pages]
    return max(set(dirs), key=dirs.count)


def _stem(page: str) -> str:
    stem = page.rpartition("/")[2].rpartition(".")[0]
    return "index" if stem == "README" else stem


def _stem_matches(stem: str, file: str) -> bool:
    stem = stem.casefold()
    return (
        stem == file
        or stem.endswith("-" + file)
        or stem == file + "s"
        or stem.endswith("-" + file + "s")
    )


def _column_pages(item: NavItem) -> list[NavItem]:
    """The module section's page items at any depth (a sub-section's index page too); the
    section's own index page comes first, untitled so only its file name can match."""
    out: list[NavItem] = []
    if item.page and item.is_section:
        out.append(NavItem("", page=item.page, line=item.line, source=item.source))
    for child in item.children or ():
        if child.children is None:  # a page: most children (no generator for it)
            out.append(child)
            continue
        for sub in child.walk():
            if not sub.is_section:
                out.append(sub)
            elif sub.page:
                out.append(NavItem(sub.title, page=sub.page, line=sub.line, source=sub.source))
    return out


def check(
    roadmap: Roadmap,
    roadmap_text: str,
    roadmap_path: str,
    site: Site,
    settings: DriftSettings,
    tree_paths: frozenset[str],
    *,
    commit: str | None = None,
    history: Callable[[], Sequence[Rename]] | None = None,
) -> DriftReport:
    """Every finding of `roadmap` (read from `roadmap_text` at repo path `roadmap_path`)
    against `site`. `tree_paths` are the repository's files, for the roadmap's links.
    `history` gives git's renames under docs_dir, asked only when a module may be renamed."""
    m = _Matcher(roadmap, site, settings)
    findings = m.findings
    for note in site.notes:
        findings.append(_note(note))
    findings.extend(broken_links(roadmap_text, roadmap_path, tree_paths))

    root, top = m.choose_root() if site.nav_known else (None, ())
    places = m.places(root, top)
    cells: dict[tuple[str, str], CellPage] = {}

    # Groups: sections under the root named like a roadmap group.
    nav_groups: dict[str, NavItem] = {}
    for p in places:
        if p.group_item is p.item and p.group_key not in nav_groups:
            nav_groups[p.group_key] = p.item  # type: ignore[index]  # fields spread from a dict[str, object] built for every finding
    if site.nav_known:
        _fuzzy_groups(m, places, nav_groups)
    group_of = {name: key for key, name in m.group_keys.items()}
    for g in roadmap.groups:
        key = group_of[g.name]
        item = nav_groups.get(key)
        if item is None and site.nav_known:
            findings.append(
                Finding(
                    "group-not-in-nav",
                    WARNING,
                    f"group {g.name!r} has no section in the nav",
                    group=g.name,
                    roadmap_line=g.line,
                    suggestion="add the section, or map it under drift.aliases.groups in "
                    ".roadmap-bot.yml",
                )
            )
        elif (
            item is not None
            and g.name not in settings.aliases.groups
            and _spelt_differently(
                strip_suffix(g.name, settings.group_slug_strip),
                strip_suffix(item.title, settings.group_slug_strip),
            )
        ):
            findings.append(
                Finding(
                    "group-name-differs",
                    WARNING,
                    f"group {g.name!r} is {item.title!r} in the nav",
                    group=g.name,
                    roadmap_line=g.line,
                    nav_line=item.line,
                    nav_file=item.source,
                    suggestion="use one spelling in both (or add an alias)",
                )
            )

    # Module candidates: items whose parent is a group section (or the root), and sections
    # anywhere under the root. Deeper pages are column pages, never modules.
    module_level = [
        p
        for p in places
        if p.group_item is not p.item
        and (p.parent is root or (p.parent is not None and p.parent is p.group_item))
    ]
    at_level = {id(p) for p in module_level}
    candidates = module_level + [
        p
        for p in places
        if p.item.is_section and p.group_item is not p.item and id(p) not in at_level
    ]
    by_title: dict[str, list[_Place]] = {}
    by_path: dict[str, _Place] = {}
    for p in candidates:
        by_title.setdefault(norm(p.item.title), []).append(p)
        d = (
            (m.section_dir(p.item) or "")
            if p.item.is_section
            else (p.item.page or "").rpartition(".")[0]
        )
        if d:
            by_path.setdefault(d, p)
    claimed: set[int] = set()

    placed = []
    for module in roadmap.modules:
        gkey = group_of.get(module.group)
        place, differs = _find_module(m, module, gkey, by_title, by_path, candidates, claimed)
        if place is not None:
            claimed.add(id(place.item))
        placed.append((module, gkey, place, differs))
    renamed: set[int] = set()
    if site.nav_known:
        for i, place, finding in _renamed(m, placed, module_level, claimed, history):
            module, gkey, _, _ = placed[i]
            placed[i] = (module, gkey, place, False)
            claimed.add(id(place.item))
            renamed.add(id(module))
            findings.append(finding)
    # Each cell's page first, then those pages read in one batch: a site's other pages (FAQs,
    # guides) are never read.
    if isinstance(site.pages, LazyPages):
        for module, gkey, place, _ in placed:
            item = place.item if place else None
            for c in module.cells:
                if m.is_page[c.column]:
                    t = _column_target(m, module, c.column, item, gkey)
                    m.targets[(id(module), c.column)] = t
        site.pages.prefetch(
            t.page for t in m.targets.values() if t.page and not t.external and not t.missing
        )
    for module, gkey, place, differs in placed:
        _check_module(m, module, gkey, place, differs, cells, id(module) in renamed)

    if site.nav_known:
        for p in module_level:
            if id(p.item) in claimed or p.item.url or m.all_ignored(p.item):
                continue
            if p.group_item is None and p.item.is_section and root is not None:
                findings.append(
                    Finding(
                        "group-not-in-roadmap",
                        WARNING,
                        f"nav section {p.item.title!r} names no roadmap group or module",
                        nav_line=p.item.line,
                        nav_file=p.item.source,
                    )
                )
            elif p.group_item is not None:
                group = m.group_keys.get(p.group_key or "")
                findings.append(
                    Finding(
                        "module-not-in-roadmap",
                        WARNING,
                        f"the nav has {p.item.title!r} under {p.group_item.title!r}, "
                        "which no roadmap row names",
                        group=group,
                        page=site.repo_path(p.item.page) if p.item.page else None,
                        nav_line=p.item.line,
                        nav_file=p.item.source,
                        suggestion="add a row to the roadmap, or an alias",
                    )
                )
        prefix = f"{site.docs_dir}/" if site.docs_dir else ""
        if roadmap_path.startswith(prefix):
            rel = roadmap_path[len(prefix) :]
            if rel not in site.in_nav and rel not in site.not_in_nav and not m.ignored(rel):
                findings.append(
                    Finding(
                        "roadmap-not-in-nav",
                        WARNING,
                        f"the roadmap {roadmap_path} is in docs_dir but not in the nav",
                        page=roadmap_path,
                        url=site.url(rel),
                        suggestion="add it to the nav, or to not_in_nav in mkdocs.yml",
                    )
                )
    nav_root = root.title if root is not None else None
    return DriftReport(
        roadmap=roadmap_path,
        mkdocs=site.config.path,
        docs_dir=site.docs_dir,
        nav_root=nav_root,
        findings=tuple(sorted(findings, key=lambda f: f.rank)),
        cells=cells,
        commit=commit,
    )


def _note(note: Note) -> Finding:
    return Finding(note.kind, WARNING, note.message, nav_line=note.line, nav_file=note.file)


def _fuzzy_groups(m: _Matcher, places: list[_Place], nav_groups: dict[str, NavItem]) -> None:
    """Near misses between unmatched roadmap groups and sections directly under the root."""
    missing = [k for k in m.group_keys if k not in nav_groups]
    if not missing:
        return
    sections = [p.item for p in places if p.item.is_section and p.group_item is None]
    for key in missing:
        best = max(
            sections,
            key=lambda s: difflib.SequenceMatcher(None, key, m.group_key(s.title)).ratio(),
            default=None,
        )
        if (
            best is not None
            and difflib.SequenceMatcher(None, key, m.group_key(best.title)).ratio() >= FUZZY
        ):
            nav_groups[key] = best
            sections.remove(best)


def _find_module(
    m: _Matcher,
    module: Module,
    gkey: str | None,
    by_title: dict[str, list[_Place]],
    by_path: dict[str, _Place],
    candidates: list[_Place],
    claimed: set[int],
) -> tuple[_Place | None, bool]:
    """The nav item of `module`, and whether its name differs (a near miss)."""
    alias = m.s.aliases.modules.get(module.name)
    if alias:
        found = by_title.get(norm(alias)) or []
        if not found:
            path = alias.strip("/").removesuffix(".md")
            hit = by_path.get(path)
            found = [hit] if hit else []
        if found:
            return _prefer(found, gkey, claimed), False
    exact = by_title.get(norm(module.name), [])
    if exact:
        place = _prefer(exact, gkey, claimed)
        if place is not None:
            return place, _spelt_differently(module.name, place.item.title)
    want = slug(module.name)
    key = norm(module.name)
    best: tuple[float, int, _Place | None] = (0.0, 0, None)
    for p in candidates:
        if id(p.item) in claimed or p.item.url:
            continue
        title = norm(p.item.title)
        page = (p.item.page or "").rpartition(".")[0]
        d = (m.section_dir(p.item) or "") if p.item.is_section else page
        same_dir = bool(d) and d.rpartition("/")[2] == want
        if same_dir:
            score = 1.0
        else:
            sm = difflib.SequenceMatcher(None, key, title)
            if sm.real_quick_ratio() < FUZZY or sm.quick_ratio() < FUZZY:
                continue
            score = sm.ratio()
            if score < FUZZY:
                continue
        rank = 1 if p.group_key == gkey else 0
        if (score, rank) > best[:2]:
            best = (score, rank, p)
    return best[2], best[2] is not None


def _prefer(found: list[_Place], gkey: str | None, claimed: set[int]) -> _Place | None:
    free = [p for p in found if id(p.item) not in claimed] or found
    own = [p for p in free if p.group_key == gkey]
    return (own or free)[0]


def _column_target(
    m: _Matcher, module: Module, column: str, item: NavItem | None, gkey: str | None
) -> _Target:
    file, titles = m.column_keys(column)
    site = m.site
    module_dir: str | None = None
    if item is not None:
        if not item.is_section:
            if file == "index":
                return _from_item(site, item)
            module_dir = (item.page or "").rpartition("/")[0] or None
        else:
            pages = m.column_pages(item)
            for title, _, p in pages:
                if title in titles:
                    return _from_item(site, p)
            for _, stem, p in pages:
                if stem and _stem_matches(stem, file):
                    return _from_item(site, p)
            module_dir = m.section_dir(item)
    # Not in the nav: files beside the module's pages, then the path template.
    paths = []
    if module_dir is not None:
        paths += [f"{module_dir}/{file}.md", f"{module_dir}/{slug(module.name)}-{file}.md"]
    paths.append(_template(m, module, file))
    for path in paths:
        if file == "index":
            d = path.rpartition("/")[0]
            for name in INDEX_NAMES:
                cand = f"{d}/{name}" if d else name
                if cand in site.files:
                    return _Target(cand, None, cand in site.in_nav or not site.nav_known)
        if path in site.files:
            return _Target(path, None, path in site.in_nav or not site.nav_known)
    return _Target(paths[-1] if item is None else paths[0])


def _template(m: _Matcher, module: Module, file: str) -> str:
    group = slug(strip_suffix(module.group, m.s.group_slug_strip))
    try:
        path = m.s.path.format(group=group, module=slug(module.name), column=file)
    except (KeyError, IndexError, ValueError):
        path = f"{group}/{slug(module.name)}/{file}.md"
    return posixpath.normpath(path.lstrip("/"))


def _from_item(site: Site, item: NavItem) -> _Target:
    if item.url:
        return _Target(None, item, True, external=True)
    return _Target(item.page, item, True, missing=item.missing)


def _check_module(
    m: _Matcher,
    module: Module,
    gkey: str | None,
    place: _Place | None,
    differs: bool,
    cells: dict[tuple[str, str], CellPage],
    renamed: bool = False,
) -> None:
    site = m.site
    out = m.findings
    item = place.item if place else None
    base = {"group": module.group, "module": module.name, "roadmap_line": module.line}
    qualified = module.qualified
    is_page = m.is_page
    page_columns = [c for c in module.cells if is_page[c.column]]
    if len(page_columns) < len(module.cells):
        for c in module.cells:
            if not is_page[c.column]:
                cells[(qualified, c.column)] = CellPage("track")
    if item is None:
        # Not in the nav: is there a directory for it (the path template's)?
        probe = _template(m, module, "x")
        module_dir = probe.rpartition("/")[0]
        alias = m.s.aliases.modules.get(module.name)
        if alias and alias.strip("/") in m.dirs:
            module_dir = alias.strip("/")
        if module_dir not in m.dirs or not module_dir:
            ticked = [c.column for c in page_columns if _is_done(c)]
            for c in page_columns:
                cells[(module.qualified, c.column)] = CellPage("missing")
            if m.ignored(probe):
                return
            sev = ERROR if ticked else WARNING
            extra = f"; ticked: {', '.join(ticked)}" if ticked else ""
            out.append(
                Finding(
                    "module-missing",
                    sev,
                    f"{module.name} has no nav item and no directory "
                    f"({site.repo_path(module_dir or '.')}/){extra}",
                    **base,  # type: ignore[arg-type]  # fields spread from a dict[str, object] built for every finding
                    suggestion="write its pages, add it to the nav, or map it with an alias",
                )
            )
            return
        if site.nav_known:
            out.append(
                Finding(
                    "module-not-in-nav",
                    WARNING,
                    f"{module.name} is not in the nav; its pages are under "
                    f"{site.repo_path(module_dir)}/",
                    page=site.repo_path(module_dir),
                    **base,  # type: ignore[arg-type]  # fields spread from a dict[str, object] built for every finding
                    suggestion="add the module's section to the nav",
                )
            )
    else:
        nav = {"nav_line": item.line, "nav_file": item.source}
        if differs:
            out.append(
                Finding(
                    "module-name-differs",
                    WARNING,
                    f"module {module.name!r} is {item.title!r} in the nav",
                    **base,  # type: ignore[arg-type]  # fields spread from a dict[str, object] built for every finding
                    **nav,  # type: ignore[arg-type]  # fields spread from a dict[str, object] built for every finding
                    suggestion="use one name in both (or add drift.aliases.modules)",
                )
            )
        if (
            not renamed  # module-renamed says where it went
            and place is not None
            and place.group_key is not None
            and place.group_key != gkey
        ):
            other = place.group_item.title if place.group_item else place.group_key
            out.append(
                Finding(
                    "module-wrong-group",
                    WARNING,
                    f"{module.name} is in {module.group!r} in the roadmap but under {other!r} "
                    "in the nav",
                    **base,  # type: ignore[arg-type]  # fields spread from a dict[str, object] built for every finding
                    **nav,  # type: ignore[arg-type]  # fields spread from a dict[str, object] built for every finding
                    suggestion="move the row or the nav section so they agree",
                )
            )
    targets = m.targets
    for c in page_columns:
        t = targets.get((id(module), c.column)) or _column_target(m, module, c.column, item, gkey)
        state, reason = m.page_state(t)
        url = site.url(t.page) if t.page and state != "missing" else None
        cells[(qualified, c.column)] = _cell_page(m, t, state, reason, url)
        if m.ignore is not None and m.ignored(t.page):
            continue
        f = _cell_finding(m, module, c, t, state, reason, url)
        if f is not None:
            out.append(f)


def _cell_page(
    m: _Matcher, t: _Target, state: str, reason: str | None, url: str | None
) -> CellPage:
    site = m.site
    if t.external and t.item is not None:
        return CellPage("page", None, t.item.url)
    if state == "missing":
        return CellPage("missing", site.repo_path(t.page) if t.page else None)
    return CellPage(state, site.repo_path(t.page or ""), url if t.page else site.url(""), reason)


def _cell_finding(
    m: _Matcher,
    module: Module,
    c: Cell,
    t: _Target,
    state: str,
    reason: str | None,
    url: str | None,
) -> Finding | None:
    verdict = _cell_verdict(m, module, c, t, state, reason)
    if verdict is None:
        return None
    kind, severity, message, suggestion = verdict
    item = t.item
    return Finding(
        kind,
        severity,
        message,
        group=module.group,
        module=module.name,
        column=c.column,
        roadmap_line=c.line,
        page=m.site.repo_path(t.page) if t.page else None,
        nav_line=item.line if item else None,
        nav_file=item.source if item else None,
        url=url,
        suggestion=suggestion,
    )


class _Verdict(NamedTuple):
    kind: str
    severity: str
    message: str
    suggestion: str


def _cell_verdict(
    m: _Matcher, module: Module, c: Cell, t: _Target, state: str, reason: str | None
) -> _Verdict | None:
    """The cell's finding but where it is; None: box and page agree."""
    site = m.site
    name = f"{module.name} / {c.column}"
    page = site.repo_path(t.page) if t.page else None
    if c.state is CellState.DONE:
        if state == "missing":
            listed = f" (the nav lists {page}, which does not exist)" if t.missing else ""
            return _Verdict(
                kind="ticked-missing",
                severity=ERROR,
                message=f"{name} is ticked but has no page{listed}",
                suggestion=_case_hint(site, t)
                or (f"write {page}, or untick" if page else "untick"),
            )
        if state == "stub":
            return _Verdict(
                kind="ticked-stub",
                severity=ERROR,
                message=f"{name} is ticked but its page is a stub: {reason}",
                suggestion=f"finish {page}, or untick",
            )
        if not t.in_nav and t.page not in site.not_in_nav:
            return _Verdict(
                kind="ticked-not-in-nav",
                severity=WARNING,
                message=f"{name} is ticked and {page} is written, but the nav does not reach it",
                suggestion=f"add {t.page} to the nav",
            )
        return None
    if c.state is CellState.NA:
        if state == "page":
            return _Verdict(
                kind="na-but-page",
                severity=INFO,
                message=f"{name} is marked not applicable, but {page or 'a page'} is written",
                suggestion="tick it, or drop the page",
            )
        return None
    # open (a box not ticked, or any other state that is neither done nor n/a)
    if t.missing:
        return _Verdict(
            kind="nav-target-missing",
            severity=WARNING,
            message=f"the nav lists {page} for {name}, which does not exist "
            "(mkdocs build --strict fails)",
            suggestion=_case_hint(site, t) or f"write {page}, or fix the nav entry",
        )
    if state != "page":
        return None
    if t.in_nav or t.page in site.not_in_nav:
        return _Verdict(
            kind="open-but-ready",
            severity=WARNING,
            message=f"{name} is open, but its page is written and in the nav",
            suggestion="tick it",
        )
    return _Verdict(
        kind="open-not-in-nav",
        severity=INFO,
        message=f"{name} is open; {page} is written but not in the nav",
        suggestion=f"add {t.page} to the nav, then tick it",
    )


def _renamed(
    m: _Matcher,
    placed: list[tuple[Module, str | None, _Place | None, bool]],
    module_level: list[_Place],
    claimed: set[int],
    history: Callable[[], Sequence[Rename]] | None,
) -> list[tuple[int, _Place, Finding]]:
    """Rows that would be `module-missing` paired with the `module-not-in-roadmap` nav modules
    they became (renames.py decides): (index in `placed`, the nav module, `module-renamed`)."""
    site = m.site
    lost: list[Lost] = []
    for i, (module, _, place, _) in enumerate(placed):
        if place is not None or module.name in m.s.aliases.modules:
            continue  # found, or mapped by hand (a wrong alias is not a rename)
        probe = _template(m, module, "x")
        module_dir = probe.rpartition("/")[0]
        if (module_dir and module_dir in m.dirs) or m.ignored(probe):
            continue
        lost.append(Lost(i, module.name, slug(module.name)))
    if not lost:
        return []
    unnamed: list[Unnamed] = []
    places: dict[int, _Place] = {}
    for p in module_level:
        item = p.item
        if id(item) in claimed or item.url or p.group_item is None or m.all_ignored(item):
            continue
        d = m.section_dir(item) if item.is_section else (item.page or "").rpartition(".")[0]
        pages = frozenset(i.page for i in item.walk() if i.page)
        unnamed.append(Unnamed(id(item), item.title, d, pages))
        places[id(item)] = p
    if not unnamed:
        return []
    renames = history() if history is not None else ()  # git only when a pair may be made
    out: list[tuple[int, _Place, Finding]] = []
    for found in pair(lost, unnamed, renames, site.docs_dir):
        module, gkey, _, _ = placed[found.lost]
        place = places[found.unnamed]
        item = place.item
        title = item.title
        moved = place.group_key != gkey and place.group_item is not None
        where = f" under {place.group_item.title!r}" if moved and place.group_item else ""
        if found.commits:
            shas = ", ".join(c[:7] for c in found.commits[:3])
            how = f"renamed in {shas}: {_shown(site, found.old)} → {_shown(site, found.new)}"
        else:
            how = f"no nav item is named {module.name!r} and no row names {title!r}"
        ticked = [
            c.column for c in module.cells if m.column(c.column).kind == "page" and _is_done(c)
        ]
        group = m.group_keys.get(place.group_key or "")
        move = f" and move it to {group!r}" if moved and group else ""
        out.append(
            (
                found.lost,
                place,
                Finding(
                    "module-renamed",
                    ERROR if ticked else WARNING,
                    f"{module.name} is {title!r}{where} in the nav now ({how})",
                    group=module.group,
                    module=module.name,
                    roadmap_line=module.line,
                    page=site.repo_path(item.page) if item.page else None,
                    nav_line=item.line,
                    nav_file=item.source,
                    url=site.url(item.page) if item.page else None,
                    suggestion=f"rename the row to {title!r}{move}, or add drift.aliases.modules",
                ),
            )
        )
    return out


def _shown(site: Site, path: str | None) -> str:
    """A docs-relative directory as `docs/a/b/`, a page as `docs/a/b.md`."""
    path = path or ""
    is_page = "." in path.rpartition("/")[2]
    return site.repo_path(path) + ("" if is_page else "/")


def _case_hint(site: Site, t: _Target) -> str | None:
    """For a page the nav lists that does not exist: a file of that name in other case."""
    twin = site.case_twin(t.page) if t.missing and t.page else None
    if twin and twin != t.page:
        where = site.repo_path(twin)
        return f"the file is {where}: paths are case-sensitive on Linux (fine on macOS)"
    return None
