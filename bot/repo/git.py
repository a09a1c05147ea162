"""Where git runs: every git process of the bot starts here.

One runner, so every call gets the same four guarantees:

- a timeout. A hung network or a stuck helper must not hold a repo lock forever. git runs in
  a session of its own and the whole process group is killed on timeout, so helpers git
  started (git-remote-https, ssh, an alias's shell) cannot keep the pipes open;
- credentials only in the environment: a token becomes an `http.<url>.extraheader` through
  GIT_CONFIG_COUNT/KEY/VALUE, never an argument (visible in ps) nor part of a URL (git would
  store it in .git/config). GIT_TERMINAL_PROMPT=0 and ssh BatchMode: a bot has no terminal;
- one error type, `GitError`, whose message is git's first meaningful line, redacted;
- an argument list, never a shell; file contents and messages go through stdin.

`Git.run` returns stdout as exact bytes; `Git.attempt` returns the whole result for the few
callers that read a failure (a push's verdict); `Git.stream` hands out stdout as a pipe for
long reads (`git log -p`, `cat-file --batch`) and kills git when the deadline passes.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

from ..errors import GitError
from ..redact import redact
from .refusal import auth_refusal

TIMEOUT = 120.0  # seconds; far above any local read, enough for a fetch over a slow link
# Messages read in English whatever the host's locale: the push verdict is parsed.
_LOCALE = {"LANGUAGE": "C", "LC_ALL": "C"}


DEFAULT_API_URL = "https://api.github.com"


def github_host(api_url: str) -> str | None:
    """The git host that goes with a GitHub API URL (api.github.com -> github.com; GitHub
    Enterprise serves git and /api/v3 from the same host)."""
    host = urlsplit(api_url).hostname
    if host is None:
        return None
    return host.removeprefix("api.")


def token_for(remote: str, token: str | None, api_url: str = DEFAULT_API_URL) -> str | None:
    """`token` when `remote` is an https URL on the GitHub host GITHUB_API_URL names, else
    None: a token for GitHub has no business reaching another server named in ROADMAP_REPO
    (a mirror, a typo, a redirect someone set up). Every Mirror decides through here."""
    if not token or not remote.startswith("https://"):
        return None
    host = urlsplit(remote).hostname
    wanted = github_host(api_url)
    return token if host is not None and wanted is not None and host == wanted else None


def auth_header(token: str) -> str:
    """The HTTP header GitHub accepts for an installation or personal token."""
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return f"Authorization: Basic {basic}"


def git_env(remote: str, token: str | None = None) -> dict[str, str]:
    """What the environment gains for a git process talking to `remote`.

    Never prompt (a bot has no terminal). A token for an https remote becomes an
    `http.<scheme://host/>.extraheader` through GIT_CONFIG_COUNT, appended after any such
    settings already in our environment, so it is in neither argv nor any config file; and
    that host's redirects are not followed (the header would follow them).
    """
    env = {"GIT_TERMINAL_PROMPT": "0"}
    if "GIT_SSH_COMMAND" not in os.environ and "GIT_SSH" not in os.environ:
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"  # fail instead of asking for a password
    if token and remote.startswith("https://"):
        parts = urlsplit(remote)
        host = parts.netloc.rsplit("@", 1)[-1]
        prefix = urlunsplit(("https", host, "/", "", ""))
        try:
            n = int(os.environ.get("GIT_CONFIG_COUNT", "0"))
        except ValueError:
            n = 0
        env["GIT_CONFIG_COUNT"] = str(n + 2)
        env[f"GIT_CONFIG_KEY_{n}"] = f"http.{prefix}.extraheader"
        env[f"GIT_CONFIG_VALUE_{n}"] = auth_header(token)
        # git follows a redirect of its first request and then sends every later request,
        # extra header included, to the new host: a token would leave for wherever the
        # server points. So no redirects with a token (a renamed repo: set its new URL).
        env[f"GIT_CONFIG_KEY_{n + 1}"] = f"http.{prefix}.followRedirects"
        env[f"GIT_CONFIG_VALUE_{n + 1}"] = "false"
    return env


def first_error_line(stderr: str) -> str:
    """git's first `fatal:` or `error:` line (prefix dropped), else its first line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return line[len(prefix) :]
    return lines[0] if lines else "no message"


class GitStopped(GitError):
    """The runner was closed (the process is shutting down): git was ended or not started."""


@dataclass(frozen=True)
class Result:
    """A finished git process: exit status and both outputs as bytes."""

    returncode: int
    stdout: bytes
    stderr: bytes


