"""Text for Block Kit: escaping, progress bars, truncation that respects Slack's limits.

Slack treats `&`, `<` and `>` as control characters in every text object, so anything that
comes from the roadmap file or from a user goes through `escape` (a module called
`<!channel>` must ping nobody). In mrkdwn, `*`, `_`, `~` and backticks also format, and
Slack documents no escape for them (a backslash shows, entities other than the three show
as typed, and a zero-width space next to one makes it format more, not less). So
`escape` wraps each one that could format in a date token whose format is invalid:
`<!date^00000000^{_}|*>`, which Slack shows as its fallback text, unformatted -- the
technique jsx-slack's <Escape> uses. One between two letters or digits (`snake_case`,
`2*3`) cannot format and stays as typed. `plain_text` shows no mrkdwn, so `kit.plain`
undoes the wrapping (`unformat`); a link's label cannot hold a token, so `label` swaps
look-alikes in. Truncation counts UTF-16 code units: never fewer than Python's
characters, so a text that fits here fits in Slack however it counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from markdown_it import MarkdownIt

ELLIPSIS = "…"
FULL = "▓"
EMPTY = "░"
NAME = 80  # a name in a list is cut to this

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ESCAPE_RE = re.compile("[&<>]")
# The three control characters; a formatting character that is not between two ASCII
# letters/digits (Slack formats only at a word's edge); a backtick always (a code span
# needs no word edge). A `>` starting a line also gets a soft hyphen (a quote, even as &gt;).
_MRKDWN_RE = re.compile(r"[&<>`]|(?<![A-Za-z0-9])[*_~]|[*_~](?![A-Za-z0-9])")
_LITERAL = "<!date^00000000^{{_}}|{}>"
_LITERAL_RE = re.compile(r"<!date\^00000000\^\{_\}\|([*_~`])>")
SOFT_HYPHEN = "\u00ad"  # invisible; keeps a leading "&gt;" from starting a quote
# In a link's label a token cannot nest: similar-looking characters stand in.
_LOOKALIKE = {"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"}
_INLINE = MarkdownIt("commonmark")
_ABSOLUTE_URL = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)


def slack_len(s: str) -> int:
    """Length as Slack may count it (UTF-16 units); >= len(s)."""
    if s.isascii():
        return len(s)
    # Astral characters are two units; "surrogatepass" counts a lone surrogate as one.
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def _literal(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _ESCAPES:
        at_line_start = ch == ">" and (m.start() == 0 or m.string[m.start() - 1] == "\n")
        return SOFT_HYPHEN + "&gt;" if at_line_start else _ESCAPES[ch]
    return _LITERAL.format(ch)


def escape(s: str) -> str:
    """`s` shown literally in mrkdwn (and, through `kit.plain`, in plain_text): &, < and >
    as entities (Slack decodes exactly those three), and each `*`, `_`, `~`, backtick that
    could format wrapped so that it does not."""
    return _MRKDWN_RE.sub(_literal, s)


def escape_entities(s: str) -> str:
    """Only &, < and >: for a URL or an inline code span, where nothing else formats."""
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], s)


def unformat(text: str) -> str:
    """escaped mrkdwn as plain_text: the literal wrappers undone, entities kept (Slack
    decodes them in plain_text too)."""
    if "<!date^" not in text and SOFT_HYPHEN not in text:
        return text
    return _LITERAL_RE.sub(r"\1", text).replace(SOFT_HYPHEN + "&gt;", "&gt;")


def label(text: str) -> str:
    """escaped mrkdwn usable as the label of <url|label>: wrappers become look-alikes."""
    if "<!date^" not in text:
        return text
    return _LITERAL_RE.sub(lambda m: _LOOKALIKE[m.group(1)], text)


def code(s: str) -> str:
    """`s` inside backticks: nothing formats there, but a backtick would end the span."""
    return escape_entities(s).replace("`", _LOOKALIKE["`"])


def fit(raw: str, limit: int) -> str:
    """escape(raw), cut on a character of `raw` (never inside an entity or a wrapper) so
    the result has at most `limit` units, ending with "…" when cut."""
    out = escape(raw)
    if slack_len(out) <= limit:
        return out
    budget = limit - slack_len(ELLIPSIS)
    # Escaping depends on neighbours: measure each character as escaped within the whole,
    # then re-escape the kept prefix (its last character now ends the text) and back off.
    pieces = list(raw)
    for m in _MRKDWN_RE.finditer(raw):
        pieces[m.start()] = _literal(m)
    used = keep = 0
    for piece in pieces:
        used += slack_len(piece)
        if used > budget:
            break
        keep += 1
    while True:
        out = escape(raw[:keep]).rstrip()
        if slack_len(out) <= budget or keep == 0:
            return out + ELLIPSIS
        keep -= 1


def truncate(text: str, limit: int) -> str:
    """Already-formatted mrkdwn cut to `limit` units, backing off so that an entity
    (`&amp;`) or a link/mention (`<url|text>`) is never cut in half."""
    if slack_len(text) <= limit:
        return text
    budget = limit - slack_len(ELLIPSIS)
    cut = text[:budget]
    while slack_len(cut) > budget:  # astral characters count twice
        cut = cut[:-1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    lt = cut.rfind("<")
    if lt != -1 and ">" not in cut[lt:]:
        cut = cut[:lt]
    return cut.rstrip() + ELLIPSIS


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def percent(done: int, total: int) -> int:
    """Floor, like Readiness.percent: 99.9% is not "100%"; nothing to do counts as done."""
    return done * 100 // total if total else 100


def bar(done: int, total: int, width: int = 10) -> str:
    """Just the blocks: "▓▓▓░░░░░░░". Any progress shows at least one block and anything
    unfinished at least one empty one, so the bar never rounds to a lie."""
    if width <= 0:
        return ""
    filled = done * width // total if total else width
    if total and done > 0 and filled == 0:
        filled = 1
    if total and done < total and filled == width:
        filled = width - 1
    return FULL * filled + EMPTY * (width - filled)


def progress_bar(done: int, total: int, width: int = 10) -> str:
    """ "▓▓▓▓░░░░░░ 3/7 · 42%"."""
    return f"{bar(done, total, width)} {done}/{total} · {percent(done, total)}%"


def readiness_line(done: int, total: int, width: int = 10) -> str:
    """ "`▓▓▓▓░░░░░░` 3/7 · 42%" for mrkdwn: backticks keep the bar's blocks aligned."""
    return f"`{bar(done, total, width)}` {done}/{total} · {percent(done, total)}%"


