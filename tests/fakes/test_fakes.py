"""The fakes themselves: FakeSlack through the real slack_sdk, signing through real verifiers."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

import pytest
import requests
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from tests.fakes import signing
from tests.fakes.server import FakeServer, QuietHandler
from tests.fakes.slack import BOT_USER_ID, CHANNEL_ID, TEAM_ID, USER_ID, FakeSlack
from tests.fakes.socket import FakeSocketServer
from tests.support.proxy import Proxy

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-fake-token"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=slack.url, timeout=5)


def tiny_png() -> bytes:
    """A valid 1x1 RGB PNG, built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x80\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_url_ends_in_api_and_server_stops() -> None:
    fake = FakeSlack()
    with fake:
        assert fake.url.startswith("http://127.0.0.1:")
        assert fake.url.endswith("/api/")
        url = fake.url
    with pytest.raises(requests.ConnectionError):
        requests.post(url + "auth.test", timeout=2)


def test_post_message_is_recorded_with_token_and_decoded_blocks(
    slack: FakeSlack, client: WebClient
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Ingestion*"}}]
    answer = client.chat_postMessage(channel=CHANNEL_ID, text="Ingestion", blocks=blocks)

    assert answer["ok"] is True
    assert answer["channel"] == CHANNEL_ID
    assert answer["message"]["user"] == BOT_USER_ID
    (call,) = slack.calls_to("chat.postMessage")
    assert call.authorization == f"Bearer {TOKEN}"
    assert call.token == TOKEN
    assert call.params["channel"] == CHANNEL_ID
    assert call.params["text"] == "Ingestion"
    assert call.params["blocks"] == blocks
    assert call.content_type.startswith("application/json")
    assert slack.message(CHANNEL_ID, answer["ts"])["blocks"] == blocks

    updated = client.chat_update(channel=CHANNEL_ID, ts=answer["ts"], text="Ingestion: done")
    assert updated["ts"] == answer["ts"]
    assert slack.message(CHANNEL_ID, answer["ts"])["text"] == "Ingestion: done"
    ephemeral = client.chat_postEphemeral(channel=CHANNEL_ID, user=USER_ID, text="only you")
    assert ephemeral["message_ts"]
    assert slack.methods() == ["chat.postMessage", "chat.update", "chat.postEphemeral"]


def test_form_bodies_are_decoded_too(slack: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "divider"}]
    client.api_call(
        "chat.postMessage", params={"channel": CHANNEL_ID, "blocks": json.dumps(blocks)}
    )
    (call,) = slack.calls_to("chat.postMessage")
    assert call.content_type.startswith("application/x-www-form-urlencoded")
    assert call.params["blocks"] == blocks  # a JSON string in the form, decoded


def test_auth_test_answers_like_slack(client: WebClient) -> None:
    answer = client.auth_test()
    assert answer["user_id"] == BOT_USER_ID
    assert answer["team_id"] == TEAM_ID
    assert answer["bot_id"]


def test_directory_lookups(slack: FakeSlack, client: WebClient) -> None:
    slack.add_user("U0002", name="grace", real_name="Grace Hopper", email="grace@example.com")
    slack.add_usergroup("S0001", [USER_ID, "U0002"])

    user = client.users_info(user="U0002")["user"]
    assert user["profile"]["email"] == "grace@example.com"
    assert user["real_name"] == "Grace Hopper"
    assert client.users_info(user=USER_ID)["user"]["profile"]["email"] == "ada@example.com"
    assert client.usergroups_users_list(usergroup="S0001")["users"] == [USER_ID, "U0002"]
    assert client.conversations_info(channel=CHANNEL_ID)["channel"]["name"] == "roadmap"
    (call,) = slack.calls_to("users.info")[:1]
    assert call.params["user"] == "U0002"  # GET-style params arrive in the query string

    with pytest.raises(SlackApiError) as missing_user:
        client.users_info(user="U9999")
    assert missing_user.value.response["error"] == "user_not_found"
    with pytest.raises(SlackApiError) as missing_group:
        client.usergroups_users_list(usergroup="S9999")
    assert missing_group.value.response["error"] == "no_such_subteam"
    with pytest.raises(SlackApiError) as missing_channel:
        client.conversations_info(channel="C9999")
    assert missing_channel.value.response["error"] == "channel_not_found"


