"""A local git repository holding the bundled example, so ticks work without any setup."""

from __future__ import annotations

import shutil
import tempfile
from importlib import resources
from pathlib import Path

from .git import Git

EXAMPLE_PATH = "docs/roadmap.md"


def example_repo(cache_root: Path) -> Path:
    """<cache>/example/roadmap.git: a bare repo whose main holds the bundled roadmap at
    docs/roadmap.md. Made once (in a temp dir, renamed into place); kept across restarts so
    ticks made on the example stay."""
    target = cache_root / "example" / "roadmap.git"
    if (target / "HEAD").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    data = resources.files("bot").joinpath("examples/roadmap.md").read_bytes()
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        work = Path(tmp) / "work"
        (work / "docs").mkdir(parents=True)
        (work / EXAMPLE_PATH).write_bytes(data)
        env = {
            "GIT_AUTHOR_NAME": "roadmap-bot",
            "GIT_AUTHOR_EMAIL": "roadmap-bot@localhost",
            "GIT_COMMITTER_NAME": "roadmap-bot",
            "GIT_COMMITTER_EMAIL": "roadmap-bot@localhost",
        }
        git = Git(work)
        git.run("init", "-q", "-b", "main", env=env)
        git.run("add", EXAMPLE_PATH, env=env)
        git.run("commit", "-q", "-m", "The bundled example roadmap", env=env)
        bare = Path(tmp) / "roadmap.git"
        git.run("clone", "-q", "--bare", str(work), str(bare), env=env)
        if not (target / "HEAD").exists():
            shutil.rmtree(target, ignore_errors=True)
            bare.rename(target)
    return target
