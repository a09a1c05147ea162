"""When the remote says no: a hook, a locked ref, a token that may only read, a refused token,
and where GITHUB_TOKEN may go. Real git: a bare remote with hooks, and `git http-backend`
over HTTPS (tests/fakes/git_http.py) recording every request's headers."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import BotError
from bot.repo.source import source_from_settings
from bot.store import ticks as store
from bot.ticks.service import TickService
from tests.fakes.git_http import GitHttp, basic
from tests.support.git import Remote
from tests.support.settings import make_settings, subprocess_env

from .conftest import service

TOKEN = "ghs_fakeInstallationToken0123456789"


def tick(svc: TickService) -> store.Tick:
    found, _ = svc.record(
        key=uuid.uuid4().hex,
        module="Compute Modules/Ingestion",
        column="API",
        line=0,
        done=True,
        user_id="U0001",
        user_name="ada",
    )
    return found


def refusing_hook(remote: Remote, tmp_path: Path) -> Path:
    """A pre-receive hook that says why it refuses (naming its own path, which must not be
    shown), counting its calls in a file."""
    calls = tmp_path / "hook-calls"
    hook = remote.bare / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        f"echo x >> '{calls}'\n"
        'echo "No pushes on Fridays (policy in $(pwd)/hooks)" >&2\n'
        "exit 1\n"
    )
    hook.chmod(0o755)
    return calls


def over_https(remote: Remote, tmp_path: Path, git_http: GitHttp, **kw: object) -> Settings:
    """Direct ticks to `remote` served by `git_http`, GITHUB_API_URL naming its host."""
    values: dict[str, object] = {
        "roadmap_repo": git_http.url("remote.git"),
        "github_token": TOKEN,
        "github_api_url": f"https://127.0.0.1:{git_http.port}/api/v3",
        **kw,
    }
    return make_settings(remote, tmp_path, f"sqlite:///{tmp_path}/t.db", **values)


def test_a_hook_refusal_fails_at_once_with_the_remotes_reason(
    remote: Remote, tmp_path: Path
) -> None:
    calls = refusing_hook(remote, tmp_path)
    svc = service(make_settings(remote, tmp_path, f"sqlite:///{tmp_path}/h.db"))
    svc.applier.sleep = lambda _s: pytest.fail("a refusal for good is not retried")
    recorded = tick(svc)
    [outcome] = svc.run_now()
    assert outcome.state == store.FAILED
    assert "pre-receive hook declined" in outcome.detail
    assert "No pushes on Fridays" in outcome.detail
    assert str(remote.bare) not in outcome.detail and str(tmp_path) not in outcome.detail
    assert calls.read_text().count("x") == 1
    assert store.get(svc.engine, recorded.id).error == outcome.detail  # type: ignore[union-attr]
    assert len(remote.log()) == 1


def test_a_locked_branch_on_the_remote_is_retried_with_backoff(
    remote: Remote, tmp_path: Path
) -> None:
    # The remote cannot lock refs/heads/main (another push is landing): a moment later it can.
    lock = remote.bare / "refs" / "heads" / "main.lock"
    lock.write_text("")
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        lock.unlink(missing_ok=True)

    svc = service(make_settings(remote, tmp_path, f"sqlite:///{tmp_path}/l.db"))
    svc.applier.sleep = wait
    tick(svc)
    [outcome] = svc.run_now()
    assert outcome.state == store.APPLIED, outcome.detail
    assert len(waits) == 1 and waits[0] > 0
    assert remote.log()[0] == outcome.sha


def test_a_remote_that_stays_locked_keeps_the_tick_for_the_next_run(
    remote: Remote, tmp_path: Path
) -> None:
    lock = remote.bare / "refs" / "heads" / "main.lock"
    lock.write_text("")
    svc = service(make_settings(remote, tmp_path, f"sqlite:///{tmp_path}/k.db"))
    svc.applier.sleep = lambda _s: None
    recorded = tick(svc)
    [held] = svc.run_now()
    assert held.state == store.PENDING and "retried" in held.detail
    assert "could not update main just now" in held.detail
    lock.unlink()
    [landed] = svc.run_now()
    assert landed.state == store.APPLIED and landed.tick.id == recorded.id


def test_a_token_that_may_only_read_fails_the_tick_naming_the_permission(
    remote: Remote, tmp_path: Path, git_http: GitHttp
) -> None:
    git_http.token, git_http.read_only = TOKEN, True
    svc = service(over_https(remote, tmp_path, git_http))
    tick(svc)
    [outcome] = svc.run_now()
    assert outcome.state == store.FAILED, outcome.detail
    assert "GITHUB_TOKEN" in outcome.detail and "contents: write" in outcome.detail
    assert "403" in outcome.detail and "remote.git" not in outcome.detail
    assert len(remote.log()) == 1


def test_cli_tick_exits_non_zero_when_the_token_may_not_push(
    remote: Remote, tmp_path: Path, git_http: GitHttp
) -> None:
    git_http.token, git_http.read_only = TOKEN, True
    env = subprocess_env(
        tmp_path,
        ROADMAP_REPO=git_http.url("remote.git"),
        GITHUB_TOKEN=TOKEN,
        GITHUB_API_URL=f"https://127.0.0.1:{git_http.port}/api/v3",
        TICK_MODE="direct",
        TICK_ALLOWED="*",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "tick", "Ingestion", "API"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "contents: write" in done.stdout + done.stderr
    assert TOKEN not in done.stdout + done.stderr


def test_a_refused_token_on_fetch_says_authentication_failed(
    remote: Remote, tmp_path: Path, git_http: GitHttp
) -> None:
    git_http.token = "ghs_theTokenTheServerWants"
    settings = over_https(remote, tmp_path, git_http)  # sends TOKEN, which is refused
    with pytest.raises(BotError) as raised:
        source_from_settings(settings).snapshot()
    read = str(raised.value)
    svc = service(settings)
    tick(svc)
    [outcome] = svc.run_now()
    assert outcome.state == store.FAILED  # a refused token will not pass by itself
    for message in (read, outcome.detail):
        assert "authentication failed" in message and "GITHUB_TOKEN" in message, message
        assert "Username" not in message and "terminal prompts" not in message
        assert TOKEN not in message


def test_no_token_sent_says_which_setting(
    remote: Remote, tmp_path: Path, git_http: GitHttp
) -> None:
    git_http.token = TOKEN
    settings = over_https(remote, tmp_path, git_http, github_api_url="https://api.github.com")
    with pytest.raises(BotError) as raised:
        source_from_settings(settings).snapshot()
    assert "authentication failed" in str(raised.value)
    assert "no token was sent: set GITHUB_TOKEN" in str(raised.value)


@pytest.mark.parametrize("api", ["https://api.github.com", "https://localhost:{port}/api/v3"])
def test_the_token_goes_to_no_other_host_on_any_git_path(
    remote: Remote, tmp_path: Path, git_http: GitHttp, api: str
) -> None:
    # ROADMAP_REPO is on 127.0.0.1; GITHUB_API_URL names github.com, or localhost (the same
    # machine under another name): the token is for that host only.
    settings = over_https(remote, tmp_path, git_http, github_api_url=api.format(port=git_http.port))
    source_from_settings(settings).snapshot()  # the read path
    svc = service(settings)
    tick(svc)
    [outcome] = svc.run_now()  # the tick path: fetch and push
    assert outcome.state == store.APPLIED, outcome.detail
    pushes = [r for r in git_http.requests if "receive-pack" in r.path]
    assert pushes and len(git_http.requests) > len(pushes)
    for request in git_http.requests:
        assert "Authorization" not in request.headers, request
        assert TOKEN not in repr(request.headers)


def test_the_token_goes_to_the_github_host_on_every_git_path(
    remote: Remote, tmp_path: Path, git_http: GitHttp
) -> None:
    git_http.token = TOKEN  # a request without it gets 401
    settings = over_https(remote, tmp_path, git_http)
    source_from_settings(settings).snapshot()
    svc = service(settings)
    tick(svc)
    [outcome] = svc.run_now()
    assert outcome.state == store.APPLIED, outcome.detail
    assert all(r.headers.get("Authorization") == basic(TOKEN) for r in git_http.requests)


def test_a_redirect_to_another_host_does_not_take_the_token_along(
    remote: Remote, tmp_path: Path, git_http: GitHttp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The GitHub host (127.0.0.1 here) sends git elsewhere (localhost, another server).
    with GitHttp(remote.bare.parent) as elsewhere:
        git_http.redirect_to = f"https://localhost:{elsewhere.port}"
        both = tmp_path / "both.pem"  # git trusts the two servers' certificates
        both.write_bytes(git_http.ca_file.read_bytes() + elsewhere.ca_file.read_bytes())
        monkeypatch.setenv("GIT_SSL_CAINFO", str(both))
        settings = over_https(remote, tmp_path, git_http)
        with pytest.raises(BotError) as raised:
            source_from_settings(settings).snapshot()
        assert "redirects git elsewhere (HTTP 302)" in str(raised.value)
        assert "ROADMAP_REPO" in str(raised.value)
        assert git_http.requests, "git never asked the GitHub host"
        for request in elsewhere.requests:
            assert "Authorization" not in request.headers, request