class Git:
    """git in the directory `cwd`, carrying `token` for the https remote `remote`.

    `timeout` is the default deadline of every call, in seconds; a call may pass its own.
    """

    def __init__(
        self,
        cwd: Path,
        *,
        remote: str = "",
        token: str | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        self.cwd = Path(cwd)
        self.remote = remote
        self.token = token
        self.timeout = timeout
        # The git processes running now, so `close` can end them: each runs in a session
        # of its own, so nothing else would (a push outlived the server that started it).
        self._running: set[subprocess.Popen[bytes]] = set()
        self._running_lock = threading.Lock()
        self._closed = False
        _runners.add(self)

    def close(self) -> None:
        """End every git process running here (and what each started), and start no more:
        later calls raise GitStopped. For a shutdown that must not wait for a hung push."""
        with self._running_lock:
            self._closed = True
            running = list(self._running)
        for proc in running:
            _kill(proc)

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never appear in a message: the token and the header made from it."""
        if not self.token:
            return ()
        return (self.token, auth_header(self.token).split()[-1])

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return {**os.environ, **_LOCALE, **git_env(self.remote, self.token), **(extra or {})}

    def error(self, message: str, args: tuple[str, ...] = ()) -> GitError:
        """A GitError with `message`'s first meaningful line, secrets removed; a refused or
        missing credential said as such, naming the setting (GitRefused)."""
        token_sent = bool(self.token) and self.remote.startswith("https://")
        refused = auth_refusal(message, self.remote, token_sent, _subcommand(args) == "push")
        if refused is not None:
            return refused
        return GitError(redact(first_error_line(message), self.secrets))

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> bytes:
        """stdout of `git <args>`, exactly (no newline stripped). Raises GitError."""
        done = self.attempt(*args, input=input, env=env, timeout=timeout)
        if done.returncode != 0:
            raise self.error(done.stderr.decode("utf-8", "replace"), args)
        return done.stdout

    def text(
        self,
        *args: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> str:
        """`run`, decoded as UTF-8 (undecodable bytes replaced)."""
        return self.run(*args, input=input, env=env, timeout=timeout).decode("utf-8", "replace")

    def attempt(
        self,
        *args: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Result:
        """Run `git <args>` to the end, whatever its exit status. Raises GitError only when
        git cannot be started or runs past the deadline."""
        deadline = self.timeout if timeout is None else timeout
        with self._popen(args, env, stdin=input is not None) as proc:
            try:
                out, err = proc.communicate(input, timeout=deadline)
            except subprocess.TimeoutExpired:
                _kill(proc)
                proc.communicate()
                raise self._timed_out(args, deadline) from None
        if self._closed:
            raise self._stopped(args)
        return Result(proc.returncode, out, err)

    @contextmanager
    def stream(
        self,
        *args: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Iterator[IO[bytes]]:
        """stdout of `git <args>` as a pipe to read while git writes.

        When the deadline passes git is killed (the read ends early) and GitError is raised
        as the block ends; so it is when git fails. Leaving the block before the end of the
        output kills git quietly: the caller wanted no more.
        """
        deadline = self.timeout if timeout is None else timeout
        with self._popen(args, env, stdin=input is not None) as proc:
            expired = threading.Event()

            def expire() -> None:
                expired.set()
                _kill(proc)

            timer = threading.Timer(deadline, expire)
            timer.daemon = True
            # stdin is fed and stderr read aside, so git never blocks on a full pipe.
            errors: list[bytes] = []
            helpers = [threading.Thread(target=_drain, args=(proc.stderr, errors), daemon=True)]
            if input is not None:
                helpers.append(
                    threading.Thread(target=_feed, args=(proc.stdin, input), daemon=True)
                )
            timer.start()
            for helper in helpers:
                helper.start()
            stdout = proc.stdout
            assert stdout is not None
            stopped_early = False
            try:
                yield stdout
                if not stdout.closed and stdout.read(1):
                    stopped_early = True
                    _kill(proc)
            except BaseException:
                _kill(proc)
                if expired.is_set():  # the reader met output cut short by the deadline
                    raise self._timed_out(args, deadline) from None
                raise
            finally:
                proc.wait()
                timer.cancel()
                for helper in helpers:
                    helper.join()
            if expired.is_set():
                raise self._timed_out(args, deadline)
            if self._closed:
                raise self._stopped(args)
            if proc.returncode != 0 and not stopped_early:
                raise self.error(b"".join(errors).decode("utf-8", "replace"), args)

    @contextmanager
    def _popen(
        self, args: tuple[str, ...], env: Mapping[str, str] | None, *, stdin: bool
    ) -> Iterator[subprocess.Popen[bytes]]:
        if self._closed:
            raise self._stopped(args)
        proc = self._start(args, env, stdin=stdin)
        with self._running_lock:
            self._running.add(proc)
            closed = self._closed
        if closed:  # closed while it started: it ends here, and the caller hears why
            _kill(proc)
        try:
            with proc:
                yield proc
        finally:
            with self._running_lock:
                self._running.discard(proc)

    def _start(
        self, args: tuple[str, ...], env: Mapping[str, str] | None, *, stdin: bool
    ) -> subprocess.Popen[bytes]:
        try:
            return subprocess.Popen(
                ["git", *args],
                cwd=self.cwd,
                env=self.env(env),
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group: killed whole on timeout
            )
        except FileNotFoundError as err:
            if err.filename == "git":
                raise GitError("git is not installed (or not on PATH)") from None
            raise GitError(f"{self.cwd}: no such directory") from None

    def _stopped(self, args: tuple[str, ...]) -> GitStopped:
        return GitStopped(f"git {_subcommand(args)} stopped: the bot is shutting down")

    def _timed_out(self, args: tuple[str, ...], deadline: float) -> GitError:
        return GitError(f"git {_subcommand(args)} timed out after {deadline:g} s")


_runners: weakref.WeakSet[Git] = weakref.WeakSet()


def end_all() -> None:
    """Close every runner of this process (see Git.close): the last step of a shutdown, so no
    fetch or push outlives the bot."""
    for runner in list(_runners):
        runner.close()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill git and every process it started (its own session, so its own group)."""
    if proc.returncode is None:  # not reaped yet: its pid is still its group's id
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def _subcommand(args: tuple[str, ...]) -> str:
    """The subcommand's name in `args` (past options such as `-c name=value`)."""
    takes_value = False
    for arg in args:
        if takes_value:
            takes_value = False
        elif arg in ("-c", "-C"):
            takes_value = True
        elif not arg.startswith("-"):
            return arg
    return "command"


def _feed(pipe: IO[bytes] | None, data: bytes) -> None:
    if pipe is None:
        return
    try:
        pipe.write(data)
        pipe.close()
    except (BrokenPipeError, ValueError):
        pass  # git ended (or was killed) before reading it all; its status says why


def _drain(pipe: IO[bytes] | None, into: list[bytes]) -> None:
    if pipe is not None:
        into.append(pipe.read())
