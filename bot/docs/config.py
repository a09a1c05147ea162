"""mkdocs.yml (or zensical.toml) and the ``drift:`` section of .roadmap-bot.yml, read safely.

MkDocs has no stable public API, and its ``load_config`` imports every plugin, theme and hook
(Python files from the docs repo). ``yaml.Loader`` would run ``!!python/object/apply:``. So the
file is read with a ``yaml.SafeLoader`` subclass that knows ``!ENV`` (pyyaml-env-tag's rules)
and turns every other tag into an opaque placeholder; nothing is imported or executed.
``INHERIT`` is merged the way MkDocs merges it (mergedeep: mappings merge, the rest replaces).
The nav is read from the composed nodes, so every entry keeps its line.
"""

from __future__ import annotations

import functools
import posixpath
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import SettingsError

from .tree import Tree

MAX_CONFIG_BYTES = 1 << 20
MAX_NAV_NODES = 100_000
MAX_INHERIT_DEPTH = 20
CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml", "zensical.toml")


class DocsConfigError(SettingsError):
    """A site config or .roadmap-bot.yml that cannot be read: one line, file and line."""


@dataclass(frozen=True, slots=True)
class Opaque:
    """A tagged value that is never resolved (``!!python/name:…``, ``!relative``, ``!include``)."""

    tag: str
    value: Any = None


@dataclass(frozen=True, slots=True)
class Note:
    """Something about the config a person should hear (becomes a warning finding)."""

    kind: str  # config-env, nav-include, nav-form
    message: str
    file: str
    line: int | None = None


class NavEntry(NamedTuple):
    """One item of the nav as written: a page or link (``target``) or a section (``children``).
    A named tuple, not a frozen dataclass: as immutable, and three times cheaper to make (a
    big site's nav has tens of thousands of entries)."""

    title: str | None
    target: str | None = None
    children: tuple[NavEntry, ...] | None = None
    line: int | None = None
    tag: str | None = None  # an opaque tag on the item (e.g. !include): not read


@dataclass(frozen=True, slots=True)
class SiteConfig:
    path: str  # repo-relative path of the config file
    docs_dir: str  # repo-relative, "" for the repo root
    nav: tuple[NavEntry, ...] | None
    nav_file: str
    site_url: str | None = None
    use_directory_urls: bool = True
    exclude_docs: str = ""
    draft_docs: str = ""
    not_in_nav: str = ""
    plugins: tuple[str, ...] = ()
    plugin_options: Mapping[str, Any] = field(default_factory=dict)
    absolute_links_to_docs: bool = False
    notes: tuple[Note, ...] = ()


# --- YAML ------------------------------------------------------------------------------------


# libyaml's parser when PyYAML has it (a nav of 10,000 pages: ~15x faster); the constructor is
# SafeConstructor either way.
_SAFE_BASE: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SafeConfigLoader(_SAFE_BASE):
    """SafeLoader plus ``!ENV``; every other tag an :class:`Opaque`. ``env`` is given, never
    read from the process, so the reading stays a pure function of its inputs."""

    env: Mapping[str, str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        # Fast path for the common plain scalar ("Overview", "modules/x/api.md"): no implicit
        # type (bool, int, null, …) starts with its first character. Same answer, fewer calls.
        if (
            kind is yaml.ScalarNode
            and implicit[0]
            and value
            and value[0] not in _IMPLICIT_FIRST
            and not self.yaml_path_resolvers
        ):
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)


def _construct_env(loader: SafeConfigLoader, node: yaml.Node) -> Any:
    # pyyaml-env-tag: the first variable set wins, its value typed implicitly; else the last
    # item of a list of two or more is the default (typed); else null.
    default = None
    if isinstance(node, yaml.ScalarNode):
        names = [loader.construct_scalar(node)]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
        if len(children) > 1:
            default = loader.construct_object(children[-1])
            children = children[:-1]
        names = [loader.construct_scalar(c) for c in children]
    else:
        raise yaml.constructor.ConstructorError(
            None, None, "!ENV takes a name or a list of names", node.start_mark
        )
    for name in names:
        if name in loader.env:
            value = loader.env[str(name)]
            tag = loader.resolve(yaml.ScalarNode, value, (True, False))
            return loader.construct_object(yaml.ScalarNode(tag, value))
    return default