def test_files_upload_v2_round_trips_png_bytes(slack: FakeSlack, client: WebClient) -> None:
    png = tiny_png()
    answer = client.files_upload_v2(
        channel=CHANNEL_ID,
        content=png,
        filename="readiness.png",
        title="Readiness",
        initial_comment="Weekly digest",
    )

    assert answer["file"]["name"] == "readiness.png"
    assert slack.methods() == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    (url_call,) = slack.calls_to("files.getUploadURLExternal")
    assert url_call.response["upload_url"].startswith(slack.base_url)
    assert int(url_call.params["length"]) == len(png)
    (uploaded,) = slack.uploaded_files()
    assert uploaded.content == png
    assert uploaded.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert uploaded.title == "Readiness"
    assert uploaded.channel_id == CHANNEL_ID
    assert uploaded.initial_comment == "Weekly digest"


def test_complete_upload_without_upload_fails(client: WebClient) -> None:
    file_id = client.files_getUploadURLExternal(filename="x.png", length=3)["file_id"]
    with pytest.raises(SlackApiError) as failed:
        client.files_completeUploadExternal(files=[{"id": file_id}], channel_id=CHANNEL_ID)
    assert failed.value.response["error"] == "file_not_found"


def test_response_urls_are_recorded(slack: FakeSlack) -> None:
    first, second = slack.response_url(), slack.response_url()
    assert first != second
    assert first.startswith(slack.base_url + "response/")

    sent = WebhookClient(second).send(text="Ingestion: 3/5 ready", response_type="ephemeral")

    assert sent.status_code == 200
    (response,) = slack.wait_for_response(count=1, timeout=2)
    assert response.url == second
    assert response.json == {"text": "Ingestion: 3/5 ready", "response_type": "ephemeral"}
    assert slack.calls == []  # response_urls are not Web API calls


def test_fail_next_429_reaches_client_as_ratelimited(slack: FakeSlack, client: WebClient) -> None:
    slack.fail_next("chat.postMessage", error="ratelimited", status=429, retry_after=7)

    with pytest.raises(SlackApiError) as failed:
        client.chat_postMessage(channel=CHANNEL_ID, text="hi")

    assert failed.value.response.status_code == 429
    assert failed.value.response["error"] == "ratelimited"
    assert failed.value.response.headers["Retry-After"] == "7"
    assert client.chat_postMessage(channel=CHANNEL_ID, text="hi")["ok"] is True  # only once
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]


def test_rate_limit_retry_handler_sees_retry_after(slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", error="ratelimited", status=429, retry_after=0)
    client = WebClient(
        token=TOKEN, base_url=slack.url, retry_handlers=[RateLimitErrorRetryHandler(1)]
    )

    assert client.chat_postMessage(channel=CHANNEL_ID, text="hi")["ok"] is True
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]


def test_fail_next_other_errors_and_endpoints(slack: FakeSlack, client: WebClient) -> None:
    slack.fail_next("views.publish", error="not_enabled", times=2)
    slack.fail_next("response_url", error="expired_url", status=404)
    home = {"type": "home", "blocks": []}
    for _ in range(2):
        with pytest.raises(SlackApiError, match="not_enabled"):
            client.views_publish(user_id=USER_ID, view=home)
    assert client.views_publish(user_id=USER_ID, view=home)["view"]["type"] == "home"
    assert WebhookClient(slack.response_url()).send(text="late").status_code == 404


