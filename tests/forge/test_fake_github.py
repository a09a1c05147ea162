"""FakeGitHub itself, spoken to with plain requests: the parts the Forge tests rely on."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fakes.github import FakeGitHub
from tests.support.git import PATH, Remote, git, make_remote

TOKEN = "ghp_fakeGitHubSelfTestToken000000000000"


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=TOKEN, repository="acme/docs") as fake:
        yield fake


def call(gh: FakeGitHub, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {TOKEN}", **kwargs.pop("headers", {})}
    return requests.request(method, f"{gh.url}{path}", headers=headers, timeout=5, **kwargs)


def urls_in(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k.endswith("url") and isinstance(v, str)]
        return found + [u for v in value.values() for u in urls_in(v)]
    if isinstance(value, list):
        return [u for v in value for u in urls_in(v)]
    return []


def test_requests_without_the_token_get_401(gh: FakeGitHub) -> None:
    for headers in ({}, {"Authorization": "token nope"}):
        answer = requests.get(f"{gh.url}/repos/acme/docs", headers=headers, timeout=5)
        assert answer.status_code == 401
        assert answer.json()["message"] == "Bad credentials"
    assert call(gh, "GET", "/repos/acme/docs").status_code == 200
    assert [r.status for r in gh.requests] == [401, 401, 200]


def test_every_url_points_at_the_fake(gh: FakeGitHub) -> None:
    created = call(
        gh, "POST", "/repos/acme/docs/pulls", json={"head": "b", "base": "main", "title": "t"}
    )
    comment = call(gh, "POST", "/repos/acme/docs/issues/1/comments", json={"body": "hi"})
    answers = [
        call(gh, "GET", "/repos/acme/docs").json(),
        created.json(),
        call(gh, "GET", "/repos/acme/docs/pulls").json(),
        comment.json(),
    ]

    urls = urls_in(answers)
    assert len(urls) > 20
    assert all(u.startswith(gh.root) for u in urls), urls


def test_a_second_pull_from_the_same_branch_is_refused_like_github(gh: FakeGitHub) -> None:
    pull = {"head": "acme:bot", "base": "main", "title": "t"}
    assert call(gh, "POST", "/repos/acme/docs/pulls", json=pull).status_code == 201

    again = call(gh, "POST", "/repos/acme/docs/pulls", json=pull)

    assert again.status_code == 422
    assert again.json()["message"] == "Validation Failed"
    assert again.json()["errors"] == [
        {
            "resource": "PullRequest",
            "code": "custom",
            "message": "A pull request already exists for acme:bot.",
        }
    ]
    gh.close_pull(1)
    assert call(gh, "POST", "/repos/acme/docs/pulls", json=pull).json()["number"] == 2


def test_list_filters_and_pages(gh: FakeGitHub) -> None:
    for i in range(3):
        gh.add_pull(f"b{i}", "main")
    gh.add_pull("b0", "release")

    by_head = call(gh, "GET", "/repos/acme/docs/pulls", params={"head": "acme:b0", "base": "main"})
    assert [p["number"] for p in by_head.json()] == [1]
    # Like GitHub, a head filter without the owner is ignored.
    assert len(call(gh, "GET", "/repos/acme/docs/pulls", params={"head": "b0"}).json()) == 4

    page = call(gh, "GET", "/repos/acme/docs/pulls", params={"per_page": "3"})
    assert len(page.json()) == 3 and 'rel="next"' in page.headers["Link"]


def test_closed_and_merged_pulls(gh: FakeGitHub) -> None:
    gh.add_pull("a")
    gh.add_pull("b")
    gh.close_pull(1, merged=True)
    gh.close_pull(2)

    one, two = (call(gh, "GET", f"/repos/acme/docs/pulls/{n}").json() for n in (1, 2))
    assert (one["state"], one["merged"], one["merged_at"] is not None) == ("closed", True, True)
    assert (two["state"], two["merged"], two["merged_at"]) == ("closed", False, None)
    assert call(gh, "GET", "/repos/acme/docs/pulls").json() == []
    assert len(call(gh, "GET", "/repos/acme/docs/pulls", params={"state": "all"}).json()) == 2


def test_fail_next_answers_then_stops(gh: FakeGitHub) -> None:
    gh.fail_next("GET", r"^/repos/acme/docs$", 429, headers={"Retry-After": "3"}, times=2)

    answers = [call(gh, "GET", "/repos/acme/docs") for _ in range(3)]

    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "3"
    assert "secondary rate limit" in answers[0].json()["message"]


def test_fail_next_apply_first_keeps_the_change(gh: FakeGitHub) -> None:
    gh.fail_next("POST", r"/pulls$", 502, apply_first=True)

    answer = call(
        gh, "POST", "/repos/acme/docs/pulls", json={"head": "b", "base": "main", "title": "t"}
    )

    assert answer.status_code == 502
    assert [p["head"] for p in gh.pulls.values()] == ["b"]


def test_delay_next_delays(gh: FakeGitHub) -> None:
    gh.delay_next("GET", r".", 0.5)
    started = time.monotonic()
    assert call(gh, "GET", "/repos/acme/docs").status_code == 200
    assert time.monotonic() - started >= 0.5


def test_an_enterprise_prefix_is_required_when_set() -> None:
    with FakeGitHub(token=TOKEN, prefix="/api/v3") as ghe:
        auth = {"Authorization": f"token {TOKEN}"}
        assert requests.get(f"{ghe.url}/repos/acme/docs", headers=auth, timeout=5).ok
        bare = requests.get(f"{ghe.root}/repos/acme/docs", headers=auth, timeout=5)
        assert bare.status_code == 404
        assert ghe.requests[0].path == "/repos/acme/docs"


def test_stopping_wakes_a_delayed_answer_and_frees_the_port() -> None:
    gh = FakeGitHub(token=TOKEN).start()
    root = gh.root
    gh.delay_next("GET", r".", 30)
    waiting = threading.Thread(
        target=lambda: requests.get(f"{root}/repos/acme/docs", timeout=60), daemon=True
    )
    waiting.start()
    time.sleep(0.2)  # the request is in, waiting out its delay
    started = time.monotonic()
    gh.stop()
    waiting.join(timeout=10)
    assert not waiting.is_alive() and time.monotonic() - started < 10
    with pytest.raises(RuntimeError, match="FakeGitHub is not started"):
        _ = gh.port
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{root}/repos/acme/docs", timeout=2)


# -- merging and branches, in front of a real bare repository ------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Remote:
    remote = make_remote(tmp_path, "line one\nline two\n")
    git(remote.work, "checkout", "-q", "-b", "topic")
    (remote.work / PATH).write_text("line one\nline two, changed\n")
    git(remote.work, "commit", "-q", "-am", "change line two")
    git(remote.work, "push", "-q", "origin", "topic")
    git(remote.work, "checkout", "-q", "main")
    return remote


@pytest.fixture
def gh_git(repo: Remote) -> Iterator[FakeGitHub]:
    with FakeGitHub(token=TOKEN, repository="acme/docs", git_dir=repo.bare) as fake:
        yield fake


@pytest.mark.parametrize(("method", "parents"), [("squash", 1), ("merge", 2)])
def test_the_merge_button_squashes_or_merges(
    gh_git: FakeGitHub, repo: Remote, method: str, parents: int
) -> None:
    number = gh_git.add_pull("topic", title="Change line two")["number"]
    answer = call(
        gh_git, "PUT", f"/repos/acme/docs/pulls/{number}/merge", json={"merge_method": method}
    )
    assert answer.status_code == 200 and answer.json()["merged"] is True
    tip = repo.log()[0]
    assert answer.json()["sha"] == tip
    assert len(git(repo.bare, "log", "-1", "--format=%P", tip).split()) == parents
    assert git(repo.bare, "log", "-1", "--format=%s", tip).strip() == f"Change line two (#{number})"
    assert repo.text() == b"line one\nline two, changed\n"
    pull = gh_git.pull_json(number)
    assert (pull["state"], pull["merged"]) == ("closed", True) and pull["merged_at"]
    # GitHub keeps the head branch unless the repository says otherwise.
    assert "topic" in git(repo.bare, "branch", "--list", "topic")


def test_a_merge_can_delete_the_head_branch(gh_git: FakeGitHub, repo: Remote) -> None:
    gh_git.delete_branch_on_merge = True
    number = gh_git.add_pull("topic")["number"]
    gh_git.merge_pull(number, "squash")
    assert git(repo.bare, "branch", "--list", "topic") == ""


def test_deleting_a_branch_through_the_api(gh_git: FakeGitHub, repo: Remote) -> None:
    path = "/repos/acme/docs/git/refs/heads/topic"
    assert call(gh_git, "DELETE", path).status_code == 204
    assert git(repo.bare, "branch", "--list", "topic") == ""
    gone = call(gh_git, "DELETE", path)
    assert gone.status_code == 422 and "Reference does not exist" in gone.text


def test_mergeable_state_follows_the_repository(gh_git: FakeGitHub, repo: Remote) -> None:
    number = gh_git.add_pull("topic")["number"]
    assert gh_git.pull_json(number)["mergeable_state"] == "clean"
    repo.commit({PATH: b"line zero\nline one\nline two\n"}, "elsewhere")
    assert gh_git.pull_json(number)["mergeable_state"] == "clean"
    gh_git.require_up_to_date.add("main")
    assert gh_git.pull_json(number)["mergeable_state"] == "behind"
    repo.commit({PATH: b"line zero\nline one\nline two, also changed\n"}, "same line")
    pull = gh_git.pull_json(number)
    assert (pull["mergeable_state"], pull["mergeable"]) == ("dirty", False)
    answer = call(gh_git, "PUT", f"/repos/acme/docs/pulls/{number}/merge", json={})
    assert answer.status_code == 405 and gh_git.pulls[number]["state"] == "open"
    assert gh_git.pull_json(number, full=False).get("mergeable_state") is None  # list items


def test_the_api_version_is_read_and_recorded(gh: FakeGitHub) -> None:
    good = call(gh, "GET", "/repos/acme/docs", headers={"X-GitHub-Api-Version": "2022-11-28"})
    assert good.status_code == 200
    assert good.headers["X-GitHub-Api-Version-Selected"] == "2022-11-28"
    assert call(gh, "GET", "/repos/acme/docs").status_code == 200  # none: the default
    bad = call(gh, "GET", "/repos/acme/docs", headers={"X-GitHub-Api-Version": "2099-01-01"})
    assert bad.status_code == 400 and "Invalid API version" in bad.json()["message"]
    assert [r.api_version for r in gh.requests] == ["2022-11-28", None, "2099-01-01"]


def test_a_403_without_rate_limit_headers_reads_like_a_missing_permission(gh: FakeGitHub) -> None:
    gh.fail_next("POST", r"/pulls$", 403)
    answer = call(gh, "POST", "/repos/acme/docs/pulls", json={"head": "b", "base": "main"})
    assert answer.status_code == 403
    assert answer.json()["message"] == "Resource not accessible by integration"


def test_a_crash_in_the_fake_is_answered_and_logged_not_a_dropped_connection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A handler that raises (here: git cannot start in a git_dir that is gone) used to close
    # the connection unanswered: the test saw only RemoteDisconnected, with no cause.
    with FakeGitHub(token=TOKEN, repository="acme/docs", git_dir=tmp_path / "gone") as fake:
        answer = call(fake, "DELETE", "/repos/acme/docs/git/refs/heads/topic")
    assert answer.status_code == 500
    assert "FileNotFoundError" in answer.json()["message"]
    err = capsys.readouterr().err
    assert "FakeGitHub: DELETE /repos/acme/docs/git/refs/heads/topic crashed" in err
    assert "FileNotFoundError" in err