def _construct_opaque(loader: SafeConfigLoader, suffix: Any, node: Any = None) -> Opaque:
    if node is None:  # add_constructor(None, …) passes (loader, node)
        node, suffix = suffix, ""
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        value: Any = node.value
    elif isinstance(node, yaml.SequenceNode):
        value = len(node.value)
    else:
        value = None
    return Opaque(str(tag), value)


_IMPLICIT_FIRST = frozenset(k for k in SafeConfigLoader.yaml_implicit_resolvers if k) | {None}
SafeConfigLoader.add_constructor("!ENV", _construct_env)
SafeConfigLoader.add_multi_constructor("!", _construct_opaque)
SafeConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _construct_opaque)
SafeConfigLoader.add_constructor(None, _construct_opaque)


def decode_text(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise DocsConfigError(f"{file}:{line}: not UTF-8 text") from None


def _construct(loader: SafeConfigLoader, node: yaml.Node, lazy: tuple[str, ...]) -> Any:
    """The document's data; top-level keys in `lazy` (the nav) are read from the nodes by
    the caller, so they are constructed as a mere marker (True, or None when null)."""
    if not lazy or not isinstance(node, yaml.MappingNode):
        return loader.construct_document(node)
    kept, skipped = [], {}
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value in lazy and v.tag != "!ENV":
            skipped[k.value] = v
        else:
            kept.append((k, v))
    data = loader.construct_document(yaml.MappingNode(node.tag, kept, node.start_mark))
    if isinstance(data, dict):
        for key, v in skipped.items():
            data[key] = None if v.tag == "tag:yaml.org,2002:null" else True
    return data


def load_yaml(
    text: str, file: str, env: Mapping[str, str], lazy: tuple[str, ...] = ()
) -> tuple[Any, yaml.Node | None]:
    """The document's data and its composed node. Raises DocsConfigError (file:line)."""
    loader = SafeConfigLoader(text)
    loader.env = env
    try:
        node = loader.get_single_node()
        data = _construct(loader, node, lazy) if node is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{file}:{mark.line + 1}" if mark else file
        problem = err.problem or err.context or "not valid YAML"
        raise DocsConfigError(f"{where}: {problem}") from None
    except yaml.YAMLError as err:
        raise DocsConfigError(f"{file}: {str(err).splitlines()[0]}") from None
    except RecursionError:
        raise DocsConfigError(f"{file}: nested too deeply to read") from None
    finally:
        loader.dispose()
    return data, node


def _read_limited(tree: Tree, path: str, what: str = "config") -> bytes:
    size = tree.size(path)
    if size is None:
        raise DocsConfigError(f"{path}: no such file")
    if size > MAX_CONFIG_BYTES:
        raise DocsConfigError(
            f"{path}: {what} is {size:,} bytes; the limit is {MAX_CONFIG_BYTES:,} (1 MiB)"
        )
    data = tree.read(path)
    if data is None:
        raise DocsConfigError(f"{path}: cannot be read")
    return data


def deep_merge(base: Any, override: Any, budget: list[int] | None = None) -> Any:
    """mergedeep's REPLACE strategy, as MkDocs' INHERIT uses it: mappings merge key by key,
    lists and scalars replace. ``budget`` bounds the work (an alias bomb of mappings)."""
    budget = budget if budget is not None else [MAX_NAV_NODES]
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    merged = dict(base)
    for key, value in override.items():
        budget[0] -= 1
        if budget[0] < 0:
            raise DocsConfigError("INHERIT: the configs are too large to merge (an alias bomb?)")
        merged[key] = deep_merge(merged[key], value, budget) if key in merged else value
    return merged


def _mapping_value_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


# --- the nav ---------------------------------------------------------------------------------


class _Counter:
    def __init__(self, file: str) -> None:
        self.left = MAX_NAV_NODES
        self.file = file
        # The sections being read, outermost first: an alias to one of them is a nav that
        # contains itself (`nav: &n [..., more: *n]`), which would recurse without end.
        self.open: set[int] = set()

    def tick(self, line: int | None) -> None:
        self.left -= 1
        if self.left < 0:
            where = f"{self.file}:{line}" if line else self.file
            raise DocsConfigError(
                f"{where}: nav has more than {MAX_NAV_NODES:,} entries (an alias bomb?)"
            )


def _scalar(node: yaml.ScalarNode, env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(text, opaque tag) of a scalar nav node."""
    if node.tag == "!ENV":
        loader = SafeConfigLoader("")
        loader.env = env
        value = _construct_env(loader, node)
        return (None if value is None else str(value)), None
    if node.tag.startswith("!") or node.tag.startswith("tag:yaml.org,2002:python/"):
        return node.value or None, node.tag
    if node.tag == "tag:yaml.org,2002:null":
        return None, None
    return str(node.value), None


_STR_TAG = "tag:yaml.org,2002:str"


def _key_title(node: yaml.Node, env: Mapping[str, str]) -> str | None:
    """The title a nav key gives, as MkDocs' loader makes it: most keys are plain text; an
    `!ENV` key is the variable's value (or its default), and an implicitly typed one is that
    type as text (`1.10:` is the float 1.1, `Yes:` is True, `null:` no title)."""
    if node.tag == _STR_TAG:
        return str(node.value)
    if node.tag != "!ENV" and not node.tag.startswith("tag:yaml.org,2002:"):
        return str(node.value) if isinstance(node, yaml.ScalarNode) else None  # opaque
    if not isinstance(node, yaml.ScalarNode) and node.tag != "!ENV":
        return None  # a mapping or list as a key: YAML cannot hash it
    loader = SafeConfigLoader("")
    loader.env = env
    try:
        value = loader.construct_object(node, deep=True)
    except (yaml.YAMLError, TypeError, ValueError):
        return str(node.value) if isinstance(node, yaml.ScalarNode) else None
    finally:
        loader.dispose()
    return None if value is None or isinstance(value, list | dict) else str(value)


@functools.lru_cache(maxsize=4096)  # a big nav repeats its titles (Overview, API, ...)
def _implicit_tag(text: str) -> str:
    """The tag YAML resolves a plain scalar `text` to (str for most titles)."""
    for tag, regexp in SafeConfigLoader.yaml_implicit_resolvers.get(text[0], ()):
        if regexp.match(text):
            return str(tag)
    return _STR_TAG


def nav_from_node(
    node: yaml.Node, file: str, env: Mapping[str, str], notes: list[Note]
) -> tuple[NavEntry, ...]:
    counter = _Counter(file)
    try:
        return _entries(node, file, env, notes, counter, top=True)
    except RecursionError:  # hundreds of levels: YAML composed it, walking it takes more
        raise DocsConfigError(f"{file}: the nav is nested too deeply to read") from None


def _entries(
    node: yaml.Node,
    file: str,
    env: Mapping[str, str],
    notes: list[Note],
    counter: _Counter,
    top: bool = False,
) -> tuple[NavEntry, ...]:
    line = node.start_mark.line + 1
    counter.tick(line)
    if id(node) in counter.open:
        raise DocsConfigError(f"{file}:{line}: the nav contains itself (a recursive alias)")
    counter.open.add(id(node))
    try:
        return _section(node, file, env, notes, counter, line)
    finally:
        counter.open.discard(id(node))


def _section(
    node: yaml.Node,
    file: str,
    env: Mapping[str, str],
    notes: list[Note],
    counter: _Counter,
    line: int,
) -> tuple[NavEntry, ...]:
    if isinstance(node, yaml.SequenceNode):
        out: list[NavEntry] = []
        for child in node.value:
            out.extend(_item(child, file, env, notes, counter))
        return tuple(out)
    if isinstance(node, yaml.MappingNode):
        notes.append(
            Note(
                "nav-form",
                "a mapping where MkDocs expects a list of items (accepted, as MkDocs does with "
                "a warning); write each item as '- Title: page.md'",
                file,
                line,
            )
        )
    return tuple(_item(node, file, env, notes, counter))


def _item(
    node: yaml.Node, file: str, env: Mapping[str, str], notes: list[Note], counter: _Counter
) -> list[NavEntry]:
    line = node.start_mark.line + 1
    counter.tick(line)
    if isinstance(node, yaml.ScalarNode):
        text, tag = _scalar(node, env)
        if tag == "!include":
            notes.append(
                Note("nav-include", f"nav includes {text!r}: that sub-site is not read", file, line)
            )
        return [NavEntry(None, text, None, line, tag)] if text or tag else []
    if isinstance(node, yaml.MappingNode):
        out: list[NavEntry] = []
        for key, value in node.value:
            kline = key.start_mark.line + 1
            title = _key_title(key, env)
            if isinstance(value, yaml.ScalarNode):
                text, tag = _scalar(value, env)
                if tag == "!include":
                    notes.append(
                        Note(
                            "nav-include",
                            f"nav includes {text!r}: that sub-site is not read",
                            file,
                            kline,
                        )
                    )
                if text is None and tag is None:
                    out.append(NavEntry(title, None, (), kline))
                else:
                    out.append(NavEntry(title, text, None, kline, tag))
                counter.tick(kline)
            else:
                out.append(NavEntry(title, None, _entries(value, file, env, notes, counter), kline))
        return out
    return list(_entries(node, file, env, notes, counter))


def nav_from_data(data: Any, file: str, notes: list[Note]) -> tuple[NavEntry, ...]:
    """The nav of a TOML config (no line numbers there)."""
    counter = _Counter(file)

    def items(obj: Any) -> list[NavEntry]:
        counter.tick(None)
        if isinstance(obj, str):
            return [NavEntry(None, obj)]
        if isinstance(obj, list):
            return [e for o in obj for e in items(o)]
        if isinstance(obj, dict):
            out = []
            for k, v in obj.items():
                if isinstance(v, str):
                    out.append(NavEntry(str(k), v))
                else:
                    out.append(NavEntry(str(k), None, tuple(items(v))))
            return out
        return []

    if isinstance(data, dict):
        notes.append(Note("nav-form", "nav is a table where a list is expected (accepted)", file))
    return tuple(items(data))


# --- the nav, the fast way ------------------------------------------------------------------

# A big site's nav is thousands of lines of `- Title: path.md` and `- Title:`, and building
# YAML nodes for them is most of reading mkdocs.yml. When the nav block holds nothing else,
# it is read line by line here, and the rest of the file (the nav's lines left blank, so line
# numbers hold) by the YAML reader. Anything this reader does not know for certain (quotes,
# tags, anchors, flow style, comments after values, tabs, odd indentation, multi-line
# scalars) sends the whole file to the YAML reader: the answer is the same either way.

_NAV_KEY_LINE = re.compile(r"nav: *\r?$")
_NAV_ITEM = re.compile(r"( *)- ([^ ].*?) *$")
# Characters YAML allows in a plain scalar (printable; no tab, no BOM, no line break: YAML
# 1.1 also breaks lines at U+0085, U+2028 and U+2029).
_NOT_PLAIN = re.compile(
    r"[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# `- Title:` or `- Title: path.md` in characters that need none of the checks below (no colon
# or hash; a title starts with a letter or digit and ends in no space; a path is one token).
_NAV_SIMPLE = re.compile(
    r"( *)- ([A-Za-z0-9](?:[A-Za-z0-9_ .()/&'-]{0,900}[A-Za-z0-9_.()/&'-])?):"
    r"(?: +([A-Za-z0-9_./][A-Za-z0-9_./-]*))? *"
)
_NAV_SIMPLE_LINES = re.compile(rf"^{_NAV_SIMPLE.pattern}$", re.M)
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_NULLS = frozenset({"~", "null", "Null", "NULL"})


def _plain_scalar(text: str, key: bool) -> bool:
    """`text` is certainly one plain scalar on one line (a key: no colon at all)."""
    return bool(
        text
        and len(text) < 1000  # a simple key is at most 1024 characters
        and text[0] not in _INDICATORS
        and text[-1] not in " :"
        and " #" not in text
        and (":" not in text if key else ": " not in text)
    )


def _quick_nav(text: str) -> tuple[str, int, tuple[NavEntry, ...]] | None:
    """(the text with the nav block blanked, the ``nav:`` line's index, the nav) for a
    block-style nav of plain items; None when the YAML reader must do it."""
    if "nav:" not in text:
        return None
    lines = text.split("\n")
    at = [i for i, line in enumerate(lines) if line.startswith(("nav:", "nav ", '"nav', "'nav"))]
    if len(at) != 1 or not _NAV_KEY_LINE.match(lines[at[0]]):
        return None
    start = end = at[0] + 1
    while end < len(lines):
        line = lines[end].rstrip("\r")
        if line and line[0] not in " #-":
            break  # the next top-level key
        end += 1
    block = "\n".join(line.removesuffix("\r") for line in lines[start:end])
    if _NOT_PLAIN.search(block):
        return None
    # (line number, indent, key or None, value or None)
    records: list[tuple[int, int, str | None, str | None]] = []
    core = block.rstrip("\n")
    simple_lines = _NAV_SIMPLE_LINES.findall(core)
    if len(simple_lines) == core.count("\n") + 1:  # every line simple: matched in one pass
        records = [
            (n, len(indent), key, value or None)
            for n, (indent, key, value) in enumerate(simple_lines, start + 1)
        ]
    for n, line in enumerate(() if records else block.split("\n"), start + 1):
        simple = _NAV_SIMPLE.fullmatch(line)
        if simple is not None:  # most lines: `- Title:` or `- Title: path.md`, nothing odd
            records.append((n, len(simple[1]), simple[2], simple[3]))
            continue
        bare = line.lstrip(" ")
        if not bare or bare[0] == "#":
            continue  # a blank or comment line
        m = _NAV_ITEM.fullmatch(line)
        if m is None:
            return None
        body = m.group(2)
        if body[-1] == ":":
            key, value = body[:-1], None
        elif ": " in body:
            key, _, value = body.partition(": ")
            value = value.lstrip(" ")
            if not _plain_scalar(value, key=False):
                return None
        else:
            key, value = None, body
            if not _plain_scalar(value, key=False):
                return None
        if key is not None and not _plain_scalar(key, key=True):
            return None
        records.append((n, len(m.group(1)), key, value))
    if not records or 2 * len(records) + 2 >= MAX_NAV_NODES:
        return None  # empty (null), or large enough that the YAML reader should count
    for record in records:  # a key YAML reads as a number, bool, date: the YAML reader
        key = record[2]
        if key is not None and key[0] in _IMPLICIT_FIRST and _implicit_tag(key) != _STR_TAG:
            return None
    nav, pos = _quick_seq(records, 0, records[0][1])
    if nav is None or pos != len(records):
        return None
    blanked = lines[:start] + [""] * (end - start) + lines[end:]
    return "\n".join(blanked), at[0], nav


def _quick_seq(
    records: list[tuple[int, int, str | None, str | None]], pos: int, col: int
) -> tuple[tuple[NavEntry, ...] | None, int]:
    """The items at indent `col` from `records[pos]` on (None: not certainly YAML's reading)."""
    out: list[NavEntry] = []
    while pos < len(records) and records[pos][1] == col:
        line, _, key, value = records[pos]
        pos += 1
        deeper = pos < len(records) and records[pos][1] > col
        if key is not None and value is None:
            if deeper:
                child_col = records[pos][1]
                if child_col < col + 2:
                    return None, pos
                children, pos = _quick_seq(records, pos, child_col)
                if children is None:
                    return None, pos
                out.append(NavEntry(key, None, children, line))
            else:
                out.append(NavEntry(key, None, (), line))
            if pos < len(records) and records[pos][1] > col:
                return None, pos
            continue
        if deeper:
            return None, pos
        if value in _NULLS:
            if key is not None:
                out.append(NavEntry(key, None, (), line))
        else:
            out.append(NavEntry(key, value, None, line))
    return tuple(out), pos


def _read_config_yaml(
    text: str, file: str, env: Mapping[str, str]
) -> tuple[Any, yaml.Node | None, tuple[NavEntry, ...] | None]:
    """(data, node, nav read the quick way or None). The nav's value in `data` is a marker."""
    quick = _quick_nav(text) if _QUICK_NAV else None
    if quick is not None:
        blanked, at, nav = quick
        try:
            data, node = load_yaml(blanked, file, env, lazy=("nav",))
        except DocsConfigError:
            data, node = None, None
        # The YAML reader must agree that the line is the top-level key `nav` (not part of
        # a block scalar, no second `nav` key) and that nothing else was in its block.
        keys = (
            [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == "nav"]
            if isinstance(node, yaml.MappingNode) and isinstance(data, dict)
            else []
        )
        if (
            len(keys) == 1
            and keys[0][0].start_mark.line == at
            and keys[0][0].start_mark.column == 0
            and not keys[0][0].style  # plain: None, or '' from libyaml
            and keys[0][1].tag == "tag:yaml.org,2002:null"
            and keys[0][1].value == ""
        ):
            return data, node, nav
    data, node = load_yaml(text, file, env, lazy=("nav",))
    return data, node, None


_QUICK_NAV = True  # tests turn it off to compare with the YAML reader


# --- the site config -------------------------------------------------------------------------


def _escapes(path: str) -> bool:
    return path == ".." or path.startswith("../") or path.startswith("/")


def _join(base_dir: str, rel: str) -> str:
    joined = (
        posixpath.normpath(posixpath.join(base_dir, rel)) if base_dir else posixpath.normpath(rel)
    )
    return "" if joined == "." else joined


def _load_yaml_chain(
    tree: Tree, path: str, env: Mapping[str, str], seen: tuple[str, ...], notes: list[Note]
) -> tuple[dict[str, Any], tuple[NavEntry, ...] | None, str, Any]:
    """(merged data, nav, file holding the nav, the nav's raw value) for `path` and its
    INHERIT chain."""
    text = decode_text(_read_limited(tree, path), path)
    data, node, quick_nav = _read_config_yaml(text, path, env)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DocsConfigError(f"{path}:1: the config is not a mapping of settings")
    for key in ("docs_dir", "nav"):
        value_node = _mapping_value_node(node, key)
        if value_node is not None and value_node.tag == "!ENV" and data.get(key) is None:
            notes.append(
                Note(
                    "config-env",
                    f"{key} is !ENV and no variable is set: it counts as unset",
                    path,
                    value_node.start_mark.line + 1,
                )
            )
    nav: tuple[NavEntry, ...] | None = quick_nav
    nav_node = _mapping_value_node(node, "nav")
    if nav is not None:
        data["nav"] = True
    elif nav_node is not None and data.get("nav") is not None:
        nav = nav_from_node(nav_node, path, env, notes)
        data["nav"] = True  # the entries above are the nav; the constructed copy is not used
    nav_file = path
    inherit = data.pop("INHERIT", None)
    if inherit is None:
        return data, nav, nav_file, data.get("nav")
    line = _line(_mapping_value_node(node, "INHERIT"))
    if not isinstance(inherit, str):
        raise DocsConfigError(f"{path}:{line}: INHERIT must be a path")
    parent = _join(posixpath.dirname(path), inherit)
    if _escapes(parent):
        raise DocsConfigError(f"{path}:{line}: INHERIT {inherit!r} leaves the repository")
    if parent in seen or parent == path:
        chain = " -> ".join((*seen, path, parent))
        raise DocsConfigError(f"{path}:{line}: INHERIT cycle: {chain}")
    if len(seen) >= MAX_INHERIT_DEPTH:
        raise DocsConfigError(f"{path}:{line}: INHERIT chain longer than {MAX_INHERIT_DEPTH}")
    if tree.size(parent) is None:
        raise DocsConfigError(f"{path}:{line}: INHERIT {inherit!r}: no such file")
    base, base_nav, base_nav_file, _ = _load_yaml_chain(tree, parent, env, (*seen, path), notes)
    try:
        merged = deep_merge(base, data)
    except RecursionError:  # a mapping that holds itself (`extra: &e {a: *e}`) in both
        raise DocsConfigError(
            f"{path}:{line}: INHERIT: the configs nest too deeply to merge (a recursive alias?)"
        ) from None
    if nav is None and "nav" not in data:
        nav, nav_file = base_nav, base_nav_file
    return merged, nav, nav_file, merged.get("nav")


def _line(node: yaml.Node | None) -> int | str:
    return node.start_mark.line + 1 if node is not None else 1


def _toml(tree: Tree, path: str, notes: list[Note]) -> tuple[dict[str, Any], tuple | None]:
    text = decode_text(_read_limited(tree, path), path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = str(err)
        m = re.search(r"\(at line (\d+)", msg)
        where = f"{path}:{m.group(1)}" if m else path
        problem = re.sub(r" \(at .*\)$", "", msg)
        raise DocsConfigError(f"{where}: {problem}") from None
    project = data.get("project", {})
    if not isinstance(project, dict):
        raise DocsConfigError(f"{path}: [project] is not a table")
    nav = nav_from_data(project["nav"], path, notes) if project.get("nav") is not None else None
    return project, nav


def _gitignore_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return ""


def _absolute_links(validation: Any) -> Any:
    """`validation.nav.absolute_links`. A key set on `validation` itself applies to `nav` and
    `links` both (MkDocs' PropagatingSubConfig), unless the sub-config sets its own."""
    if not isinstance(validation, dict):
        return None
    navv = validation.get("nav")
    if isinstance(navv, dict) and "absolute_links" in navv:
        return navv["absolute_links"]
    return validation.get("absolute_links")


def load_site_config(tree: Tree, path: str, env: Mapping[str, str] | None = None) -> SiteConfig:
    """The site config at repo-relative `path` in `tree`. Raises DocsConfigError."""
    env = env or {}
    notes: list[Note] = []
    if path.endswith(".toml"):
        data, nav = _toml(tree, path, notes)
        nav_file = path
    else:
        data, nav, nav_file, _ = _load_yaml_chain(tree, path, env, (), notes)
    base = posixpath.dirname(path)
    docs_dir_value = data.get("docs_dir")
    if docs_dir_value is None or isinstance(docs_dir_value, Opaque):
        docs_dir_value = "docs"
    docs_dir = _join(base, str(docs_dir_value))
    if _escapes(docs_dir):
        raise DocsConfigError(f"{path}: docs_dir {docs_dir_value!r} leaves the repository")
    plugins: list[str] = []
    options: dict[str, Any] = {}
    raw_plugins = data.get("plugins") or []
    if isinstance(raw_plugins, dict):
        raw_plugins = [{k: v} for k, v in raw_plugins.items()]
    if isinstance(raw_plugins, list):
        for p in raw_plugins[:1000]:
            if isinstance(p, str):
                plugins.append(p)
            elif isinstance(p, dict) and p:
                name, opts = next(iter(p.items()))
                plugins.append(str(name))
                options[str(name)] = opts if isinstance(opts, dict) else {}
    absolute = _absolute_links(data.get("validation")) == "relative_to_docs"
    site_url = data.get("site_url")
    return SiteConfig(
        path=path,
        docs_dir=docs_dir,
        nav=nav,
        nav_file=nav_file,
        site_url=site_url if isinstance(site_url, str) and site_url else None,
        use_directory_urls=data.get("use_directory_urls", True) is not False,
        exclude_docs=_gitignore_text(data.get("exclude_docs")),
        draft_docs=_gitignore_text(data.get("draft_docs")),
        not_in_nav=_gitignore_text(data.get("not_in_nav")),
        plugins=tuple(plugins),
        plugin_options=options,
        absolute_links_to_docs=absolute,
        notes=tuple(notes),
    )


# --- .roadmap-bot.yml ------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Strict):
    kind: Literal["page", "track"] = "page"
    file: str | None = None
    titles: tuple[str, ...] | None = None


class Aliases(_Strict):
    modules: dict[str, str] = Field(default_factory=dict)
    groups: dict[str, str] = Field(default_factory=dict)


class StubRule(_Strict):
    min_words: int = Field(25, ge=0)
    max_words_with_marker: int = Field(150, ge=0)


DEFAULT_COLUMNS: dict[str, ColumnSpec] = {
    # The Index column is the module's section index page, titled Overview on most sites.
    "Index": ColumnSpec(file="index", titles=("Overview", "Index")),
}


_PAGE = ColumnSpec()


class DriftSettings(_Strict):
    """The ``drift:`` section of .roadmap-bot.yml; everything optional."""

    roadmap: str | None = None
    nav_root: str | None = None
    path: str = "modules/{group}/{module}/{column}.md"
    group_slug_strip: tuple[str, ...] = (" Modules",)
    columns: dict[str, ColumnSpec] = Field(default_factory=dict)
    aliases: Aliases = Field(default_factory=Aliases)
    stub: StubRule = Field(default_factory=StubRule)
    ignore: tuple[str, ...] = ()

    def column(self, name: str) -> ColumnSpec:
        found = self.columns.get(name)
        if found is None:
            folded = name.casefold()
            found = next((v for k, v in self.columns.items() if k.casefold() == folded), None)
        if found is None:
            found = DEFAULT_COLUMNS.get(name, _PAGE)
        return found


def load_drift_settings(
    tree: Tree, path: str | None, env: Mapping[str, str] | None = None
) -> DriftSettings:
    """The drift settings in `path` (None or no ``drift:`` section: the defaults)."""
    if path is None:
        return DriftSettings()
    text = decode_text(_read_limited(tree, path, "settings file"), path)
    data, node = load_yaml(text, path, env or {})
    if data is None:
        return DriftSettings()
    if not isinstance(data, dict):
        raise DocsConfigError(f"{path}:1: not a mapping of settings")
    section = data.get("drift")
    if section is None:
        return DriftSettings()
    drift_node = _mapping_value_node(node, "drift")
    if not isinstance(section, dict):
        raise DocsConfigError(f"{path}:{_line(drift_node)}: drift: must be a mapping")
    try:
        return DriftSettings.model_validate(section)
    except ValidationError as err:
        first = err.errors()[0]
        loc = [str(p) for p in first["loc"]]
        target = drift_node
        for part in loc:
            nxt = _mapping_value_node(target, part)
            if nxt is None:
                break
            target = nxt
        where = f"{path}:{_line(target)}"
        msg = first["msg"]
        if first["type"] == "extra_forbidden":
            msg = "unknown setting"
        raise DocsConfigError(f"{where}: drift.{'.'.join(loc)}: {msg}") from None
