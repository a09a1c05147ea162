"""Drift as serve reads it: git's tree at a commit (no work tree), one result per tree."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bot.docs.cache import DriftCache, cache_for

from .conftest import git_commit, write
from .sites import drifted_site, page

ROADMAP = "docs/engineering/roadmap.md"


def commit_empty(root: Path) -> str:
    subprocess.run(
        [
            "git",
            "-C",
            str(root),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "nothing",
        ],
        check=True,
    )
    return subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_one_computation_per_tree_and_a_new_one_when_the_docs_change(tmp_path: Path) -> None:
    root = write(tmp_path / "site", drifted_site())
    first = git_commit(root)
    cache = DriftCache(str(root), ROADMAP)
    assert cache.peek(first) is None  # never computed on a peek
    result = cache.get(first)
    assert result.report is not None and result.error is None
    assert result.report.commit == first and result.report.counts()["error"] == 4
    assert cache.get(first) is result and cache.computed == 1
    same_tree = commit_empty(root)  # a commit that changes nothing: the same tree
    assert cache.get(same_tree).report is result.report and cache.computed == 1
    assert cache.peek(same_tree) is not None
    write(root, {"docs/modules/host/policy-engine/runbook.md": page("Runbook")})
    fixed = git_commit(root)
    again = cache.get(fixed)
    assert cache.computed == 2
    assert again.report is not None and again.report.counts()["error"] == 3
    assert cache.get(first).report is result.report  # the old commit is still kept


def test_the_work_tree_is_never_read(tmp_path: Path) -> None:
    root = write(tmp_path / "site", drifted_site())
    commit = git_commit(root)
    # Uncommitted edits in the work tree are not the commit's docs.
    write(root, {"docs/modules/host/policy-engine/runbook.md": page("Runbook")})
    result = DriftCache(str(root), ROADMAP).get(commit)
    assert result.report is not None and result.report.counts()["error"] == 4


def test_an_unreadable_site_config_is_a_one_line_result(tmp_path: Path) -> None:
    files = drifted_site()
    files["mkdocs.yml"] = "site_name: [unclosed\nnav:\n  - a.md\n"
    root = write(tmp_path / "site", files)
    result = DriftCache(str(root), ROADMAP).get(git_commit(root))
    assert result.report is None and result.error is not None
    assert "mkdocs.yml" in result.error and "\n" not in result.error


def test_serve_and_the_digest_share_one_cache(tmp_path: Path) -> None:
    assert cache_for(str(tmp_path), "/docs/r.md") is cache_for(str(tmp_path), "docs/r.md")
    assert cache_for(str(tmp_path), "docs/r.md") is not cache_for(str(tmp_path), "docs/s.md")
