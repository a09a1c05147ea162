"""FakeGitHub itself, spoken to with plain requests: the parts the Forge tests rely on."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.fakes.github import FakeGitHub

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
