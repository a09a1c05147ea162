"""A fake Slack Web API: a real HTTP server on 127.0.0.1 that records what the bot sends.

    with FakeSlack() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.url)   # slack.url ends in "/api/"
        client.chat_postMessage(channel="C0001", text="hi")
        (call,) = slack.calls_to("chat.postMessage")
        assert call.params["text"] == "hi"

What it serves:

- ``POST /api/<method>``: the Web API methods the bot uses, answered with Slack-shaped JSON
  (see ``FakeSlack.METHODS``). Anything else is ``{"ok": false, "error": "unknown_method"}``.
  Every call needs a token (``Authorization: Bearer`` or a ``token`` param): without one the
  answer is ``not_authed``; with ``FakeSlack(token=...)`` any other token is ``invalid_auth``.
  Params are read from the query string, form bodies, multipart bodies and JSON bodies; the
  fields Slack takes as JSON strings in forms (``blocks``, ``view``, ``files`` ...) are decoded,
  so ``call.params["blocks"]`` is a list however the client sent it.
- ``POST /upload/v1/<file_id>``: the upload URL handed out by ``files.getUploadURLExternal``
  (raw or multipart body). Recorded as a call to the pseudo-method ``"upload"``.
- ``POST /response/<n>``: response_urls from ``slack.response_url()``; recorded in
  ``slack.responses``.

Like Slack, it rejects Block Kit that breaks the documented limits (50 blocks in a message,
100 in a view, 10 checkbox options, 25 elements in an actions block, text lengths) with
``invalid_blocks``, because slack_sdk does not check these for plain dicts.

Failures are injected per method with ``slack.fail_next(...)``; ``"upload"`` and
``"response_url"`` are accepted as method names for the two non-API endpoints.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from .server import FakeServer, QuietHandler

TEAM_ID = "T0001"
TEAM_NAME = "Roadmap Test"
TEAM_DOMAIN = "roadmap-test"
API_APP_ID = "A0001"
BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
BOT_NAME = "roadmap-bot"
USER_ID = "U0001"
CHANNEL_ID = "C0001"

_T = TypeVar("_T")

UPLOAD = "upload"
RESPONSE_URL = "response_url"

# Params Slack accepts as JSON-encoded strings in form bodies.
JSON_PARAMS = frozenset({"blocks", "attachments", "view", "files", "metadata", "channels_json"})

DEFAULT_USERS: dict[str, dict[str, Any]] = {
    USER_ID: {"name": "ada", "real_name": "Ada Lovelace", "email": "ada@example.com"},
}
DEFAULT_CHANNELS: dict[str, dict[str, Any]] = {
    CHANNEL_ID: {"name": "roadmap"},
}


@dataclass(frozen=True)
class Call:
    """One request the fake received on the Web API (or the upload URL)."""

    method: str
    params: dict[str, Any]
    token: str | None
    authorization: str | None
    headers: dict[str, str]
    content_type: str
    body: bytes
    status: int
    response: Any
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = 0.0


@dataclass(frozen=True)
class Response:
    """One POST to a response_url."""

    n: int
    url: str
    json: Any
    body: bytes
    headers: dict[str, str]
    status: int
    at: float = 0.0


@dataclass
class UploadedFile:
    """A file the bot uploaded with getUploadURLExternal -> POST -> completeUploadExternal."""

    id: str
    filename: str
    length: int
    upload_url: str
    alt_txt: str | None = None
    content: bytes | None = None
    title: str | None = None
    channel_id: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None
    completed: bool = False


@dataclass
class _Failure:
    error: str
    status: int
    retry_after: int | None
    body: Any
    headers: dict[str, str]


class FakeSlack(FakeServer):
    """A fake Slack Web API server; see the module docstring."""

    thread_name = "fake-slack"

    METHODS = (
        "auth.test",
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.update",
        "views.publish",
        "views.open",
        "views.update",
        "users.info",
        "usergroups.users.list",
        "conversations.info",
        "conversations.open",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
        "apps.connections.open",
    )

    def __init__(
        self,
        *,
        users: Mapping[str, Mapping[str, Any]] | None = None,
        usergroups: Mapping[str, list[str]] | None = None,
        channels: Mapping[str, Mapping[str, Any]] | None = None,
        token: str | None = None,
    ) -> None:
        self.token = token
        # What apps.connections.open hands out (Socket Mode). Port 9 on loopback refuses
        # connections, so a client started against the fake never reaches Slack.
        self.socket_mode_url = "ws://127.0.0.1:9/link/?ticket=fake"
        self.calls: list[Call] = []
        self.responses: list[Response] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.files: dict[str, UploadedFile] = {}
        self._failures: dict[str, list[_Failure]] = {}
        self._holds: dict[str, int] = {}
        self.held: list[str] = []  # paths of requests held unanswered (hold_next)
        self._released = threading.Event()
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._ids = itertools.count(1)
        self._ts_base = int(time.time())
        self._ts_seq = itertools.count(1)
        self._response_urls = itertools.count(1)
        self.add_user(BOT_USER_ID, name=BOT_NAME, real_name=BOT_NAME, is_bot=True, bot_id=BOT_ID)
        for user_id, fields in (DEFAULT_USERS if users is None else users).items():
            self.add_user(user_id, **fields)
        for group_id, members in (usergroups or {}).items():
            self.add_usergroup(group_id, members)
        for channel_id, fields in (DEFAULT_CHANNELS if channels is None else channels).items():
            self.add_channel(channel_id, **fields)

    # -- lifecycle (start, stop, port: FakeServer) -------------------------------------------

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/``"""
        return f"{self.root}/"

    @property
    def url(self) -> str:
        """The Web API base URL, ending in ``/api/``: SLACK_API_URL, ``WebClient(base_url=...)``."""
        return f"{self.base_url}api/"

    def response_url(self) -> str:
        """A fresh response_url on the fake: ``http://127.0.0.1:PORT/response/<n>``."""
        return f"{self.base_url}response/{next(self._response_urls)}"

    # -- configuration -----------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        tz: str = "Europe/London",
        **extra: Any,
    ) -> dict[str, Any]:
        """Add (or replace) a user as users.info returns it; ``extra`` is merged at top level."""
        name = name or user_id.lower()
        real_name = real_name or name
        profile: dict[str, Any] = {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": display_name or "",
            "display_name_normalized": display_name or "",
            "team": TEAM_ID,
            "image_48": f"https://avatars.example.com/{user_id}_48.png",
        }
        if email is not None:
            profile["email"] = email
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name,
            "deleted": deleted,
            "real_name": real_name,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": 0,
            "is_admin": False,
            "is_owner": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": self._ts_base,
            "profile": profile,
        }
        if extra:
            user.update(extra)
        with self._lock:
            self.users[user_id] = user
        return user

    def add_usergroup(self, usergroup_id: str, members: list[str]) -> None:
        with self._lock:
            self.usergroups[usergroup_id] = list(members)

    def add_channel(
        self,
        channel_id: str,
        name: str | None = None,
        *,
        is_private: bool = False,
        is_member: bool = True,
        is_archived: bool = False,
        **extra: Any,
    ) -> dict[str, Any]:
        name = name or channel_id.lower()
        is_im = channel_id.startswith("D")
        channel: dict[str, Any] = {
            "id": channel_id,
            "name": name,
            "name_normalized": name,
            "is_channel": not is_im and not is_private,
            "is_group": is_private,
            "is_im": is_im,
            "is_mpim": False,
            "is_private": is_private or is_im,
            "is_archived": is_archived,
            "is_general": False,
            "is_member": is_member,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_shared": False,
            "created": self._ts_base,
            "creator": USER_ID,
            "context_team_id": TEAM_ID,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }
        if extra:
            channel.update(extra)
        with self._lock:
            self.channels[channel_id] = channel
        return channel

    def fail_next(
        self,
        method: str,
        error: str = "internal_error",
        *,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Make the next ``times`` requests to ``method`` fail.

        The answer is ``body`` (a dict is sent as JSON, str/bytes as is) or
        ``{"ok": false, "error": error}``, with HTTP ``status``. A 429 always carries
        ``Retry-After`` (``retry_after`` seconds, default 1), as Slack's does.
        ``method`` may also be ``"upload"`` or ``"response_url"``.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        failure = _Failure(error, status, retry_after, body, dict(headers or {}))
        with self._lock:
            self._failures.setdefault(method, []).extend([failure] * times)

    def hold_next(self, method: str, times: int = 1) -> None:
        """Hold the next ``times`` requests to ``method`` (or ``"response_url"``) unanswered
        until ``release()``; then close them without an answer. They are listed in ``held``,
        never in ``calls`` or ``responses``: Slack did not accept them (the sender killed
        meanwhile never hears back)."""
        with self._lock:
            self._holds[method] = self._holds.get(method, 0) + times
            self._released.clear()

    def release(self) -> None:
        """Let held requests go (closed unanswered)."""
        self._released.set()

    def stopping(self) -> None:
        self._released.set()

    def wait_held(self, count: int = 1, timeout: float = 5) -> list[str]:
        with self._changed:
            self._changed.wait_for(lambda: len(self.held) >= count, timeout=timeout)
            return list(self.held)

    def _hold(self, method: str, path: str) -> bool:
        """Whether this request is held: if so, it waits here until released."""
        with self._changed:
            if not self._holds.get(method):
                return False
            self._holds[method] -= 1
            self.held.append(path)
            self._changed.notify_all()
        self._released.wait()
        return True

    def clear(self) -> None:
        """Forget recorded calls, responses, messages, views, files and pending failures."""
        with self._lock:
            self.calls.clear()
            self.responses.clear()
            self.messages.clear()
            self.views.clear()
            self.home_views.clear()
            self.files.clear()
            self._failures.clear()

    # -- inspection --------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def methods(self) -> list[str]:
        """The method names called so far, in order."""
        with self._lock:
            return [c.method for c in self.calls]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5) -> list[Call]:
        """Wait until ``method`` has been called ``count`` times; return those calls."""
        return self._wait(
            lambda: self.calls_to(method),
            count,
            timeout,
            lambda: f"{count} call(s) to {method}; calls so far: {self.methods()}",
        )

    def wait_for_response(self, count: int = 1, timeout: float = 5) -> list[Response]:
        """Wait until ``count`` POSTs reached response_urls; return them."""
        return self._wait(
            lambda: list(self.responses),
            count,
            timeout,
            lambda: f"{count} response_url POST(s); got {len(self.responses)}",
        )

    def uploaded_files(self) -> list[UploadedFile]:
        """Files completed with files.completeUploadExternal, in upload order."""
        with self._lock:
            return [f for f in self.files.values() if f.completed]

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The latest state of a message the bot posted or updated."""
        with self._lock:
            return self.messages.get((channel, ts))

    def _wait(
        self,
        get: Callable[[], list[_T]],
        count: int,
        timeout: float,
        describe: Callable[[], str],
    ) -> list[_T]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = get()
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"FakeSlack: timed out after {timeout}s waiting for {describe()}"
                    )
                self._changed.wait(min(remaining, 0.05))

    # -- request handling (called from server threads) ---------------------------------------

    def _record(self, item: Call | Response) -> None:
        with self._changed:
            if isinstance(item, Call):
                self.calls.append(item)
            else:
                self.responses.append(item)
            self._changed.notify_all()

    def _take_failure(self, method: str) -> _Failure | None:
        with self._lock:
            pending = self._failures.get(method)
            return pending.pop(0) if pending else None

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _next_ts(self) -> str:
        return f"{self._ts_base}.{next(self._ts_seq):06d}"

    def _api(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if method not in self.METHODS or handler is None:
            return {"ok": False, "error": "unknown_method"}
        if not token:
            return {"ok": False, "error": "not_authed"}
        if self.token is not None and token != self.token:
            return {"ok": False, "error": "invalid_auth"}
        with self._lock:
            return handler(params)

    # -- the methods -------------------------------------------------------------------------

    def _m_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": BOT_NAME,
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _m_apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.socket_mode_url}

    def _message(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "subtype": "bot_message",
            "text": params.get("text", ""),
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": API_APP_ID,
            "team": TEAM_ID,
            "ts": ts,
        }
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if params.get(key) not in (None, ""):
                message[key] = params[key]
        return message

    @staticmethod
    def _check_message(params: dict[str, Any]) -> dict[str, Any] | None:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not any(params.get(k) for k in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        return _invalid_blocks(params.get("blocks"), 50, "/blocks")

    def _m_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        if error := self._check_message(params):
            return error
        ts = self._next_ts()
        message = self._message(params, ts)
        self.messages[(params["channel"], ts)] = message
        return {"ok": True, "channel": params["channel"], "ts": ts, "message": message}

    def _m_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("user"):
            return {"ok": False, "error": "invalid_arguments"}
        if error := self._check_message(params):
            return error
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        if error := self._check_message(params):
            return error
        channel, ts = params["channel"], params["ts"]
        message = self._message(params, ts)
        message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        self.messages[(channel, ts)] = message
        text = message["text"]
        return {"ok": True, "channel": channel, "ts": ts, "text": text, "message": message}

    def _view(self, view: Any, kind: str, view_id: str | None = None) -> dict[str, Any]:
        """Store ``view`` and answer as views.publish/open do, or answer Slack's error."""
        if not isinstance(view, dict) or view.get("type") != kind:
            return {"ok": False, "error": "invalid_arguments"}
        if error := _invalid_blocks(view.get("blocks"), 100, "/view/blocks"):
            return error
        view_id = view_id or self._next_id("V")
        stored = {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": kind,
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{next(self._ids):08d}",
            "title": view.get("title"),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": API_APP_ID,
            "bot_id": BOT_ID,
        }
        self.views[view_id] = stored
        return {"ok": True, "view": stored}

    def _m_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not user_id:
            return {"ok": False, "error": "invalid_arguments"}
        current = self.home_views.get(user_id)
        if params.get("hash") and current is not None and params["hash"] != current["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        answer = self._view(params.get("view"), "home", current["id"] if current else None)
        if answer["ok"]:
            self.home_views[user_id] = answer["view"]
        return answer

    def _m_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return self._view(params.get("view"), "modal")

    def _m_views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return self._view(params.get("view"), "modal")

    def _m_views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        if not (params.get("view_id") or params.get("external_id")):
            return {"ok": False, "error": "invalid_arguments"}
        return self._view(params.get("view"), "modal", params.get("view_id"))

    def _m_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(params.get("user", ""))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": json.loads(json.dumps(user))}

    def _m_usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        members = self.usergroups.get(params.get("usergroup", ""))
        if members is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(members)}

    def _m_conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(params.get("channel", ""))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": dict(channel)}

    def _m_conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """A DM with one user (im:write): its channel id is "D" + the user's id."""
        user = str(params.get("users") or "")
        if "," in user or user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": "D" + user, "is_im": True, "user": user}}

    def _m_files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        filename, length = params.get("filename"), params.get("length")
        if not filename or length in (None, ""):
            return {"ok": False, "error": "invalid_arguments"}
        try:
            size = int(length)
        except (TypeError, ValueError):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._next_id("F")
        upload_url = f"{self.base_url}upload/v1/{file_id}"
        self.files[file_id] = UploadedFile(
            id=file_id,
            filename=filename,
            length=size,
            upload_url=upload_url,
            alt_txt=params.get("alt_txt") or None,
        )
        return {"ok": True, "upload_url": upload_url, "file_id": file_id}

    def _m_files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        entries = params.get("files")
        if not isinstance(entries, list) or not entries:
            return {"ok": False, "error": "invalid_arguments"}
        channel_id = params.get("channel_id") or None
        channels = params.get("channels") or None
        if channels and isinstance(channels, str):
            channels = channels.split(",")
        targets = [channel_id] if channel_id else list(channels or [])
        out = []
        for entry in entries:
            file = self.files.get(entry.get("id", "")) if isinstance(entry, dict) else None
            if file is None or file.content is None:
                return {"ok": False, "error": "file_not_found"}
        for entry in entries:
            file = self.files[entry["id"]]
            file.title = entry.get("title") or file.filename
            file.channel_id = channel_id or (targets[0] if targets else None)
            file.initial_comment = params.get("initial_comment") or None
            file.thread_ts = params.get("thread_ts") or None
            file.completed = True
            out.append(_file_object(file, targets, self.base_url))
        return {"ok": True, "files": out}


