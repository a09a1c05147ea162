"""Pages with the same bytes are read once; what differs by path still differs."""

from __future__ import annotations

from pathlib import Path

import pathspec
import pytest

from bot.docs import tree as tree_module
from bot.docs.nav import LazyPages
from bot.docs.tree import GitTree
from bot.errors import GitError

from .conftest import git_commit, write

WRITTEN = "# Same\n\n" + " ".join(f"word{i}" for i in range(40)) + "\n"


def test_a_draft_copy_of_a_written_page_is_a_stub_and_the_copy_keeps_its_path() -> None:
    drafts = pathspec.GitIgnoreSpec.from_lines(["drafts/"])
    data = WRITTEN.encode()
    pages = LazyPages(
        {"a/api.md": data, "drafts/api.md": data, "b/api.md": bytes(data)},
        min_words=25,
        max_words_with_marker=150,
        drafts=drafts,
    )
    assert pages["a/api.md"].stub is None
    assert pages["drafts/api.md"].stub == "a draft_docs page"
    assert pages["b/api.md"].stub is None
    assert [pages[p].path for p in ("a/api.md", "drafts/api.md", "b/api.md")] == [
        "a/api.md",
        "drafts/api.md",
        "b/api.md",
    ]


def test_a_git_tree_reads_shared_blobs_once_and_gives_each_path_its_own(tmp_path: Path) -> None:
    write(tmp_path, {"a.md": "Stub.\n", "b.md": "Stub.\n", "c.md": "Other.\n", "d/e.md": "E\n"})
    git_commit(tmp_path)
    tree_module._LISTINGS.clear()
    t = GitTree(tmp_path, "HEAD")
    got = t.read_many(["c.md", "a.md", "nope.md", "b.md", "d/e.md"])
    assert got == {"a.md": b"Stub.\n", "b.md": b"Stub.\n", "c.md": b"Other.\n", "d/e.md": b"E\n"}
    assert t.read("b.md") == b"Stub.\n"
    assert t.size("d/e.md") == 2


def test_read_each_gives_each_path_once_as_git_writes_and_can_stop_early(tmp_path: Path) -> None:
    pages = {f"p{i}.md": f"page {i}\n" for i in range(40)}
    write(tmp_path, {**pages, "s1.md": "Stub.\n", "s2.md": "Stub.\n"})
    git_commit(tmp_path)
    tree_module._LISTINGS.clear()
    t = GitTree(tmp_path, "HEAD")
    got = list(t.read_each(["s1.md", "nope.md", "s2.md", "p3.md", "s1.md"]))
    assert [p for p, _ in got] == ["s1.md", "s2.md", "p3.md"]
    assert got[0][1] == b"Stub.\n" and got[0][1] is got[1][1]
    rest = t.read_each(sorted(pages))
    assert next(rest) == ("p3.md", b"page 3\n")  # read before: first
    assert next(rest) == ("p0.md", b"page 0\n")  # then from git, in order
    rest.close()  # git is stopped, not waited for
    assert t.read_many(["p39.md", "p3.md"]) == {"p39.md": b"page 39\n", "p3.md": b"page 3\n"}


def test_a_blob_git_cannot_find_is_an_error_not_a_short_read(tmp_path: Path) -> None:
    write(tmp_path, {"a.md": "Alpha.\n", "b.md": "Beta.\n"})
    git_commit(tmp_path)
    tree_module._LISTINGS.clear()
    t = GitTree(tmp_path, "HEAD")
    sha = t._listing.entries["b.md"][0]
    (tmp_path / ".git/objects" / sha[:2] / sha[2:]).unlink()
    with pytest.raises(GitError, match="unexpected answer"):
        t.read_many(["a.md", "b.md"])


def test_a_git_that_fails_is_an_error_with_its_own_reason(tmp_path: Path) -> None:
    write(tmp_path, {"a.md": "Alpha.\n"})
    git_commit(tmp_path)
    with pytest.raises(GitError, match=r"git ls-tree failed in .*: fatal: "):
        tree_module._ls_tree(str(tmp_path), "0" * 40)
    with pytest.raises(GitError, match=r"git cat-file failed in .*: fatal: "):
        list(tree_module._cat_file(str(tmp_path / "nowhere"), ["0" * 40]))
