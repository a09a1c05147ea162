"""manifest.yml against Slack's app manifest schema (v1), vendored in tests/data (see NOTICE.md)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "manifest.yml"
SCHEMA = Path(__file__).resolve().parent / "data" / "manifest.schema.1.0.0.json"

# Everything the bot calls or receives, and the scope each needs; nothing more. No
# chat:write.public: it covers chat.postMessage only, and the digest's chart upload
# (files.completeUploadExternal) needs the bot in the channel anyway, so the story is one:
# invite the bot to the channel that subscribes.
SCOPES_USED = {
    "commands",  # /roadmap
    "chat:write",  # chat.postMessage, chat.update, chat.postEphemeral
    "files:write",  # files_upload_v2 of the digest chart
    "users:read",  # users.info
    "users:read.email",  # profile.email for TICK_ALLOWED
    "usergroups:read",  # usergroups.users.list for TICK_ALLOWED
    "im:write",  # conversations.open for the DMs of /roadmap watch
}
EVENTS_PATH = "/slack/events"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(loaded)
    return loaded


@pytest.fixture
def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def errors(schema: dict[str, Any], manifest: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(manifest)
    ]


def urls(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [u for k, v in node.items() for u in ([v] if k.endswith("url") else urls(v))]
    if isinstance(node, list):
        return [u for item in node for u in urls(item)]
    return []


def test_manifest_is_valid_and_complete(schema: dict[str, Any], manifest: dict[str, Any]) -> None:
    assert errors(schema, manifest) == []

    assert manifest["_metadata"]["major_version"] == 1
    display = manifest["display_information"]
    assert display["name"] == "roadmap-bot"
    # The schema spells this "regex", which JSON Schema ignores; check it here.
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", display["background_color"])

    features = manifest["features"]
    assert features["bot_user"] == {"display_name": "roadmap-bot", "always_online": True}
    commands = {c["command"]: c for c in features["slash_commands"]}
    assert "/roadmap" in commands
    assert commands["/roadmap"]["should_escape"] is False
    for word in ("module", "group", "next", "blockers", "digest", "subscribe", "watch", "help"):
        assert word in commands["/roadmap"]["usage_hint"]
    assert features["app_home"]["home_tab_enabled"] is True
    # Watch DMs show in the Messages tab; people cannot write there (nothing would answer).
    assert features["app_home"]["messages_tab_enabled"] is True
    assert features["app_home"]["messages_tab_read_only_enabled"] is True

    assert set(manifest["oauth_config"]["scopes"]["bot"]) == SCOPES_USED

    settings = manifest["settings"]
    assert "app_home_opened" in settings["event_subscriptions"]["bot_events"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is False
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False

    found = urls(manifest)
    assert len(found) == 3  # the command, events and interactivity
    assert all(u.startswith("https://") and u.endswith(EVENTS_PATH) for u in found)


def test_schema_rejects_broken_manifests(schema: dict[str, Any], manifest: dict[str, Any]) -> None:
    without_display = copy.deepcopy(manifest)
    del without_display["display_information"]
    assert any("display_information" in e for e in errors(schema, without_display))

    bad_command = copy.deepcopy(manifest)
    bad_command["features"]["slash_commands"][0]["command"] = "roadmap"
    assert errors(schema, bad_command)

    unknown_setting = copy.deepcopy(manifest)
    unknown_setting["settings"]["socket_mode"] = True
    assert errors(schema, unknown_setting)

    without_interactivity_flag = copy.deepcopy(manifest)
    del without_interactivity_flag["settings"]["interactivity"]["is_enabled"]
    assert errors(schema, without_interactivity_flag)


def test_socket_mode_variant_is_valid(schema: dict[str, Any], manifest: dict[str, Any]) -> None:
    socket = copy.deepcopy(manifest)
    socket["settings"]["socket_mode_enabled"] = True
    for command in socket["features"]["slash_commands"]:
        command.pop("url", None)
    socket["settings"]["event_subscriptions"].pop("request_url")
    socket["settings"]["interactivity"].pop("request_url")

    assert urls(socket) == []
    assert errors(schema, socket) == []
    assert "app_home_opened" in socket["settings"]["event_subscriptions"]["bot_events"]


def test_manifest_says_how_to_deploy() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    assert "example.com" in comments
    assert "socket_mode_enabled" in comments
