"""Hostile or broken requests to POST /slack/events, over real HTTP to the real app: the
signature is checked before anything is parsed, a body that does not parse is a 400 with one
short log line, an unknown action is acknowledged, an event delivered again is handled once,
and log lines stay short and free of tokens whatever people type."""

from __future__ import annotations

import io
import json
import logging
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import requests

from bot import logs
from tests.fakes import signing
from tests.fakes.slack import FakeSlack

from .app_server import SECRET, TOKEN, Running, running, settings_for

EVENTS = "/slack/events"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def bot(slack: FakeSlack) -> Iterator[Running]:
    with running(settings_for(slack.url)) as app:
        yield app


def serious(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Records at WARNING and above, and any that carry a traceback."""
    return [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


BROKEN = [
    pytest.param(b"payload=%7Bnot+json", signing.FORM, "payload is not valid JSON", id="payload"),
    pytest.param(b"text=\xff\xfe\xfa&command=%2Froadmap", signing.FORM, "UTF-8", id="not-utf8"),
    pytest.param(b"hello there", "text/plain", "neither a form nor JSON", id="plain"),
    pytest.param(b'{"type": "event_callback", ', signing.JSON, "not valid JSON", id="json"),
    pytest.param(b"[1, 2]", signing.JSON, "not a JSON object", id="json-array"),
]


@pytest.mark.parametrize(("body", "content_type", "reason"), BROKEN)
def test_a_body_that_does_not_parse_gets_400_and_one_short_line(
    bot: Running, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str, reason: str
) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    r = signing.post(bot.url + EVENTS, body, SECRET, content_type=content_type)
    assert r.status_code == 400
    [line] = serious(caplog)
    assert reason in line.getMessage() and line.exc_info is None
    assert len(line.getMessage()) < 200
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(("body", "content_type", "reason"), BROKEN)
def test_an_unsigned_broken_body_is_refused_before_it_is_parsed(
    bot: Running, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str, reason: str
) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    r = requests.post(
        bot.url + EVENTS, data=body, headers={"Content-Type": content_type}, timeout=5
    )
    assert r.status_code == 401
    [line] = serious(caplog)
    assert "signature" in line.getMessage() and line.exc_info is None
    assert reason not in caplog.text  # never parsed


def test_slacks_unsigned_certificate_check_gets_200(bot: Running) -> None:
    body = b"ssl_check=1&token=fake-verification-token"
    r = requests.post(
        bot.url + EVENTS, data=body, headers={"Content-Type": signing.FORM}, timeout=5
    )
    assert r.status_code == 200


def test_an_unknown_action_is_acknowledged_and_logged(
    bot: Running, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    action = {"type": "button", "action_id": "from-a-newer-version", "value": "x"}
    r = bot.click(action, slack.response_url())
    assert r.status_code == 200
    [line] = serious(caplog)
    assert "action_id=from-a-newer-version" in line.getMessage()
    assert "Suggestion" not in caplog.text  # Bolt's dozen-line advice is not logged


def test_an_unknown_view_callback_is_acknowledged(bot: Running) -> None:
    view = {"id": "V1", "type": "modal", "callback_id": "unknown-modal", "state": {"values": {}}}
    payload = {
        "type": "view_submission",
        "team": {"id": signing.TEAM_ID},
        "user": {"id": signing.USER_ID, "team_id": signing.TEAM_ID},
        "api_app_id": signing.API_APP_ID,
        "view": view,
    }
    body = urlencode({"payload": json.dumps(payload)})
    r = signing.post(bot.url + EVENTS, body, SECRET, content_type=signing.FORM)
    assert r.status_code == 200


def test_the_same_event_delivered_three_times_is_handled_once(
    bot: Running, slack: FakeSlack
) -> None:
    again = signing.event_body(signing.app_home_opened_event("U0001"), event_id="Ev0000000001")
    for retry in (None, 1, 2):
        r = signing.post(bot.url + EVENTS, again, SECRET, retry_num=retry)
        assert r.status_code == 200
    for n, user in enumerate(("U0002", "U0003"), start=2):
        other = signing.event_body(signing.app_home_opened_event(user), event_id=f"Ev000000000{n}")
        assert signing.post(bot.url + EVENTS, other, SECRET).status_code == 200
    calls = slack.wait_for("views.publish", count=3)
    assert sorted(c.params["user_id"] for c in calls) == ["U0001", "U0002", "U0003"]
    assert len(slack.calls_to("views.publish")) == 3


def test_an_event_retried_on_another_instance_is_handled_once(
    slack: FakeSlack, database_url: str
) -> None:
    # Two instances on one database, as behind a load balancer: Slack's retry of an event
    # may reach the one that did not take the first delivery.
    settings = settings_for(slack.url, database_url=database_url)
    with running(settings) as one, running(settings) as two:
        event_id = f"Ev{uuid.uuid4().hex[:10]}"
        again = signing.event_body(signing.app_home_opened_event("U0001"), event_id=event_id)
        for to, retry in ((one, None), (two, 1), (two, 2), (one, 3)):
            assert signing.post(to.url + EVENTS, again, SECRET, retry_num=retry).status_code == 200
        for to, user in ((one, "U0002"), (two, "U0003")):
            other = signing.event_body(
                signing.app_home_opened_event(user), event_id=f"Ev{uuid.uuid4().hex[:10]}"
            )
            assert signing.post(to.url + EVENTS, other, SECRET).status_code == 200
        calls = slack.wait_for("views.publish", count=3)
        assert sorted(c.params["user_id"] for c in calls) == ["U0001", "U0002", "U0003"]
        assert len(slack.calls_to("views.publish")) == 3


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_log_lines_are_short_and_free_of_tokens_whatever_people_type(
    bot: Running, slack: FakeSlack, fmt: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    typed = "xoxb-1111-2222-typedByAPerson ghp_typedGitHubToken123 " + "Ingestion " * 20_000
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.formatter(fmt))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        r = bot.command(typed, slack.response_url())
        assert r.status_code == 200
        # The request's line is written when the listener ends, maybe after the ack.
        deadline = time.monotonic() + 10
        while "/roadmap" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        root.removeHandler(handler)
    text = out.getvalue()
    lines = text.splitlines()
    request = [ln for ln in lines if "/roadmap" in ln]
    assert request, text[:2000]
    if fmt == "json":
        for line in request:
            json.loads(line)
    assert all(len(line) < 6000 for line in lines), max(len(line) for line in lines)
    for secret in ("typedByAPerson", "typedGitHubToken123", TOKEN, SECRET):
        assert secret not in text


def test_a_body_larger_than_slack_sends_is_refused_unread(bot: Running) -> None:
    r = signing.post(bot.url + EVENTS, b"text=" + b"a" * (2 << 20), SECRET)
    assert r.status_code == 413