SENT_PER_SHOWN = 8  # a name may be sent this many times longer than it shows, no more


def name(s: str, limit: int = NAME) -> str:
    """An escaped name from the file, cut to `limit` characters as a person sees them (80 by
    default: in a list, one 2,000-character name must not crowd out every other line).
    Counted as shown, not as sent: each wrapper keeping a `*` literal is ~26 units, so a
    sent-length cut left `*bold* _x_ …` as "*bold…". As sent it stays within 8x `limit`."""
    shown = s if len(s) <= limit else s[: max(0, limit - 1)].rstrip() + ELLIPSIS
    out = escape(shown)
    if slack_len(out) > limit * SENT_PER_SHOWN:
        return fit(s, limit * SENT_PER_SHOWN)
    return out


def join_names(names: Iterable[str], limit: int, shown: int = 5) -> str:
    """Escaped names joined with ", ", at most `shown` of them, then "and N more";
    the whole within `limit` units."""
    names = list(names)
    head = names[:shown]
    while True:
        rest = len(names) - len(head)
        tail = f" and {rest} more" if rest else ""
        each = max(8, (limit - slack_len(tail)) // max(1, len(head)) - 2)
        text = ", ".join(name(n, each) for n in head) + tail
        if slack_len(text) <= limit or len(head) <= 1:
            return truncate(text, limit)
        head = head[:-1]


def mrkdwn_from_markdown(md: str) -> str:
    """One line of the roadmap's markdown as Slack mrkdwn: links [t](u) become <u|t>,
    **bold** *bold*, _em_ _em_, `code` stays; every text escaped. Relative links (a path
    next to the roadmap file) mean nothing in Slack, so only their text is kept."""
    tokens = _INLINE.parseInline(md)
    children = (tokens[0].children or []) if tokens else []
    out: list[str] = []
    link_stack: list[tuple[str | None, int]] = []
    for tok in children:
        t = tok.type
        if t == "text":
            out.append(escape(tok.content))
        elif t == "code_inline":
            out.append(f"`{code(tok.content)}`")
        elif t in ("softbreak", "hardbreak"):
            out.append(" ")
        elif t in ("strong_open", "strong_close"):
            out.append("*")
        elif t in ("em_open", "em_close"):
            out.append("_")
        elif t == "html_inline":
            out.append(escape(tok.content))
        elif t == "link_open":
            href = str(tok.attrs.get("href", ""))
            link_stack.append((href if _ABSOLUTE_URL.match(href) else None, len(out)))
        elif t == "link_close" and link_stack:
            target, start = link_stack.pop()
            text = "".join(out[start:]) or escape(target or "")
            del out[start:]
            out.append(f"<{link_target(target)}|{label(text)}>" if target else text)
        elif t == "image":
            out.append(escape(tok.content))
    return "".join(out).strip()


def link_target(url: str) -> str:
    """A URL usable inside <url|text>: `|` would end the URL early, so it is encoded."""
    return escape_entities(url.replace("|", "%7C").replace(" ", "%20"))


def link(url: str, text: str) -> str:
    """<url|text> for an absolute URL; otherwise just the escaped text and url."""
    if _ABSOLUTE_URL.match(url):
        return f"<{link_target(url)}|{label(fit(text, 200))}>"
    return fit(f"{text} {url}".strip(), 300)


def ago(when: datetime, now: datetime) -> str:
    """ "3 days ago". A naive datetime is taken as UTC so a mix of both never raises."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    seconds = int((now - when).total_seconds())
    if seconds < 60:  # also clock skew: a commit "in the future" was just made
        return "just now"
    minutes = seconds // 60
    if minutes < 60:
        return f"{plural(minutes, 'minute')} ago"
    hours = minutes // 60
    if hours < 24:
        return f"{plural(hours, 'hour')} ago"
    days = hours // 24
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    if days < 365:
        return f"{days // 30} months ago"
    return f"{plural(days // 365, 'year')} ago"
