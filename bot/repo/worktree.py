"""A person's own git work tree, as `roadmap-bot tick --roadmap FILE` commits to it.

Only the one roadmap path is ever committed: whatever else the person has staged stays
staged and out of the commit. A file that is untracked or already changed is refused before
anything is written, so a commit never carries more than the one cell.
"""

from __future__ import annotations

import os
from pathlib import Path

import git

from ..errors import GitError, UserInputError


def work_tree(path: Path) -> git.Repo | None:
    """The work tree holding `path`, or None when it is in none (or only in a bare repo)."""
    try:
        repo = git.Repo(path.resolve().parent, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    return None if repo.bare else repo


def check_clean(repo: git.Repo, path: Path) -> None:
    """Refuse before writing when a commit would carry more than the one cell."""
    status = repo.git.status("--porcelain", "--", _relative(repo, path))
    if status.startswith("??"):
        raise UserInputError(
            f"{path}: not tracked by git; add and commit it first, or pass --no-commit"
        )
    if status:
        raise UserInputError(
            f"{path}: has uncommitted changes; commit them first, or pass --no-commit"
        )


def commit_path(repo: git.Repo, path: Path, message: str) -> str:
    """Commit `path` alone (`git commit --only`); the new commit's sha. Raises GitError with
    git's last meaningful line."""
    try:
        repo.git.commit("-m", message, "--only", "--", _relative(repo, path))
    except git.GitCommandError as err:
        raise GitError(f"{path}: git commit failed: {_last_line(err)}") from None
    return str(repo.head.commit.hexsha)


def _relative(repo: git.Repo, path: Path) -> str:
    return os.path.relpath(path.resolve(), repo.working_tree_dir)


def _last_line(err: Exception) -> str:
    text = str(getattr(err, "stderr", "") or err).strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else type(err).__name__
