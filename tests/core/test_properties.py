"""Properties over generated roadmaps in every variant (see generate.py): the parse reads what was
written, analysis and lookup agree with it, and a tick changes exactly one byte and nothing else.
"""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.errors import RoadmapFileError
from bot.roadmap.analysis import blockers, next_modules, readiness
from bot.roadmap.edit import set_cell
from bot.roadmap.lookup import find_column, find_module
from bot.roadmap.model import CellState, Roadmap
from bot.roadmap.parse import _BLOCKS, parse
from tests.support.strategies import ExpectedGroup, Generated, key, roadmaps

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _shape(roadmap: Roadmap) -> list:
    return [
        (
            g.name,
            [
                (
                    m.name,
                    m.group,
                    m.line,
                    [(c.column, c.state.value, c.text, c.line, c.box) for c in m.cells],
                )
                for m in g.modules
            ],
        )
        for g in roadmap.groups
    ]


def _expected_shape(gen: Generated) -> list:
    return [
        (
            g.name,
            [
                (
                    m.name,
                    m.group,
                    m.line,
                    [(c.column, c.state, c.text, c.line, c.box) for c in m.cells],
                )
                for m in g.modules
            ],
        )
        for g in gen.groups
    ]


@SETTINGS
@given(roadmaps())
def test_parse_reads_what_was_written(gen: Generated) -> None:
    roadmap = parse(gen.text, "gen.md")
    assert roadmap.columns == tuple(gen.columns)
    assert _shape(roadmap) == _expected_shape(gen)
    assert [key(n) for n in roadmap.dependency_order] == [key(n) for n in gen.order]
    assert all("fake" not in m.name for m in roadmap.modules)  # fenced, commented, no boxes

    # Warnings: exactly the rows left short and the groups missing from the order.
    listed = {key(n) for n in gen.order}
    expected = sorted(
        [f"{line}: ragged" for line in gen.ragged_lines]
        + [
            f"group '{g.name}' is not in the dependency order"
            for g in gen.groups
            if key(g.name) not in listed
        ]
    )
    got = sorted(
        f"{w.line}: ragged" if "cells, the header has" in w.message else w.message
        for w in roadmap.warnings
    )
    assert got == expected

    # Readiness: done / applicable cells, per module and overall.
    done = total = 0
    for m_gen, module in zip(gen.modules, roadmap.modules, strict=True):
        m_done = sum(c.state == "done" for c in m_gen.cells)
        m_total = sum(c.state != "n/a" for c in m_gen.cells)
        assert (readiness(module).done, readiness(module).total) == (m_done, m_total)
        done += m_done
        total += m_total
    assert (readiness(roadmap).done, readiness(roadmap).total) == (done, total)


@SETTINGS
@given(roadmaps(), st.data())
def test_blockers_next_and_lookup_agree_with_what_was_written(
    gen: Generated, data: st.DataObject
) -> None:
    roadmap = parse(gen.text)
    position = {key(n): i for i, n in enumerate(gen.order)}

    def pending(group: ExpectedGroup) -> list[str]:
        return [m.name for m in group.modules if any(c.state == "open" for c in m.cells)]

    expected_next = set()
    for g in gen.groups:
        mine = position.get(key(g.name))
        before = (
            []
            if mine is None
            else sorted(
                (h for h in gen.groups if position.get(key(h.name), mine) < mine),
                key=lambda h: position[key(h.name)],
            )
        )
        want = [(h.name, pending(h)) for h in before if pending(h)]
        for m in g.modules:
            query = data.draw(
                st.sampled_from([m.name, m.name.upper(), f"  {m.name}  ", f"{g.name}/{m.name}"])
            )
            found = find_module(roadmap, query)
            assert found.item is not None, query
            assert (found.item.name, found.item.group) == (m.name, g.name)
            got = [(b.group, [x.name for x in b.modules]) for b in blockers(roadmap, found.item)]
            assert got == want
            if not want and m.name in pending(g):
                expected_next.add(m.name)
    assert {m.name for m in next_modules(roadmap)} == expected_next
    for column in gen.columns:
        assert find_column(roadmap, column.lower()).item == column


def _boxes(gen: Generated) -> list[tuple[int, int]]:
    return [
        (mi, ci)
        for mi, m in enumerate(gen.modules)
        for ci, c in enumerate(m.cells)
        if c.state != "n/a"
    ]


def _with_cell(roadmap: Roadmap, mi: int, ci: int, state: CellState, char: str) -> Roadmap:
    """`roadmap` with one cell's state and box character changed, everything else as it was."""
    target = roadmap.modules[mi]
    groups = []
    for g in roadmap.groups:
        modules = []
        for m in g.modules:
            if m is target:
                cells = list(m.cells)
                old = cells[ci]
                cells[ci] = dataclasses.replace(
                    old, state=state, text="[" + char + old.text[2:], symbol=f"[{char}]"
                )
                m = dataclasses.replace(m, cells=tuple(cells))
            modules.append(m)
        groups.append(dataclasses.replace(g, modules=tuple(modules)))
    return dataclasses.replace(roadmap, groups=tuple(groups))


