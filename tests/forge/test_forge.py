"""The Forge through the real PyGithub client against FakeGitHub."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.errors import ForgeError
from bot.forge import Forge, PullRequest
from tests.fakes.github import FakeGitHub
from tests.forge.conftest import BASE, HEAD, REPOSITORY, TOKEN

PULLS = r"^/repos/acme/docs/pulls$"
NOW = 1_700_000_000.0


def one_line(error: ForgeError) -> str:
    text = str(error)
    assert "\n" not in text and "\r" not in text
    assert TOKEN not in text and TOKEN not in repr(error)
    return text


# -- creating and updating -------------------------------------------------------------------


def test_ensure_pull_creates_once_then_updates_the_same_pull(
    forge: Forge, github: FakeGitHub
) -> None:
    first = forge.ensure_pull(HEAD, BASE, "Roadmap: 1 tick", "- tick A")
    second = forge.ensure_pull(HEAD, BASE, "Roadmap: 2 ticks", "- tick A\n- tick B")

    assert first.number == second.number == 1
    assert second == PullRequest(
        number=1,
        url=f"{github.root}/acme/docs/pull/1",
        state="open",
        merged=False,
        head=HEAD,
        base=BASE,
        title="Roadmap: 2 ticks",
        body="- tick A\n- tick B",
    )
    assert list(github.pulls) == [1]
    assert github.pulls[1]["title"] == "Roadmap: 2 ticks"
    assert len(github.requests_to("POST", PULLS)) == 1
    (patch,) = github.requests_to("PATCH", r"/pulls/1$")
    assert patch.json == {"title": "Roadmap: 2 ticks", "body": "- tick A\n- tick B"}


def test_ensure_pull_with_unchanged_text_writes_nothing(forge: Forge, github: FakeGitHub) -> None:
    forge.ensure_pull(HEAD, BASE, "Roadmap", "body")
    github.clear()

    again = forge.ensure_pull(HEAD, BASE, "Roadmap", "body")

    assert again.number == 1
    assert [r.method for r in github.requests] == ["GET"]


def test_a_create_answered_502_after_github_made_it_leaves_one_pull(
    forge: Forge, github: FakeGitHub, sleeps: list[float]
) -> None:
    github.fail_next("POST", PULLS, 502, apply_first=True)

    pull = forge.ensure_pull(HEAD, BASE, "Roadmap", "body")

    assert pull.number == 1 and pull.state == "open"
    assert list(github.pulls) == [1]
    assert [r.status for r in github.requests_to("POST", PULLS)] == [502, 422]
    assert sleeps == [1.0]


def test_a_create_that_timed_out_after_github_made_it_leaves_one_pull(
    make_forge: Callable[..., Forge], github: FakeGitHub
) -> None:
    forge = make_forge(timeout=1)
    github.delay_next("POST", PULLS, 2.5, apply_first=True)

    pull = forge.ensure_pull(HEAD, BASE, "Roadmap", "body")

    assert pull.number == 1
    # The first POST is recorded once its late answer goes out (to nobody).
    assert [r.status for r in github.wait_for("POST", PULLS, 2)] == [422, 201]
    assert len(github.pulls) == 1


def test_ensure_pull_adopts_a_pull_opened_between_lookup_and_create(
    forge: Forge, github: FakeGitHub
) -> None:
    github.add_pull(HEAD, BASE, title="Opened by another instance")
    # The first lookup misses it, as if it was opened a moment later.
    github.fail_next("GET", PULLS, 200, body=[])

    pull = forge.ensure_pull(HEAD, BASE, "Roadmap", "body")

    assert pull.number == 1 and pull.title == "Roadmap"
    assert list(github.pulls) == [1]
    assert [r.status for r in github.requests_to("POST", PULLS)] == [422]


def test_ensure_pull_opens_a_new_pull_once_the_old_one_is_merged(
    forge: Forge, github: FakeGitHub
) -> None:
    first = forge.ensure_pull(HEAD, BASE, "Roadmap", "body")
    github.close_pull(first.number, merged=True)

    assert forge.open_pull(HEAD, BASE) is None
    second = forge.ensure_pull(HEAD, BASE, "Roadmap", "more")

    assert second.number == 2
    assert [p["state"] for p in github.pulls.values()] == ["closed", "open"]


def test_open_pull_only_returns_a_pull_from_that_branch(forge: Forge, github: FakeGitHub) -> None:
    github.add_pull("someone/feature", BASE)
    github.add_pull(HEAD, "release")
    assert forge.open_pull(HEAD, BASE) is None

    (lookup,) = github.requests_to("GET", PULLS)
    assert lookup.query == {"state": "open", "head": f"acme:{HEAD}", "base": BASE}


def test_open_pull_checks_the_branch_even_when_github_ignores_the_filter(
    forge: Forge, github: FakeGitHub
) -> None:
    github.add_pull("someone/feature", BASE)
    # GitHub answers with every pull request when it cannot use the head filter.
    github.fail_next("GET", PULLS, 200, body=[github.pull_json(1, full=False)])

    assert forge.open_pull(HEAD, BASE) is None


def test_requests_carry_the_token_and_pygithub_does_not_retry_on_its_own(
    forge: Forge, github: FakeGitHub, sleeps: list[float]
) -> None:
    github.fail_next("GET", PULLS, 502)

    forge.ensure_pull(HEAD, BASE, "Roadmap", "body")

    assert {r.headers["authorization"] for r in github.requests} == {f"token {TOKEN}"}
    # One 502 -> exactly one more attempt, and it was ours (we slept once).
    assert [r.status for r in github.requests_to("GET", PULLS)] == [502, 200]
    assert sleeps == [1.0]


def test_every_request_names_the_api_version(forge: Forge, github: FakeGitHub) -> None:
    number = forge.ensure_pull(HEAD, BASE, "Roadmap", "body").number
    forge.ensure_pull(HEAD, BASE, "Roadmap", "body 2")
    forge.get_pull(number)
    forge.comment(number, "hello")

    methods = {r.method for r in github.requests}
    assert methods >= {"GET", "POST", "PATCH"}
    assert {r.api_version for r in github.requests} == {"2022-11-28"}


# -- reading, updating, commenting -----------------------------------------------------------


def test_get_pull_sees_a_merged_pull(forge: Forge, github: FakeGitHub) -> None:
    number = forge.ensure_pull(HEAD, BASE, "Roadmap", "body").number
    github.close_pull(number, merged=True)

    pull = forge.get_pull(number)

    assert (pull.state, pull.merged) == ("closed", True)


def test_get_pull_sees_a_pull_closed_without_merging(forge: Forge, github: FakeGitHub) -> None:
    number = forge.ensure_pull(HEAD, BASE, "Roadmap", "body").number
    github.close_pull(number, merged=False)

    pull = forge.get_pull(number)

    assert (pull.state, pull.merged) == ("closed", False)
    assert pull.head == HEAD and pull.base == BASE


def test_get_pull_says_when_github_will_not_merge_it_as_it_is(
    forge: Forge, github: FakeGitHub
) -> None:
    number = forge.ensure_pull(HEAD, BASE, "Roadmap", "body").number
    assert forge.get_pull(number).mergeable_state == "clean"
    assert not forge.get_pull(number).needs_update
    for verdict in ("dirty", "behind"):
        github.fail_next(
            "GET",
            rf"/pulls/{number}$",
            200,
            body={**github.pull_json(number), "mergeable_state": verdict},
        )
        pull = forge.get_pull(number)
        assert pull.mergeable_state == verdict and pull.needs_update
    # A list item has no verdict: reading one costs no extra request.
    github.clear()
    assert forge.open_pull(HEAD, BASE) is not None
    assert [r.method for r in github.requests] == ["GET"]


def test_a_comment_with_a_once_marker_is_posted_once(forge: Forge, github: FakeGitHub) -> None:
    number = forge.ensure_pull(HEAD, BASE, "Roadmap", "body").number
    github.add_pull("someone-else")
    assert forge.comment(number, "<!-- mark:1 --> first", once="<!-- mark:1 -->")
    assert not forge.comment(number, "<!-- mark:1 --> again", once="<!-- mark:1 -->")
    assert forge.comment(number, "<!-- mark:2 --> other", once="<!-- mark:2 -->")
    assert [c["body"] for c in github.comments[number]] == [
        "<!-- mark:1 --> first",
        "<!-- mark:2 --> other",
    ]


def test_update_pull_changes_title_and_body(forge: Forge, github: FakeGitHub) -> None:
    github.add_pull(HEAD, BASE, title="old", body="old body")

    pull = forge.update_pull(1, "new", "new body")

    assert (pull.title, pull.body) == ("new", "new body")
    assert (github.pulls[1]["title"], github.pulls[1]["body"]) == ("new", "new body")


@pytest.mark.parametrize("call", ["get", "update", "comment"])
def test_an_unknown_pull_number_is_named(forge: Forge, call: str) -> None:
    with pytest.raises(ForgeError) as caught:
        if call == "get":
            forge.get_pull(99)
        elif call == "update":
            forge.update_pull(99, "t", "b")
        else:
            forge.comment(99, "hi")

    assert one_line(caught.value) == f"pull request #99 not found in {REPOSITORY}"
    assert caught.value.status == 404


def test_comment_posts_on_the_pull_requests_issue(forge: Forge, github: FakeGitHub) -> None:
    github.add_pull(HEAD, BASE)

    forge.comment(1, "Applied 2 ticks from Slack.")

    assert [c["body"] for c in github.comments[1]] == ["Applied 2 ticks from Slack."]
    (post,) = github.requests_to("POST", r"^/repos/acme/docs/issues/1/comments$")
    assert post.json == {"body": "Applied 2 ticks from Slack."}


def test_a_comment_answered_502_after_github_made_it_is_posted_once(
    forge: Forge, github: FakeGitHub, sleeps: list[float]
) -> None:
    github.add_pull(HEAD, BASE)
    github.fail_next("POST", r"/comments$", 502, apply_first=True)

    forge.comment(1, "Applied a tick.")

    assert [c["body"] for c in github.comments[1]] == ["Applied a tick."]
    assert len(github.requests_to("POST", r"/comments$")) == 1
    assert sleeps == [1.0]


def test_a_comment_that_failed_before_github_made_it_is_posted_on_retry(
    forge: Forge, github: FakeGitHub
) -> None:
    github.add_pull(HEAD, BASE)
    github.fail_next("POST", r"/comments$", 503)

    forge.comment(1, "Applied a tick.")

    assert [c["body"] for c in github.comments[1]] == ["Applied a tick."]
    assert [r.status for r in github.requests_to("POST", r"/comments$")] == [503, 201]


# -- transient faults ------------------------------------------------------------------------


def test_server_errors_are_retried_with_growing_waits(
    forge: Forge, github: FakeGitHub, sleeps: list[float]
) -> None:
    github.fail_next("GET", PULLS, 503, times=2)
    github.add_pull(HEAD, BASE)

    assert forge.open_pull(HEAD, BASE) is not None
    assert sleeps == [1.0, 2.0]
    assert [r.status for r in github.requests_to("GET", PULLS)] == [503, 503, 200]


def test_429_retry_after_is_honoured(forge: Forge, github: FakeGitHub, sleeps: list[float]) -> None:
    github.fail_next("POST", PULLS, 429, headers={"Retry-After": "7"})

    pull = forge.ensure_pull(HEAD, BASE, "Roadmap", "body")

    assert sleeps == [7.0]
    assert pull.number == 1 and len(github.pulls) == 1


def test_403_rate_limit_waits_until_the_reset(
    make_forge: Callable[..., Forge], github: FakeGitHub, sleeps: list[float]
) -> None:
    forge = make_forge(clock=lambda: NOW)
    github.fail_next(
        "GET",
        PULLS,
        403,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 30)},
    )

    assert forge.open_pull(HEAD, BASE) is None
    # Until the reset second has passed: 30 s plus one.
    assert sleeps == [31.0]


def test_secondary_rate_limit_without_headers_waits_a_minute(
    forge: Forge, github: FakeGitHub, sleeps: list[float]
) -> None:
    message = "You have exceeded a secondary rate limit. Please wait a few minutes."
    github.fail_next("GET", PULLS, 403, body={"message": message})

    assert forge.open_pull(HEAD, BASE) is None
    assert sleeps == [60.0]


def test_a_rate_limit_longer_than_max_wait_is_raised_at_once(
    make_forge: Callable[..., Forge], github: FakeGitHub, sleeps: list[float]
) -> None:
    forge = make_forge(clock=lambda: NOW)
    github.fail_next(
        "GET",
        PULLS,
        403,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 1800)},
    )

    with pytest.raises(ForgeError) as caught:
        forge.open_pull(HEAD, BASE)

    assert one_line(caught.value).startswith("GitHub rate limit: retry after 1801 s")
    assert caught.value.retry_after == 1801.0
    assert caught.value.transient
    assert sleeps == []


def test_rate_limit_that_outlasts_the_retries_says_when_to_retry(
    make_forge: Callable[..., Forge], github: FakeGitHub, sleeps: list[float]
) -> None:
    forge = make_forge(retries=2)
    github.fail_next("GET", PULLS, 429, headers={"Retry-After": "30"}, times=10)

    with pytest.raises(ForgeError) as caught:
        forge.open_pull(HEAD, BASE)

    assert one_line(caught.value).startswith("GitHub rate limit: retry after 30 s")
    assert caught.value.status == 429 and caught.value.retry_after == 30.0
    assert sleeps == [30.0, 30.0]


def test_exhausted_retries_raise_one_line_without_the_token(
    make_forge: Callable[..., Forge], github: FakeGitHub, sleeps: list[float]
) -> None:
    forge = make_forge(retries=3, backoff=0.5)
    github.fail_next("POST", PULLS, 502, times=10)

    with pytest.raises(ForgeError) as caught:
        forge.ensure_pull(HEAD, BASE, "Roadmap", "body")

    text = one_line(caught.value)
    assert text == (
        f"GitHub kept failing (502) while opening a pull request from {HEAD} into {BASE}; "
        "gave up after 4 attempts"
    )
    assert caught.value.transient and caught.value.status == 502
    assert sleeps == [0.5, 1.0, 2.0]
    assert len(github.requests_to("POST", PULLS)) == 4
    assert github.pulls == {}


def test_timeouts_are_retried_then_reported(
    make_forge: Callable[..., Forge], github: FakeGitHub, sleeps: list[float]
) -> None:
    forge = make_forge(timeout=1, retries=1)
    github.delay_next("GET", PULLS, 3, times=2)

    with pytest.raises(ForgeError) as caught:
        forge.open_pull(HEAD, BASE)

    assert one_line(caught.value) == (
        f"GitHub did not answer within 1 s while looking up the pull request from {HEAD} "
        f"into {BASE}; gave up after 2 attempts"
    )
    assert sleeps == [1.0]


def test_one_timeout_then_an_answer_succeeds(
    make_forge: Callable[..., Forge], github: FakeGitHub, sleeps: list[float]
) -> None:
    forge = make_forge(timeout=1)
    github.add_pull(HEAD, BASE)
    github.delay_next("GET", PULLS, 3)

    pull = forge.open_pull(HEAD, BASE)

    assert pull is not None and pull.number == 1
    assert sleeps == [1.0]


def test_an_unreachable_github_is_retried_then_reported(sleeps: list[float]) -> None:
    with FakeGitHub(token=TOKEN) as gone:
        url = gone.url
    forge = Forge(
        TOKEN,
        REPOSITORY,
        url,
        retries=2,
        sleep=sleeps.append,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )

    with pytest.raises(ForgeError) as caught:
        forge.get_pull(1)

    text = one_line(caught.value)
    assert text.startswith(f"could not reach GitHub at {url.removeprefix('http://')}")
    assert text.endswith("gave up after 3 attempts")
    assert sleeps == [1.0, 2.0]


# -- permanent faults ------------------------------------------------------------------------


def test_a_refused_token_is_named_and_not_retried(
    make_forge: Callable[..., Forge], github: FakeGitHub, sleeps: list[float]
) -> None:
    wrong = "ghp_WrongTokenWrongTokenWrongToken000000"
    forge = make_forge(token=wrong)

    with pytest.raises(ForgeError) as caught:
        forge.ensure_pull(HEAD, BASE, "Roadmap", "body")

    text = one_line(caught.value)
    assert text.startswith("GitHub refused the token (401)")
    assert "GITHUB_TOKEN" in text and wrong not in text and wrong not in repr(caught.value)
    assert caught.value.status == 401 and not caught.value.transient
    assert len(github.requests) == 1 and sleeps == []


def test_an_unknown_repository_is_named(
    make_forge: Callable[..., Forge], github: FakeGitHub
) -> None:
    forge = make_forge(repository="acme/missing")

    with pytest.raises(ForgeError) as caught:
        forge.open_pull(HEAD, BASE)

    assert one_line(caught.value) == (
        "repository acme/missing not found or not visible to the token"
    )


def test_a_forbidden_403_is_not_retried(
    forge: Forge, github: FakeGitHub, sleeps: list[float]
) -> None:
    github.fail_next("POST", PULLS, 403)

    with pytest.raises(ForgeError) as caught:
        forge.ensure_pull(HEAD, BASE, "Roadmap", "body")

    text = one_line(caught.value)
    assert text.startswith(f"GitHub denied opening a pull request from {HEAD} into {BASE} (403)")
    assert "Resource not accessible by integration" in text
    # A GitHub App or fine-grained token that lacks the permission: it is named.
    assert "GITHUB_TOKEN needs the pull_requests: write permission on acme/docs" in text
    assert sleeps == [] and github.pulls == {}


def test_a_validation_error_says_what_github_said(forge: Forge) -> None:
    with pytest.raises(ForgeError) as caught:
        forge.ensure_pull(BASE, BASE, "Roadmap", "body")

    assert one_line(caught.value) == (
        f"GitHub refused opening a pull request from {BASE} into {BASE} (422): "
        f"Validation Failed: No commits between {BASE} and {BASE}"
    )


def test_an_enterprise_api_prefix_works(sleeps: list[float]) -> None:
    with FakeGitHub(token=TOKEN, prefix="/api/v3") as ghe:
        assert ghe.url.endswith("/api/v3")
        forge = Forge(
            TOKEN,
            REPOSITORY,
            ghe.url,
            sleep=sleeps.append,
            seconds_between_requests=None,
            seconds_between_writes=None,
        )
        pull = forge.ensure_pull(HEAD, BASE, "Roadmap", "body")
        forge.comment(pull.number, "hi")
        forge.close()

    assert pull.number == 1 and [c["body"] for c in ghe.comments[1]] == ["hi"]
    assert {r.status for r in ghe.requests} <= {200, 201}


# -- the token stays secret ------------------------------------------------------------------


@pytest.mark.parametrize(
    "scenario",
    [
        "refused token",
        "missing repository",
        "forbidden",
        "server errors",
        "long rate limit",
        "validation",
        "unknown pull",
        "message echoes the token",
    ],
)
def test_no_forge_error_contains_the_token(
    scenario: str, make_forge: Callable[..., Forge], github: FakeGitHub
) -> None:
    forge = make_forge(retries=1)
    call: Callable[[], object] = lambda: forge.ensure_pull(HEAD, BASE, "t", "b")  # noqa: E731
    if scenario == "refused token":
        github.token = "ghp_SomethingElseEntirely000000000000000"
    elif scenario == "missing repository":
        forge = make_forge(repository="acme/missing")
    elif scenario == "forbidden":
        github.fail_next("*", r".", 403)
    elif scenario == "server errors":
        github.fail_next("*", r".", 500, times=5)
    elif scenario == "long rate limit":
        github.fail_next("*", r".", 429, headers={"Retry-After": "3600"})
    elif scenario == "validation":
        call = lambda: forge.ensure_pull(BASE, BASE, "t", "b")  # noqa: E731
    elif scenario == "unknown pull":
        call = lambda: forge.get_pull(42)  # noqa: E731
    else:
        github.fail_next("*", r".", 400, body={"message": f"token {TOKEN} is malformed"})

    with pytest.raises(ForgeError) as caught:
        call()

    error = caught.value
    for text in (str(error), repr(error), *map(str, error.args)):
        assert TOKEN not in text
    if scenario == "message echoes the token":
        assert "[token]" in str(error)


def test_the_forge_repr_has_no_token(forge: Forge) -> None:
    assert TOKEN not in repr(forge)
    assert REPOSITORY in repr(forge)


@pytest.mark.parametrize(
    ("token", "repository", "api_url", "expected"),
    [
        ("", REPOSITORY, "https://api.github.com", "no GitHub token: set GITHUB_TOKEN"),
        (TOKEN, "acme", "https://api.github.com", "must look like owner/name"),
        (TOKEN, "acme/docs/extra", "https://api.github.com", "must look like owner/name"),
        (TOKEN, REPOSITORY, "ftp://api.github.com", "must be http(s)://"),
        (TOKEN, REPOSITORY, "ftp://x:hunter2@api.github.com", "got 'ftp://api.github.com'"),
    ],
)
def test_bad_settings_are_refused_up_front(
    token: str, repository: str, api_url: str, expected: str
) -> None:
    with pytest.raises(ForgeError) as caught:
        Forge(token, repository, api_url)

    assert expected in one_line(caught.value)
    assert "hunter2" not in str(caught.value)
