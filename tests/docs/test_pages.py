"""Stubs per the spec: front matter status, word counts, markers, snippets."""

from __future__ import annotations

import pytest

from bot.docs.pages import file_title, read_page

LONG = " ".join(f"word{i}" for i in range(40))


def page(text: str, **kw):
    return read_page("modules/host/api.md", text.encode(), **kw)


@pytest.mark.parametrize(
    "text",
    [
        "# API\n\nStub.\n",
        "# API\n\nInitial placeholder file.\n",
        "Stub content for global-db.md.",
        "---\nstatus: wip\n---\n# API\n" + LONG,
        "# API\n" + " ".join(["text"] * 60) + "\n\nTBD\n",
        "# API\n<!-- " + LONG + " -->\n## Heading only\n",
        "",
    ],
)
def test_stubs(text: str) -> None:
    assert page(text).stub is not None


@pytest.mark.parametrize(
    "text",
    [
        "# API\n\n" + LONG,
        "---\nstatus: complete\n---\n# Data Model\n\nNo persistent state.\n",
        '# API\n\n--8<-- "includes/api.md"\n',
        "# API\n" + " ".join(["text"] * 160) + " TODO\n",
    ],
)
def test_written_pages(text: str) -> None:
    assert page(text).stub is None


def test_draft_docs_page_is_a_stub() -> None:
    assert page("# API\n\n" + LONG, draft=True).stub == "a draft_docs page"


def test_min_words_is_configurable() -> None:
    assert page("# A\n\none two three four five\n", min_words=5).stub is None
    assert page("# A\n\none two three four five\n", min_words=6).stub == "5 words (fewer than 6)"


def test_link_targets_are_not_words() -> None:
    assert page("[a](https://x.example/one/two/three/four/five/six)").words == 1


def test_titles_come_from_front_matter_then_h1_then_file_name() -> None:
    assert page("---\ntitle: Front\n---\n# Head\n").title == "Front"
    assert page("# Head *one*\n").title == "Head one"
    assert page("Head\n====\n\ntext").title == "Head"
    assert page("no heading").title == "Api"
    assert file_title("modules/host-things/index.md") == "Host things"
    assert file_title("modules/Host_Things/README.md") == "Host Things"
    assert file_title("index.md") == "Home"


def test_bad_front_matter_is_body_text() -> None:
    p = page("---\n: [\n---\n# T\n")
    assert p.title == "T"


def test_bom_and_crlf() -> None:
    p = read_page("a.md", "\ufeff---\r\ntitle: X\r\n---\r\n# Y\r\n".encode())
    assert p.title == "X"


def test_words_leave_out_headings_punctuation_and_fences_markers() -> None:
    from bot.docs.pages import count_words

    assert count_words("# Title\n\none two\n\nSetext\n======\n\n| a | b |\n|---|---|\n") == 4
    assert count_words("```\ncode words here\n```\n— don't global-db.md") == 5
    assert count_words(" ".join(["w"] * 500), limit=25) >= 25
    assert count_words("a b c\n---\n" + " ".join(["w"] * 30), limit=2) == 30