def test_unknown_method_and_missing_token(slack: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as unknown:
        client.api_call("files.upload")
    assert unknown.value.response["error"] == "unknown_method"
    with pytest.raises(SlackApiError) as unauthenticated:
        WebClient(base_url=slack.url).auth_test()
    assert unauthenticated.value.response["error"] == "not_authed"
    with FakeSlack(token="xoxb-right") as strict, pytest.raises(SlackApiError) as wrong:
        WebClient(token="xoxb-wrong", base_url=strict.url).auth_test()
    assert wrong.value.response["error"] == "invalid_auth"


def test_block_kit_limits_are_enforced(slack: FakeSlack, client: WebClient) -> None:
    divider = {"type": "divider"}
    with pytest.raises(SlackApiError) as too_many:
        client.chat_postMessage(channel=CHANNEL_ID, text="x", blocks=[divider] * 51)
    assert too_many.value.response["error"] == "invalid_blocks"
    client.chat_postMessage(channel=CHANNEL_ID, text="x", blocks=[divider] * 50)
    client.views_publish(user_id=USER_ID, view={"type": "home", "blocks": [divider] * 100})

    options = [{"text": {"type": "plain_text", "text": str(i)}, "value": str(i)} for i in range(11)]
    checkboxes = {
        "type": "actions",
        "elements": [{"type": "checkboxes", "action_id": "tick", "options": options}],
    }
    with pytest.raises(SlackApiError) as too_many_options:
        client.chat_postMessage(channel=CHANNEL_ID, text="x", blocks=[checkboxes])
    assert any("/options" in e for e in too_many_options.value.response["errors"])


def test_views_keep_one_home_per_user_and_check_hash(slack: FakeSlack, client: WebClient) -> None:
    first = client.views_publish(user_id=USER_ID, view={"type": "home", "blocks": []})["view"]
    second = client.views_publish(
        user_id=USER_ID, view={"type": "home", "blocks": []}, hash=first["hash"]
    )["view"]
    assert second["id"] == first["id"]
    assert slack.home_views[USER_ID]["hash"] == second["hash"]
    with pytest.raises(SlackApiError, match="hash_conflict"):
        client.views_publish(user_id=USER_ID, view={"type": "home"}, hash=first["hash"])
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Tick"}, "blocks": []}
    assert client.views_open(trigger_id="1.2.3", view=modal)["view"]["type"] == "modal"


def test_wait_for_polls_and_times_out(slack: FakeSlack, client: WebClient) -> None:
    threading.Timer(0.2, lambda: client.chat_postMessage(channel=CHANNEL_ID, text="later")).start()
    (call,) = slack.wait_for("chat.postMessage", count=1, timeout=5)
    assert call.params["text"] == "later"
    started = time.monotonic()
    with pytest.raises(AssertionError, match=r"chat\.update"):
        slack.wait_for("chat.update", timeout=0.2)
    assert time.monotonic() - started < 2


# -- signing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        signing.slash_command_body(text="Ingestion & Export: 50% done?"),
        signing.block_actions_body([signing.button_action("tick", "row-3")]),
        signing.event_body(signing.app_home_opened_event()),
        "ünïcödé=✓",
    ],
    ids=["slash", "block_actions", "event", "unicode"],
)
def test_signatures_verify_with_slack_sdk(body: str) -> None:
    verifier = SignatureVerifier(SECRET)
    headers = signing.signed_headers(SECRET, body)

    assert verifier.is_valid_request(body, headers)
    assert verifier.is_valid_request(body.encode("utf-8"), headers)
    assert not verifier.is_valid_request(body + " ", headers)
    assert not SignatureVerifier("another-secret").is_valid_request(body, headers)
    stale = signing.signed_headers(SECRET, body, timestamp=int(time.time()) - 6 * 60)
    assert not verifier.is_valid_request(body, stale)


def test_bodies_have_slacks_shape() -> None:
    command = parse_qs(signing.slash_command_body(text="Ingestion", response_url="http://x/r/1"))
    assert command["command"] == ["/roadmap"]
    assert command["text"] == ["Ingestion"]
    assert command["response_url"] == ["http://x/r/1"]
    assert command["trigger_id"][0]

    in_message = json.loads(
        parse_qs(signing.block_actions_body([signing.button_action("a")]))["payload"][0]
    )
    assert in_message["container"]["type"] == "message"
    assert in_message["channel"]["id"] == CHANNEL_ID
    assert "response_url" in in_message

    in_home = json.loads(
        parse_qs(
            signing.block_actions_body(
                [signing.checkboxes_action("tick", ["r1", "r2"])], view={"id": "V1"}
            )
        )["payload"][0]
    )
    assert in_home["container"] == {"type": "view", "view_id": "V1"}
    assert "response_url" not in in_home and "channel" not in in_home
    assert [o["value"] for o in in_home["actions"][0]["selected_options"]] == ["r1", "r2"]

    event = json.loads(signing.event_body({"type": "app_home_opened", "user": USER_ID}))
    assert event["type"] == "event_callback"
    assert event["event"]["user"] == USER_ID


