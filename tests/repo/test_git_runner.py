"""The git runner: deadlines that kill, secrets that never show, one error type.

git aliases starting with `!` run a shell command as a child of git: that stands in for the
helpers git starts itself (git-remote-https, ssh), which is what a timeout must also kill.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from bot.errors import BotError, GitError
from bot.repo.git import Git, GitStopped, auth_header
from bot.repo.mirror import GitFailed

TOKEN = "ghs_s3cr3tT0ken"
REMOTE = "https://github.example.com/team/roadmap.git"


@pytest.fixture
def quiet_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_CONFIG_COUNT", raising=False)


def _gone(pid: int) -> bool:
    """The process has ended (gone, or a zombie waiting for init to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state == "Z"


def test_a_timeout_kills_git_and_what_it_started(tmp_path: Path, quiet_config: None) -> None:
    pid_file = tmp_path / "child.pid"
    git = Git(tmp_path, timeout=0.5)
    start = time.monotonic()
    with pytest.raises(GitError) as raised:
        git.run("-c", f"alias.hang=!echo $$ > {pid_file}; exec sleep 30", "hang")
    elapsed = time.monotonic() - start
    message = str(raised.value)
    assert message == "git hang timed out after 0.5 s"
    assert "\n" not in message
    # The shell held git's pipes: returning this soon means it was killed too.
    assert elapsed < 10
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(pid)


def test_close_ends_git_in_flight_and_refuses_more(tmp_path: Path, quiet_config: None) -> None:
    """A shutdown must not leave a push running after the bot has gone (git runs in a
    session of its own, so nothing else would end it)."""
    pid_file = tmp_path / "child.pid"
    git = Git(tmp_path)  # the default deadline: only close() can end it
    raised: list[BaseException] = []

    def hang() -> None:
        try:
            git.run(
                "-c",
                f"alias.hang=!echo $$ > {pid_file}.tmp; mv {pid_file}.tmp {pid_file}; "
                "exec sleep 600",
                "hang",
            )
        except BaseException as err:
            raised.append(err)

    worker = threading.Thread(target=hang)
    worker.start()
    deadline = time.monotonic() + 30
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    git.close()
    worker.join(timeout=30)
    assert not worker.is_alive()
    [err] = raised
    assert isinstance(err, GitStopped) and str(err) == "git hang stopped: the bot is shutting down"
    # SIGKILL reaches the grandchild (sleep) asynchronously: on a loaded machine it may still
    # be scheduled for a moment after git itself has been reaped.
    deadline = time.monotonic() + 10
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(pid)
    with pytest.raises(GitStopped):
        git.run("status")


def test_a_stream_past_its_deadline_raises_when_the_block_ends(
    tmp_path: Path, quiet_config: None
) -> None:
    git = Git(tmp_path, timeout=0.5)
    start = time.monotonic()
    slow = git.stream("-c", "alias.slow=!echo first; exec sleep 30", "slow")
    with pytest.raises(GitError, match="timed out"), slow as out:
        assert out.readline() == b"first\n"
        assert out.read() == b""  # cut short by the kill
    assert time.monotonic() - start < 10


def test_a_stream_reads_while_git_writes_and_feeds_stdin(
    tmp_path: Path, quiet_config: None
) -> None:
    git = Git(tmp_path)
    git.run("init", "-q")
    blob = git.run("hash-object", "-w", "--stdin", input=b"hello\n").decode().strip()
    with git.stream("cat-file", "--batch", input=f"{blob}\n".encode()) as out:
        assert out.readline() == f"{blob} blob 6\n".encode()
        assert out.read() == b"hello\n\n"


def test_a_stream_left_early_ends_git_quietly(tmp_path: Path, quiet_config: None) -> None:
    git = Git(tmp_path, timeout=30)
    start = time.monotonic()
    with git.stream("-c", "alias.chatty=!yes", "chatty") as out:
        assert out.readline() == b"y\n"
    assert time.monotonic() - start < 10


def test_a_token_in_stderr_is_redacted(tmp_path: Path, quiet_config: None) -> None:
    git = Git(tmp_path, remote=REMOTE, token=TOKEN)
    header = auth_header(TOKEN).split()[-1]
    alias = f"!echo 'fatal: {REMOTE} refused {TOKEN} ({header})' >&2; exit 128"
    with pytest.raises(GitError) as raised:
        git.run("-c", f"alias.refuse={alias}", "refuse")
    message = str(raised.value)
    assert TOKEN not in message and header not in message
    assert message == f"{REMOTE} refused [redacted] ([redacted])"


def test_credentials_reach_git_through_the_environment_never_argv(
    tmp_path: Path, quiet_config: None
) -> None:
    git = Git(tmp_path, remote=REMOTE, token=TOKEN)
    # The alias's shell is git's child: $PPID is the git process, whose argv we read.
    out = git.run("-c", "alias.argv=!cat /proc/$PPID/cmdline", "argv")
    argv = out.split(b"\0")
    assert argv[0] == b"git" and b"argv" in argv
    assert not any(TOKEN.encode() in arg or b"Authorization" in arg for arg in argv)
    # ... and git does see the header, for that host only.
    seen = git.text("config", "--get-urlmatch", "http.extraheader", f"{REMOTE}/info/refs")
    assert seen.strip() == auth_header(TOKEN)
    done = git.attempt("config", "--get-urlmatch", "http.extraheader", "https://other.example/")
    assert done.returncode == 1 and done.stdout == b""
    assert git.env()["GIT_TERMINAL_PROMPT"] == "0"


def test_one_error_type(tmp_path: Path, quiet_config: None) -> None:
    with pytest.raises(GitError) as raised:
        Git(tmp_path).run("rev-parse", "--verify", "nope^{commit}")
    assert isinstance(raised.value, BotError) and raised.value.exit_code == 1
    assert GitFailed is GitError
    with pytest.raises(GitError, match="no such directory"):
        Git(tmp_path / "missing").run("status")
