"""The mirror's plumbing: where it lives, how git is told about a token, the shared lock."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import git as gitpython
import pytest

from bot.repo.mirror import (
    auth_header,
    display,
    git_env,
    is_url,
    local_path,
    mirror_path,
    repo_lock,
)


def test_addresses_and_local_paths(tmp_path: Path) -> None:
    assert is_url("https://github.com/o/r.git")
    assert is_url("git@github.com:o/r.git")
    assert is_url("ssh://git@host/o/r")
    assert not is_url("/srv/roadmap.git")
    assert not is_url("relative/dir")
    assert local_path("file:///srv/r.git") == Path("/srv/r.git")
    assert local_path(str(tmp_path)) == tmp_path
    assert local_path("git@github.com:o/r.git") is None


def test_mirror_path_is_safe_distinct_and_stable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    a = mirror_path("https://github.com/team/roadmap.git")
    assert a.parent == tmp_path / "roadmap-bot" / "repos"
    assert a.name.startswith("roadmap-")
    assert a == mirror_path("https://github.com/team/roadmap.git")
    assert a != mirror_path("https://github.com/other/roadmap.git")
    odd = mirror_path("git@host:../../etc/pass wd", tmp_path / "c")
    assert odd.parent == tmp_path / "c" / "repos"
    assert "/" not in odd.name and " " not in odd.name
    # One repo named two ways shares one mirror.
    assert mirror_path(str(tmp_path / "r.git"), tmp_path) == mirror_path(
        (tmp_path / "r.git").as_uri(), tmp_path
    )


def test_display_takes_credentials_out_of_a_url() -> None:
    assert display("https://u:p@h/o/r.git") == "https://h/o/r.git"


def test_git_env_passes_a_token_only_to_https(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GIT_CONFIG_COUNT", raising=False)
    env = git_env("https://github.com/team/roadmap.git", "tok123")
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert env["GIT_CONFIG_COUNT"] == "2"
    assert env["GIT_CONFIG_KEY_0"] == "http.https://github.com/.extraheader"
    assert env["GIT_CONFIG_VALUE_0"] == auth_header("tok123")
    assert env["GIT_CONFIG_KEY_1"] == "http.https://github.com/.followRedirects"
    assert env["GIT_CONFIG_VALUE_1"] == "false"
    assert auth_header("tok123") == "Authorization: Basic eC1hY2Nlc3MtdG9rZW46dG9rMTIz"
    for other in ("git@github.com:team/roadmap.git", "file:///srv/r.git", "/srv/r.git"):
        assert "GIT_CONFIG_COUNT" not in git_env(other, "tok123")
    assert "GIT_CONFIG_COUNT" not in git_env("https://github.com/o/r.git", None)


def test_git_sees_the_header_for_that_host_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    # A setting already passed this way survives: ours is appended after it.
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.name")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "Kept")
    env = git_env("https://user@ghe.example.com:8443/o/r.git", "tok123")
    assert env["GIT_CONFIG_KEY_1"] == "http.https://ghe.example.com:8443/.extraheader"
    g = gitpython.Git(tmp_path)

    def urlmatch(url: str) -> str:
        status, out, _ = g.execute(
            ["git", "config", "--get-urlmatch", "http.extraheader", url],
            env=env,
            with_extended_output=True,
            with_exceptions=False,
        )
        return str(out) if status == 0 else ""

    assert urlmatch("https://ghe.example.com:8443/o/r.git/info/refs") == auth_header("tok123")
    assert urlmatch("https://elsewhere.example.com/o/r.git") == ""
    assert g.execute(["git", "config", "user.name"], env=env) == "Kept"


def test_lock_is_held_across_processes(tmp_path: Path) -> None:
    mirror = tmp_path / "repos" / "r-0123"
    lock_file = mirror.with_name("r-0123.lock")
    lock_file.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            f"f = open({str(lock_file)!r}, 'a')\n"
            "fcntl.flock(f, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(0.3)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        start = time.monotonic()
        lock = repo_lock(mirror)
        with lock.held(), lock.held():  # re-entrant within one thread
            waited = time.monotonic() - start
        assert waited > 0.15
    finally:
        holder.wait(5)
    assert repo_lock(mirror) is repo_lock(mirror)