# -- Block Kit limits ------------------------------------------------------------------------

_TEXT_LIMITS = {"section": 3000, "header": 150}


def _invalid_blocks(blocks: Any, max_blocks: int, pointer: str) -> dict[str, Any] | None:
    """Slack's ``invalid_blocks`` answer if ``blocks`` break a documented limit, else None."""
    if blocks in (None, ""):
        return None
    if not isinstance(blocks, list):
        return {"ok": False, "error": "invalid_blocks_format"}
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"must provide less than {max_blocks + 1} items [json-pointer:{pointer}]")
    for i, block in enumerate(blocks):
        where = f"{pointer}/{i}"
        if not isinstance(block, dict) or "type" not in block:
            errors.append(f"missing required field: type [json-pointer:{where}]")
            continue
        errors.extend(_block_errors(block, where))
    if errors:
        return {"ok": False, "error": "invalid_blocks", "errors": errors}
    return None


def _too_long(value: Any, limit: int, where: str) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{where}]"]
    return []


def _block_errors(block: dict[str, Any], where: str) -> list[str]:
    errors = _too_long(block.get("block_id"), 255, f"{where}/block_id")
    kind = block["type"]
    text = block.get("text")
    if kind in _TEXT_LIMITS and isinstance(text, dict):
        errors += _too_long(text.get("text"), _TEXT_LIMITS[kind], f"{where}/text/text")
    fields = block.get("fields")
    if isinstance(fields, list):
        if len(fields) > 10:
            errors.append(f"must provide less than 11 items [json-pointer:{where}/fields]")
        for j, f in enumerate(fields):
            if isinstance(f, dict):
                errors += _too_long(f.get("text"), 2000, f"{where}/fields/{j}/text")
    elements = block.get("elements")
    if kind == "actions" and isinstance(elements, list) and len(elements) > 25:
        errors.append(f"must provide less than 26 items [json-pointer:{where}/elements]")
    if kind == "context" and isinstance(elements, list) and len(elements) > 10:
        errors.append(f"must provide less than 11 items [json-pointer:{where}/elements]")
    candidates: list[tuple[str, Any]] = []
    if isinstance(elements, list) and kind in ("actions", "context"):
        candidates += [(f"{where}/elements/{j}", e) for j, e in enumerate(elements)]
    if "accessory" in block:
        candidates.append((f"{where}/accessory", block["accessory"]))
    if "element" in block:
        candidates.append((f"{where}/element", block["element"]))
    for at, element in candidates:
        if isinstance(element, dict):
            errors += _element_errors(element, at)
    return errors