@SETTINGS
@given(roadmaps(), st.data())
def test_a_tick_changes_one_byte_and_an_untick_restores_it(
    gen: Generated, data: st.DataObject
) -> None:
    roadmap = parse(gen.text)
    mi, ci = data.draw(st.sampled_from(_boxes(gen)))
    module = roadmap.modules[mi]
    cell = module.cells[ci]
    was_done = cell.state is CellState.DONE

    # Asking for the state it has changes nothing.
    same = set_cell(gen.text, roadmap, module, cell.column, done=was_done)
    assert not same.changed and same.text == gen.text and "already" in same.message

    first = set_cell(gen.text, roadmap, module, cell.column, done=not was_done)
    assert first.changed
    before, after = gen.text.encode(), first.text.encode()
    assert len(before) == len(after)
    differing = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    box = gen.modules[mi].cells[ci].box
    assert box is not None
    assert differing == [len(gen.text[:box].encode())]
    written = first.text[box]
    # A tick writes the file's own done box: "[X]" when the row (or else the file) does.
    row_done = {c.symbol for c in module.cells if c.state is CellState.DONE}
    if was_done:
        assert written == " "
    elif row_done:
        assert f"[{written}]" in row_done
    else:
        assert written in "xX"

    # The edited file reads the same, but for that one cell.
    reparsed = parse(first.text)
    new_state = CellState.OPEN if was_done else CellState.DONE
    assert reparsed == _with_cell(roadmap, mi, ci, new_state, written)

    back = set_cell(first.text, reparsed, reparsed.modules[mi], cell.column, done=was_done)
    assert back.changed
    others_done = {
        c.symbol
        for m in reparsed.modules
        for c in m.cells
        if c.state is CellState.DONE and c.symbol
    }
    # Tick then untick always gives the bytes back; untick then tick does when the file
    # writes done one way ("[X]" files get "[X]" back) or, with no other done cell, "[x]".
    if not was_done or others_done == {cell.symbol} or others_done | {cell.symbol} == {"[x]"}:
        assert back.text.encode() == before
    assert parse(back.text).modules[mi].cells[ci].state is cell.state


# Markdown-ish noise: pipes, escapes, boxes, fences, comments, every newline, BOM, NUL.
_CHUNKS = st.sampled_from(
    [
        "|", "\\", "\\|", "[x]", "[ ]", "[X]", "**", "\n", "\r\n", "\r", " ", "\t", "-", "---",
        ":", "a", "é", "🚀", "#", "## Dependency order\n", "- ", "> ", "```", "<!--", "-->",
        "\ufeff", "\x00", "n/a", "|---|---|\n", "| a | [x] |\n", "    ", "\u2028", "\xa0", "`",
        "[", "]", "1. ",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_CHUNKS, max_size=60).map("".join))
def test_any_text_parses_or_fails_in_one_line_and_every_box_can_be_ticked(text: str) -> None:
    try:
        roadmap = parse(text, "any.md")
    except RoadmapFileError as err:
        message = str(err)
        assert "\n" not in message and "\r" not in message and message.startswith("any.md")
        return
    for module in roadmap.modules:
        for cell in module.cells:
            if cell.box is None:
                continue
            assert text[cell.box - 1] == "[" and text[cell.box + 1] == "]"
            edit = set_cell(text, roadmap, module, cell.column, cell.state is not CellState.DONE)
            assert edit.changed
            after = parse(edit.text)
            [again] = [m for m in after.modules if (m.line, m.key) == (module.line, module.key)]
            assert again.cell(cell.column).state is not cell.state


# Lines of every block kind, and table rows that start with "|" (the guarded case).
_LINES = st.sampled_from(
    [
        "", "| a | [x] |", "|---|---|", "a | b", "# H", "## H", "#no", "Title", "===", "---",
        "***", "___", "- item", "* item", "+ item", "1. item", "2) item", "10. x", "> quote",
        ">", "```", "~~~", "``` py", "<!--", "-->", "<div>", "</div>", "    code", "\tcode",
        "  - nested", "   > q", "|", "\\| x", "✅ = Ready", "-x", "*x", "<x", "1x",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=25), st.sampled_from(["\n", "\r\n", "\r"]))
def test_the_block_parser_finds_markdown_its_own_blocks(lines: list[str], newline: str) -> None:
    # The parser guards markdown-it's paragraph-ending rules by their first character (a
    # speed-up); the block tokens must be exactly what markdown-it itself makes.
    text = newline.join(lines)
    stock = MarkdownIt("commonmark").disable("inline").parse(text)
    assert [t.as_dict() for t in _BLOCKS.parse(text)] == [t.as_dict() for t in stock]
