"""Requests built and signed the way Slack sends them to ``POST /slack/events``.

Signing follows Slack's v0 scheme, implemented here with ``hmac`` so it does not lean on the
code under test: ``X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:{timestamp}:{body}")>``
plus ``X-Slack-Request-Timestamp``. Bodies are ``str`` and must be sent byte-for-byte as signed.

    body = slash_command_body(text="Ingestion", response_url=slack.response_url())
    r = post(f"{base}/slack/events", body, SECRET)

Slash commands and interactivity arrive form-encoded (interactivity as ``payload=<json>``);
events arrive as JSON. The default IDs match ``tests.fakes.slack`` (team, user, channel, bot),
and the default response_url points at a closed local port, so a test that forgets to pass
``slack.response_url()`` fails fast instead of reaching the internet.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import requests

from .slack import API_APP_ID, BOT_ID, BOT_USER_ID, CHANNEL_ID, TEAM_DOMAIN, TEAM_ID, USER_ID

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
VERIFICATION_TOKEN = "fake-verification-token"
# Port 9 (discard) on loopback: connections are refused, nothing leaves the machine.
UNSET_RESPONSE_URL = "http://127.0.0.1:9/response/unset"

_seq = itertools.count(1)


def _trigger_id() -> str:
    n = next(_seq)
    return f"{n}.{int(time.time())}.{n:032x}"


def signature(secret: str, timestamp: str | int, body: str | bytes) -> str:
    """``v0=<hex>``: HMAC-SHA256 with the signing secret over ``v0:{timestamp}:{body}``."""
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    base = b"v0:" + str(timestamp).encode("ascii") + b":" + raw
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: str | bytes, timestamp: str | int | None = None
) -> dict[str, str]:
    """The two signature headers for ``body``; ``timestamp`` defaults to now."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature(secret, ts, body)}


def slash_command_body(
    command: str = "/roadmap",
    text: str = "",
    *,
    user_id: str = USER_ID,
    user_name: str = "ada",
    channel_id: str = CHANNEL_ID,
    channel_name: str = "roadmap",
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    response_url: str = UNSET_RESPONSE_URL,
    trigger_id: str | None = None,
    api_app_id: str = API_APP_ID,
) -> str:
    """A slash command as Slack posts it: form-encoded, in Slack's field order."""
    return urlencode(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or _trigger_id(),
        }
    )


def button_action(
    action_id: str, value: str = "", *, block_id: str = "actions", text: str = "Button"
) -> dict[str, Any]:
    """One ``actions[]`` entry for a clicked button."""
    return {
        "type": "button",
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "value": value,
        "action_ts": f"{time.time():.6f}",
    }


def checkboxes_action(
    action_id: str, selected: Sequence[str | Mapping[str, Any]], *, block_id: str = "actions"
) -> dict[str, Any]:
    """One ``actions[]`` entry for a checkboxes element; ``selected`` are values or options.

    Slack sends the full list of options ticked after the click, not the one that changed.
    """
    options = [
        dict(o) if isinstance(o, Mapping) else {"text": {"type": "mrkdwn", "text": o}, "value": o}
        for o in selected
    ]
    return {
        "type": "checkboxes",
        "action_id": action_id,
        "block_id": block_id,
        "selected_options": options,
        "action_ts": f"{time.time():.6f}",
    }