def _element_errors(element: dict[str, Any], where: str) -> list[str]:
    errors = _too_long(element.get("action_id"), 255, f"{where}/action_id")
    kind = element.get("type")
    if kind == "button":
        text = element.get("text")
        if isinstance(text, dict):
            errors += _too_long(text.get("text"), 75, f"{where}/text/text")
        errors += _too_long(element.get("value"), 2000, f"{where}/value")
    if kind in ("checkboxes", "radio_buttons", "overflow"):
        options = element.get("options")
        limit = 5 if kind == "overflow" else 10
        if isinstance(options, list) and len(options) > limit:
            errors.append(
                f"must provide less than {limit + 1} items [json-pointer:{where}/options]"
            )
    return errors


def _file_object(file: UploadedFile, channels: list[str], base_url: str) -> dict[str, Any]:
    ext = file.filename.rsplit(".", 1)[-1].lower() if "." in file.filename else "binary"
    mimetype = {
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "svg": "image/svg+xml",
    }
    now = int(time.time())
    url = f"{base_url}files-pri/{TEAM_ID}-{file.id}/{file.filename}"
    return {
        "id": file.id,
        "created": now,
        "timestamp": now,
        "name": file.filename,
        "title": file.title,
        "mimetype": mimetype.get(ext, "application/octet-stream"),
        "filetype": ext,
        "pretty_type": ext.upper(),
        "user": BOT_USER_ID,
        "user_team": TEAM_ID,
        "editable": False,
        "size": len(file.content or b""),
        "mode": "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": bool(channels),
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        "url_private": url,
        "url_private_download": url.replace("files-pri", "files-pri/download"),
        "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{BOT_USER_ID}/{file.id}/{file.filename}",
        "channels": list(channels),
        "groups": [],
        "ims": [],
        "comments_count": 0,
        "alt_txt": file.alt_txt,
        "shares": {},
    }


