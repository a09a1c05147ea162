"""Docs sites written into temp directories (and git repositories) for the drift tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def git_commit(root: Path) -> str:
    """Make `root` a git repository with everything committed; the commit's SHA."""
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "HOME": str(root),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env
        ).stdout

    if not (root / ".git").exists():
        git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "site", "--allow-empty")
    return git("rev-parse", "HEAD").strip()


@pytest.fixture
def site(tmp_path: Path):
    def make(files: dict[str, str | bytes]) -> Path:
        return write(tmp_path, files)

    return make