def block_actions_body(
    actions: Sequence[Mapping[str, Any]],
    *,
    user_id: str = USER_ID,
    user_name: str = "ada",
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    channel_id: str = CHANNEL_ID,
    channel_name: str = "roadmap",
    response_url: str | None = UNSET_RESPONSE_URL,
    container: Mapping[str, Any] | None = None,
    message: Mapping[str, Any] | None = None,
    view: Mapping[str, Any] | None = None,
    state: Mapping[str, Any] | None = None,
    trigger_id: str | None = None,
    api_app_id: str = API_APP_ID,
) -> str:
    """A ``block_actions`` interaction as Slack posts it: form body ``payload=<json>``.

    With ``view`` (a click in App Home or a modal) the payload has a view container, the view,
    and no channel, message or response_url, as Slack's has. Otherwise it is a click on a
    message in ``channel_id``: ``message`` defaults to a bot message and ``container`` to that
    message; ``response_url`` is included (pass ``slack.response_url()``).
    """
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or _trigger_id(),
        "team": {"id": team_id, "domain": team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if view is not None:
        view = dict(view)
        view.setdefault("id", "V00000001")
        view.setdefault("type", "home")
        view.setdefault("team_id", team_id)
        view.setdefault("app_id", api_app_id)
        view.setdefault("bot_id", BOT_ID)
        view.setdefault("blocks", [])
        view.setdefault("private_metadata", "")
        view.setdefault("callback_id", "")
        view.setdefault("hash", f"{int(time.time())}.abcdef")
        view.setdefault("state", dict(state) if state is not None else {"values": {}})
        payload["container"] = dict(container or {"type": "view", "view_id": view["id"]})
        payload["view"] = view
        if response_url is not None and response_url != UNSET_RESPONSE_URL:
            payload["response_url"] = response_url
    else:
        msg = dict(message or {})
        msg.setdefault("type", "message")
        msg.setdefault("subtype", "bot_message")
        msg.setdefault("text", "")
        msg.setdefault("user", BOT_USER_ID)
        msg.setdefault("bot_id", BOT_ID)
        msg.setdefault("app_id", api_app_id)
        msg.setdefault("team", team_id)
        msg.setdefault("ts", f"{int(time.time())}.000100")
        msg.setdefault("blocks", [])
        payload["container"] = dict(
            container
            or {
                "type": "message",
                "message_ts": msg["ts"],
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
        )
        payload["channel"] = {"id": channel_id, "name": channel_name}
        if not payload["container"].get("is_ephemeral"):
            payload["message"] = msg
        payload["state"] = dict(state) if state is not None else {"values": {}}
        if response_url is not None:
            payload["response_url"] = response_url
    payload["actions"] = [dict(a) for a in actions]
    return urlencode({"payload": json.dumps(payload)})


def app_home_opened_event(
    user_id: str = USER_ID,
    *,
    tab: str = "home",
    channel: str = "D0001",
    view: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An ``app_home_opened`` event; ``view`` is the currently published Home, if any."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": channel,
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }
    if view is not None:
        event["view"] = dict(view)
    return event


def event_body(
    event: Mapping[str, Any],
    *,
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
    event_id: str | None = None,
    event_time: int | None = None,
) -> str:
    """An Events API ``event_callback`` envelope around ``event``, as JSON."""
    n = next(_seq)
    return json.dumps(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "context_team_id": team_id,
            "context_enterprise_id": None,
            "api_app_id": api_app_id,
            "event": dict(event),
            "type": "event_callback",
            "event_id": event_id or f"Ev{n:010d}",
            "event_time": int(time.time()) if event_time is None else event_time,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-fake-event-context-{n}",
        }
    )


def url_verification_body(challenge: str = "fake-challenge") -> str:
    """The handshake Slack posts when the Events request URL is saved."""
    return json.dumps(
        {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    )


def post(
    url: str,
    body: str | bytes,
    secret: str,
    content_type: str | None = None,
    timestamp: str | int | None = None,
    retry_num: int | None = None,
    *,
    retry_reason: str = "http_timeout",
    headers: Mapping[str, str] | None = None,
    timeout: float = 10,
) -> requests.Response:
    """POST ``body`` signed with ``secret``, with the headers Slack sends.

    ``content_type`` defaults to JSON for bodies starting with ``{`` and to a form otherwise.
    ``retry_num`` adds ``X-Slack-Retry-Num``/``X-Slack-Retry-Reason`` as on Slack's retries.
    """
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    if content_type is None:
        content_type = JSON if raw.lstrip()[:1] == b"{" else FORM
    sent = {"Content-Type": content_type, "User-Agent": USER_AGENT, "Accept": "*/*"}
    sent.update(signed_headers(secret, raw, timestamp))
    if retry_num is not None:
        sent["X-Slack-Retry-Num"] = str(retry_num)
        sent["X-Slack-Retry-Reason"] = retry_reason
    sent.update(headers or {})
    return requests.post(url, data=raw, headers=sent, timeout=timeout)