# -- HTTP ------------------------------------------------------------------------------------

_API_PATH = re.compile(r"^/api/([A-Za-z0-9_.]+)/?$")
_UPLOAD_PATH = re.compile(r"^/upload/v1/([A-Za-z0-9]+)/?$")
_RESPONSE_PATH = re.compile(r"^/response/([0-9]+)/?$")


def _decode_json_params(params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    for key in JSON_PARAMS & out.keys():
        value = out[key]
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with contextlib.suppress(json.JSONDecodeError):
                out[key] = json.loads(value)
    return out


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    if not message.is_multipart():
        return fields, files
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files[str(name)] = payload
        else:
            fields[str(name)] = payload.decode("utf-8", "replace")
    return fields, files


def _handler_for(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        server_version = "FakeSlack/1.0"

        def _body(self) -> bytes:
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _send(
            self,
            status: int,
            payload: Any,
            headers: Mapping[str, str] | None = None,
        ) -> None:
            if isinstance(payload, bytes):
                data, ctype = payload, "application/octet-stream"
            elif isinstance(payload, str):
                data, ctype = payload.encode("utf-8"), "text/plain; charset=utf-8"
            else:
                data, ctype = json.dumps(payload).encode("utf-8"), "application/json; charset=utf-8"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _failure_reply(self, failure: _Failure) -> tuple[int, Any, dict[str, str]]:
            payload = (
                failure.body if failure.body is not None else {"ok": False, "error": failure.error}
            )
            headers = dict(failure.headers)
            if failure.retry_after is not None:
                headers["Retry-After"] = str(failure.retry_after)
            return failure.status, payload, headers

        def do_GET(self) -> None:
            self._dispatch(b"")

        def do_POST(self) -> None:
            self._dispatch(self._body())

        def _dispatch(self, body: bytes) -> None:
            path = urlsplit(self.path).path
            try:
                if m := _API_PATH.match(path):
                    self._api(m.group(1), body)
                elif m := _UPLOAD_PATH.match(path):
                    self._upload(m.group(1), body)
                elif m := _RESPONSE_PATH.match(path):
                    self._response(int(m.group(1)), body)
                else:
                    self._send(404, "not found")
            except Exception as exc:  # keep the server alive; tell the test what broke
                self._send(500, {"ok": False, "error": "fake_slack_exception", "detail": repr(exc)})
                raise

        def _api(self, method: str, body: bytes) -> None:
            ctype = self.headers.get("Content-Type") or ""
            params: dict[str, Any] = dict(
                parse_qsl(urlsplit(self.path).query, keep_blank_values=True)
            )
            files: dict[str, bytes] = {}
            if body:
                if ctype.startswith("application/json"):
                    loaded = json.loads(body.decode("utf-8"))
                    if isinstance(loaded, dict):
                        params.update(loaded)
                elif ctype.startswith("multipart/form-data"):
                    fields, files = _parse_multipart(ctype, body)
                    params.update(fields)
                else:
                    params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            params = _decode_json_params(params)
            authorization = self.headers.get("Authorization")
            token = None
            if authorization and authorization.startswith("Bearer "):
                token = authorization[len("Bearer ") :].strip()
            token = token or params.get("token") or None
            if fake._hold(method, self.path):
                self.close_connection = True
                return
            failure = fake._take_failure(method)
            if failure is not None:
                status, payload, headers = self._failure_reply(failure)
            else:
                status, payload, headers = 200, fake._api(method, params, token), {}
            fake._record(
                Call(
                    method=method,
                    params=params,
                    token=token,
                    authorization=authorization,
                    headers=dict(self.headers.items()),
                    content_type=ctype,
                    body=body,
                    status=status,
                    response=payload,
                    files=files,
                    at=time.time(),
                )
            )
            self._send(status, payload, headers)

        def _upload(self, file_id: str, body: bytes) -> None:
            ctype = self.headers.get("Content-Type") or ""
            content, fields, files = body, {}, {}
            if ctype.startswith("multipart/form-data"):
                fields, files = _parse_multipart(ctype, body)
                content = next(iter(files.values()), b"")
            failure = fake._take_failure(UPLOAD)
            with fake._lock:
                file = fake.files.get(file_id)
                if failure is not None:
                    status, payload, headers = self._failure_reply(failure)
                elif file is None:
                    status, payload, headers = 404, "invalid upload url", {}
                else:
                    file.content = content
                    status, payload, headers = 200, f"OK - {len(content)}", {}
            fake._record(
                Call(
                    method=UPLOAD,
                    params={"file_id": file_id, **fields},
                    token=None,
                    authorization=self.headers.get("Authorization"),
                    headers=dict(self.headers.items()),
                    content_type=ctype,
                    body=body,
                    status=status,
                    response=payload,
                    files=files or {"file": content},
                    at=time.time(),
                )
            )
            self._send(status, payload, headers)

        def _response(self, n: int, body: bytes) -> None:
            try:
                parsed = json.loads(body.decode("utf-8")) if body else None
            except (UnicodeDecodeError, json.JSONDecodeError):
                parsed = None
            if fake._hold(RESPONSE_URL, self.path):
                self.close_connection = True
                return
            failure = fake._take_failure(RESPONSE_URL)
            if failure is not None:
                status, payload, headers = self._failure_reply(failure)
            elif not isinstance(parsed, dict):
                status, payload, headers = 400, {"ok": False, "error": "invalid_payload"}, {}
            else:
                status, payload, headers = 200, {"ok": True}, {}
            fake._record(
                Response(
                    n=n,
                    url=f"{fake.base_url}response/{n}",
                    json=parsed,
                    body=body,
                    headers=dict(self.headers.items()),
                    status=status,
                    at=time.time(),
                )
            )
            self._send(status, payload, headers)

    return Handler
