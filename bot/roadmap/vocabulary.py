"""Status vocabularies: which symbol in a cell means done, open, in progress or n/a.

A file's own legend wins over the built-in defaults, symbol by symbol. Legends are read in
the forms real files use: `✅ = Ready` lines anywhere; `- ✅ **Implemented**: …` items or
`⚪ Pending` lines under a Legend/Status/Key heading or a bold `**Documentation Status**`
line or a plain `Legend:` line; `Status key: [x] implemented, [~] partial, [ ] not
implemented` with any separator between items (also in a quote); and legend tables
(parse.py). The meaning is read from its words, a bold word's description when the word
says no state.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .model import CellState, Symbol, Vocabulary

DONE, OPEN, PROGRESS, NA = CellState.DONE, CellState.OPEN, CellState.PROGRESS, CellState.NA

# Without the emoji variation selector (U+FE0F): "✔️" and "✔" are one symbol.
DEFAULTS: tuple[tuple[str, CellState], ...] = (
    *((s, DONE) for s in ("[x]", "[X]", "✅", "✔", "✓", "☑", ":white_check_mark:")),
    *((s, DONE) for s in (":heavy_check_mark:", "🟢")),
    *((s, OPEN) for s in ("[ ]", "⚪", "⬜", "☐", "❌", "✗", ":x:", "🔴")),
    *((s, PROGRESS) for s in ("[~]", "🟡", "🟠", "🚧", "⏳")),
    *((s, NA) for s in ("-", "—", "–", "n/a", "[-]", "[N/A]")),
)
VS16 = "\ufe0f"

# What a legend's words say, tried in this order ("not implemented" before "implemented").
_WORDS: tuple[tuple[CellState, str], ...] = (
    (NA, "not applicable|n/?a|not needed|not required|out of scope|none|skip(ped)?|irrelevant"),
    (
        OPEN,
        "not|no|missing|todo|to do|pending|planned|backlog|unavailable|absent|open|undone"
        "|blocked|on hold|deferred",
    ),
    (
        PROGRESS,
        "partial(ly)?|in progress|progress|wip|ongoing|underway|started|in review|review"
        "|draft(ing)?|working|doing|incomplete|beta|some|limited",
    ),
    (
        DONE,
        "done|ready|implemented|complete[d]?|finished|shipped|yes|available|live|supported"
        "|documented|released|exists?|present|ok|pass(ed)?|full(y)?",
    ),
)
_MEANINGS = tuple((state, re.compile(rf"\b({words})\b")) for state, words in _WORDS)
_LEGEND_WORDS = re.compile(r"\b(legend|key|status|symbols?|icons?)\b", re.IGNORECASE)
# A symbol a legend may define: a box, a :shortcode:, or one pictograph (with its selector).
_SYMBOL = (
    r"(\[[^\]\s]{0,3}\]|\[ \]|:[a-z0-9_+-]+:"
    r"|[^\w\s\[\](){}<>*_`'\"#|,;:=.!?/\\-]\ufe0f?|—|–)"
)
_EQUALS = re.compile(rf"^\s*(?:[-*+]\s+)?{_SYMBOL}\s*=\s*(.+)$")
_ITEM = re.compile(rf"^\s*(?:[-*+]\s+)?{_SYMBOL}\s*(?:[=:–—-]\s*)?(\S.*)$")
# One `symbol = meaning` of several on a line ("Use these emojis: ✅ = ready, ⚪ = pending."):
# the meaning runs to the next separator, a sentence's end or the line's end.
_PAIR = re.compile(rf"(?:^|(?<=[\s,;:(|·])){_SYMBOL}\s*=\s*([^,;|·=]+?)\s*(?=[,;|·)]|\.(?:\s|$)|$)")
_KEY_LINE = re.compile(r"^\s*[*_]*(?:status\s+)?(?:key|legend)[*_]*\s*:[*_]*\s*(.+)$", re.I)
_KEY_ITEM = re.compile(rf"^\s*{_SYMBOL}\s*(?:[=:–—-]\s*)?(.+?)\s*$")
# Where one of several legend items starts on a line: a box, a :shortcode: or a pictograph
# after the line's start or a space ("[x] Done -- [ ] Not started", "✅ Complete • ❌ Missing").
_ITEM_START = re.compile(
    r"(?:^|(?<=[\s(]))"
    r"(?:\[[^\]\s]{0,3}\]|\[ \]|:[a-z0-9_+-]+:|[\u2190-\u2bff\U0001f000-\U0001faff])"
)
_ITEM_END = re.compile(r"[\s,;|·•/=:–—-]+$")
_MARKUP = re.compile(r"[*_`]+")


def key(symbol: str) -> str:
    """How symbols are compared: no variation selector, case-insensitive."""
    return symbol.replace(VS16, "").casefold()


def meaning_state(meaning: str) -> CellState | None:
    words = _MARKUP.sub("", meaning).casefold()
    for state, pattern in _MEANINGS:
        if pattern.search(words):
            return state
    return None


@dataclass(frozen=True, slots=True)
class LegendEntry:
    symbol: str
    meaning: str
    line: int


def legend_entries(line: str, number: int, in_legend: bool) -> list[LegendEntry]:
    """The legend entries one prose line defines (none for most lines). `in_legend`: the
    line sits under a Legend/Status heading or bold line, where `✅ Ready` is enough."""
    m = _KEY_LINE.match(line)
    if m:
        return _items(m[1], number)
    pairs = _PAIR.findall(line)
    if len(pairs) >= 2:  # one line, several symbols: each its own meaning, not the rest of it
        return [LegendEntry(symbol, _meaning(text), number) for symbol, text in pairs]
    m = _EQUALS.match(line) or (_ITEM.match(line) if in_legend else None)
    if m and in_legend and not _EQUALS.match(line):
        found = _items(line.lstrip(" \t-*+"), number)
        if len(found) >= 2:  # "✅ Complete • 📝 Needs Update • ❌ Missing" under a Legend title
            return found
    return [LegendEntry(m[1], _meaning(m[2]), number)] if m else []


def _items(text: str, number: int) -> list[LegendEntry]:
    """The `symbol meaning` items of one line, each running to the next symbol: what
    separates them ("·", "•", "--", ",", "|") is no part of a meaning."""
    starts = [m.start() for m in _ITEM_START.finditer(text)]
    found = []
    for a, z in zip(starts, [*starts[1:], len(text)], strict=True):
        # A comma ends the meaning: "[~] built + tested, deploy pending" is not "pending".
        im = _KEY_ITEM.match(_ITEM_END.sub("", re.split(r"[,;]", text[a:z], maxsplit=1)[0]))
        if im:
            found.append(LegendEntry(im[1], _meaning(im[2]), number))
    return found


def _meaning(text: str) -> str:
    """The legend's word for a symbol: the bold part of `**Implemented**: …`, else the text
    up to a colon or dash."""
    bold = re.match(r"^\s*(\*\*|__)(.+?)\1", text)
    if bold:
        word = bold[2].strip()
        if meaning_state(word) is not None:
            return word
        # "🟡 **Placeholder** - Directory structure created, not implemented": the bold word
        # says nothing of the state, the description does.
        rest = re.sub(r"^[\s:=–—-]+", "", _MARKUP.sub("", text[bold.end() :])).strip()
        return f"{word}: {rest}" if rest else word
    return re.split(r"\s*(?::\s|\s[–—-]\s|\()", _MARKUP.sub("", text), maxsplit=1)[0].strip()


_TITLE_LINE = re.compile(r"^\s*[*_]*(?:status\s+)?(?:legend|key)[*_]*\s*:[*_]*\s*$", re.I)


def is_title_line(line: str) -> bool:
    """A line that is only `Legend:` (a list of its items follows)."""
    return ":" in line and bool(_TITLE_LINE.match(line))


def split_symbol(cell: str) -> tuple[str, str] | None:
    """(symbol, the words after it) of a legend cell such as `✅ **Implemented**`."""
    m = _KEY_ITEM.match(cell)
    if m is None or not _ITEM_START.match(m[1]):
        return None
    return m[1], _meaning(m[2])


def is_legend_title(text: str) -> bool:
    return bool(_LEGEND_WORDS.search(text))


def build(entries: list[LegendEntry]) -> Vocabulary:
    """The vocabulary of a file whose legend has `entries`: each entry whose meaning can be
    read, then every default symbol the legend does not redefine."""
    symbols: list[Symbol] = []
    seen: set[str] = set()
    for e in entries:
        state = meaning_state(e.meaning)
        k = key(e.symbol)
        if state is None or k in seen:
            continue
        seen.add(k)
        symbols.append(Symbol(e.symbol.replace(VS16, ""), state, e.meaning, e.line))
    for text, state in DEFAULTS:
        if key(text) not in seen:
            symbols.append(Symbol(text, state, state.value))
    return Vocabulary(tuple(symbols))


DEFAULT = build([])


class Reader:
    """Reads the status at the start of a cell's text, for one vocabulary."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.states = {key(s.text): s.state for s in vocabulary.symbols}
        alternatives = []
        for s in sorted(vocabulary.symbols, key=lambda s: -len(s.text)):
            text = s.text.replace(VS16, "")
            pattern = re.escape(text) + "\ufe0f?"
            if text[-1:].isalnum() or text in ("-", "—", "–"):
                pattern += r"(?![\w/-])"  # "n/a" is not "n/ab"; "-" is not "-5"
            alternatives.append(pattern)
        # A "- [ ]" inside a cell is a box too.
        self.pattern = re.compile(r"(?:[-*+][ \t]+)?(" + "|".join(alternatives) + ")", re.I)
        self.cache: dict[str, Any] = {"": (NA, 0, 0)}  # cell -> read(cell)

    def read(self, cell: str) -> tuple[CellState, int, int] | None:
        """(state, start, end of the symbol in `cell`), or None when the cell does not
        start with a status symbol."""
        found = self.cache.get(cell, MISS)
        if found is not MISS:
            return found  # the cache holds only read()'s answers
        m = self.pattern.match(cell)
        result = (self.states[key(m[1])], m.start(1), m.end(1)) if m else None
        if len(self.cache) < 50_000:
            self.cache[cell] = result
        return result


MISS = object()


@lru_cache(maxsize=32)
def reader(vocabulary: Vocabulary) -> Reader:
    return Reader(vocabulary)


def looks_like_symbol(text: str) -> bool:
    """A lone pictograph (for telling a legend table's symbol column)."""
    t = text.replace(VS16, "").strip()
    return len(t) == 1 and unicodedata.category(t)[0] == "S"


def starts_with_symbol(text: str) -> bool:
    """Whether `text` starts with a box, a :shortcode: or a pictograph."""
    return _ITEM_START.match(text) is not None
