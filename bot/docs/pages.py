"""One docs page as drift needs it: its title and whether it is written or a stub.

Regular expressions, not a markdown parser: a site of 10,000 pages is read in one pass, and
what counts here (front matter, the first H1, comments, headings, words) is line-shaped.
"""

from __future__ import annotations

import re
import string
from typing import Any, NamedTuple

import yaml

from .config import SafeConfigLoader

STUB_STATUSES = frozenset({"stub", "draft", "placeholder", "wip", "todo"})
DONE_STATUSES = frozenset({"complete", "done", "ready"})
MD_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)[ \t#]*$", re.M)
_SETEXT_H1 = re.compile(r"^ {0,3}(\S[^\n]*)\n {0,3}=+[ \t]*$", re.M)
_PUNCT = string.punctuation + "–—…·•→←"
# A token with no letter or digit, in a line's tokens joined by single spaces and padded with
# one each side: str.split and re's \s both split on Py_UNICODE_ISSPACE, and a pattern that
# starts with a literal space is scanned for several times faster than one starting with \s.
_PUNCT_TOKEN = re.compile(r" [^\w\s]+ ")
_ATX_LINE = re.compile(r"#{1,6}(?:\s|$)")
_UNDERLINE = re.compile(r"(?:=+|-+)$")
_UNDERLINE_AT_START = re.compile(r"\n[=-]")  # a line that may underline a setext title
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_SNIPPET = re.compile(r"^\s*-{2,}8<-{2,}", re.M)
_MARKER = re.compile(
    r"\b(?:stub|placeholder|tbd|todo|coming soon|to be (?:written|documented|added)|wip"
    r"|lorem ipsum)\b",
    re.I,
)
_MARKER_WORDS = ("stub", "placeholder", "tbd", "todo", "coming soon", "to be ", "wip", "lorem")
_INLINE_MARKUP = re.compile(r"[*_`]+|\[([^\]]*)\]\([^)]*\)")
_MARKUP_CHAR = re.compile(r"[*_`\[]")


class Page(NamedTuple):
    """What drift knows of a page: title sources, words, and a stub reason (None: written).
    A named tuple: immutable, and cheaper to make than a frozen dataclass (one per page)."""

    path: str  # relative to docs_dir
    meta_title: str | None
    h1: str | None
    words: int
    stub: str | None  # why it is a stub, or None

    @property
    def title(self) -> str:
        return self.meta_title or self.h1 or file_title(self.path)


def file_title(path: str) -> str:
    """MkDocs' title for a page with no title of its own: the file name (an index page's
    directory name), dashes and underscores as spaces, capitalised when all lower case."""
    stem = path.rpartition("/")[2].rpartition(".")[0] or path
    if stem in ("index", "README"):
        parent = path.rpartition("/")[0]
        stem = parent.rpartition("/")[2] if parent else "Home"
    return dirname_to_title(stem)


def dirname_to_title(name: str) -> str:
    title = name.replace("-", " ").replace("_", " ")
    return title.capitalize() if title.lower() == title else title


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(front matter, the rest). Front matter that is not a mapping or not valid YAML is
    left as body text, as MkDocs' meta extension would."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    loader = SafeConfigLoader(m.group(1) or "")
    try:
        data = loader.get_single_data()
    except (yaml.YAMLError, RecursionError):
        return {}, text
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        return {}, text
    return data, text[m.end() :]


def _plain(markdown: str) -> str:
    if not _MARKUP_CHAR.search(markdown):
        return markdown.strip()  # no markup: most titles
    return _INLINE_MARKUP.sub(lambda m: m.group(1) or "", markdown).strip()


def read_page(
    path: str,
    data: bytes,
    *,
    min_words: int = 25,
    max_words_with_marker: int = 150,
    draft: bool = False,
) -> Page:
    """The page at `path` (docs-relative) from its bytes, with the stub rule of the spec."""
    text = data.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    meta, body = front_matter(text) if text.startswith("---") else ({}, text)
    meta_title = meta.get("title")
    meta_title = str(meta_title).strip() if isinstance(meta_title, str | int | float) else None
    # A pattern that starts with a literal is scanned for faster than `in` finds a short
    # substring in a long page, and `sub` gives back the same string when nothing matched.
    body = _COMMENT.sub("", body)
    h1 = None
    if "#" in body:
        h1m = _H1.search(body)
        h1 = _plain(h1m.group(1)) if h1m else None
    if h1 is None and _UNDERLINE_AT_START.search(body):
        setext = _SETEXT_H1.search(body)
        h1 = _plain(setext.group(1)) if setext else None
    content = _LINK_TARGET.sub("]", body)
    # Words past what the stub rule can use change nothing: count no further. Counting to the
    # marker limit first is cheaper than searching a long page for markers: a page of that
    # many words is no stub by word count or marker, so only shorter pages are searched.
    words = count_words(content, max(min_words, max_words_with_marker))
    marked = False
    if min_words <= words < max_words_with_marker:
        lower = content.lower()
        marked = any(w in lower for w in _MARKER_WORDS)
    status = str(meta.get("status", "")).strip().casefold() if meta else ""
    return Page(
        path,
        meta_title or None,
        h1 or None,
        words,
        stub_reason(status, draft, words, content, min_words, max_words_with_marker, marked),
    )


def count_words(text: str, limit: int | None = None) -> int:
    """Words outside headings: white-space separated tokens holding a letter or a digit
    ("don't" and "global-db.md" are one word each, a "-" or a "|" none). Line by line, as
    headings are lines: an ATX heading, or the text above a setext underline. Stops once
    `limit` words are certain (the count is then `limit` or a little more)."""
    words = 0
    last = 0  # words on the previous line, taken back when it turns out to be a heading
    fence = ""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            last = 0
            continue
        if fence:
            if stripped.startswith(fence):
                fence = ""
                last = 0
                continue
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            last = 0
            continue
        elif stripped[0] == "#" and _ATX_LINE.match(stripped):
            last = 0
            continue
        elif stripped[0] in "=-" and last and _UNDERLINE.match(stripped):
            words -= last
            last = 0
            continue
        tokens = stripped.split()
        n = len(tokens)
        if _PUNCT_TOKEN.search(f" {' '.join(tokens)} "):
            n = sum(1 for t in tokens if t.strip(_PUNCT))
        words += n
        last = n
        if limit is not None and words >= limit:
            following = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if not (following[:1] in ("=", "-") and _UNDERLINE.match(following)):
                return words
    return words


def stub_reason(
    status: str,
    draft: bool,
    words: int,
    content: str,
    min_words: int,
    max_words_with_marker: int,
    marked: bool = True,
) -> str | None:
    if status in DONE_STATUSES:
        return None  # a short page someone has declared finished ("No persistent state.")
    if status in STUB_STATUSES:
        return f"front matter says status: {status}"
    if draft:
        return "a draft_docs page"
    reason = None
    if words < min_words:
        reason = f"{words} word{'s' * (words != 1)} (fewer than {min_words})"
    elif marked and words < max_words_with_marker:
        marker = _MARKER.search(content)
        if marker:
            reason = f"{words} words and says {marker.group(0)!r}"
    if reason and "--8<--" in content and _SNIPPET.search(content):
        return None  # snippet includes are content from elsewhere
    return reason