class _BoltServer(FakeServer):
    """A minimal HTTP front for a Bolt App: POST /slack/events -> app.dispatch."""

    thread_name = "bolt-server"

    def __init__(self, app: App) -> None:
        self.app = app

    @property
    def url(self) -> str:
        return f"{self.root}/slack/events"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        app = self.app

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
                headers = {k: [v] for k, v in self.headers.items()}
                response = app.dispatch(BoltRequest(body=body, headers=headers))
                data = (response.body or "").encode("utf-8")
                self.send_response(response.status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def test_signed_requests_drive_a_bolt_app_end_to_end(slack: FakeSlack, client: WebClient) -> None:
    app = App(signing_secret=SECRET, client=client)
    seen: dict[str, object] = {}

    @app.command("/roadmap")
    def roadmap(ack, respond, command):  # type: ignore[no-untyped-def]
        ack()
        respond(text=f"looked up {command['text']}")

    @app.action("tick")
    def tick(ack, body):  # type: ignore[no-untyped-def]
        ack()
        seen["action"] = body["actions"][0]["value"]

    @app.event("app_home_opened")
    def home(event, client):  # type: ignore[no-untyped-def]
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    with _BoltServer(app) as server:
        command = signing.slash_command_body(text="Ingestion", response_url=slack.response_url())
        assert signing.post(server.url, command, SECRET).status_code == 200
        (reply,) = slack.wait_for_response()
        assert reply.json["text"] == "looked up Ingestion"

        click = signing.block_actions_body(
            [signing.button_action("tick", "row-3")], response_url=slack.response_url()
        )
        assert signing.post(server.url, click, SECRET).status_code == 200
        assert seen["action"] == "row-3"

        opened = signing.event_body(signing.app_home_opened_event(USER_ID))
        assert signing.post(server.url, opened, SECRET, retry_num=1).status_code == 200
        (publish,) = slack.wait_for("views.publish")
        assert publish.params["user_id"] == USER_ID

        forged = signing.post(server.url, command, "not-the-secret")
        assert forged.status_code == 401
        stale = signing.post(server.url, command, SECRET, timestamp=int(time.time()) - 600)
        assert stale.status_code == 401


def test_a_crashing_handler_is_named_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    class Crash(QuietHandler):
        def do_GET(self) -> None:
            raise RuntimeError("boom in the fake")

    class FakeCrash(FakeServer):
        def handler(self) -> type[BaseHTTPRequestHandler]:
            return Crash

    with FakeCrash() as fake, pytest.raises(requests.ConnectionError):
        requests.get(fake.root + "/", timeout=5)
    err = capsys.readouterr().err
    assert "FakeCrash: a request from" in err and "RuntimeError: boom in the fake" in err


@pytest.mark.parametrize("kind", ["proxy", "socket"])
def test_a_closed_listener_stops_listening_and_its_thread_ends(kind: str) -> None:
    # Closed under a thread blocked in accept(), a socket stays listening and the thread
    # lives on, ready to take a connection meant for someone else.
    if kind == "proxy":
        proxy = Proxy(("127.0.0.1", 9))
        port, close, thread = proxy.port, proxy.close, proxy._acceptor
    else:
        server = FakeSocketServer().__enter__()
        port, thread = server.port, server._acceptor
        close = lambda: server.__exit__(None, None, None)  # noqa: E731
    time.sleep(0.05)  # the thread is in accept()
    close()
    assert not thread.is_alive()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
