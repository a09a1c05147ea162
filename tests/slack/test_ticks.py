"""A tick from Slack, end to end: signed click -> recorded -> ack -> commit on a real remote
-> the card updated through the response_url."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from bot.slack.blocks import parse_tick_value
from tests.fakes import signing
from tests.fakes.slack import FakeSlack
from tests.support.git import Remote, git

from .app_server import SECRET, running, settings_for


@pytest.fixture
def slack() -> Any:
    with FakeSlack() as fake:
        yield fake


def tick_buttons(
    blocks: list[dict[str, Any]], prefix: str = "roadmap_tick"
) -> dict[str, dict[str, Any]]:
    found = {}
    for b in blocks:
        for el in b.get("elements", []):
            if el.get("type") == "button" and el["action_id"].startswith(prefix):
                req = parse_tick_value(el["value"])
                assert req is not None
                found[req.column] = el
    return found


def ephemeral_click(
    bot: Any,
    button: dict[str, Any],
    url: str,
    user: str = signing.USER_ID,
    retry: int | None = None,
    action_ts: str | None = None,
) -> Any:
    action = signing.button_action(button["action_id"], button["value"])
    if action_ts:
        action["action_ts"] = action_ts
    container = {
        "type": "message",
        "message_ts": "1700000000.000100",
        "channel_id": signing.CHANNEL_ID,
        "is_ephemeral": True,
    }
    body = signing.block_actions_body([action], response_url=url, container=container, user_id=user)
    return signing.post(bot.url + "/slack/events", body, SECRET, retry_num=retry)


def wait_until(check: Any, timeout: float = 10) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def direct(slack: FakeSlack, remote: Remote, tmp_path: Path, **kw: Any) -> Any:
    return settings_for(
        slack.url,
        roadmap_repo=str(remote.bare),
        tick_mode="direct",
        tick_allowed="U0001",
        tick_interval_seconds=3600,
        **kw,
    )


def test_tick_from_a_card_commits_and_updates_the_card(
    slack: FakeSlack, remote: Remote, tmp_path: Path
) -> None:
    before = remote.log()
    with running(direct(slack, remote, tmp_path)) as bot:
        card = bot.command("Ingestion", slack.response_url()).json()
        api = tick_buttons(card["blocks"])["API"]
        url = slack.response_url()
        resp = ephemeral_click(bot, api, url)
        assert resp.status_code == 200
        pending, final = slack.wait_for_response(2)
    assert pending.json["replace_original"] is True
    assert "ticking" in json.dumps(pending.json["blocks"], ensure_ascii=False)
    final_text = json.dumps(final.json["blocks"], ensure_ascii=False)
    assert "Ticked *Ingestion* / API" in final_text and "1/7" in final_text
    assert "API" not in tick_buttons(final.json["blocks"])  # no tick button for a done cell
    log = remote.log()
    assert len(log) == len(before) + 1
    message = git(remote.bare, "log", "-1", "--format=%B")
    assert "ticked Ingestion / API" in message
    trailer = next(ln for ln in message.splitlines() if ln.startswith("Co-authored-by: "))
    assert trailer.endswith("<ada@example.com>")
    assert log[0][:7] in final_text


def test_retries_and_double_clicks_make_one_change(
    slack: FakeSlack, remote: Remote, tmp_path: Path
) -> None:
    with running(direct(slack, remote, tmp_path)) as bot:
        card = bot.command("Ingestion", slack.response_url()).json()
        runbook = tick_buttons(card["blocks"])["Runbook"]
        url = slack.response_url()
        first = ephemeral_click(bot, runbook, url, action_ts="1700000001.000001")
        retried = ephemeral_click(bot, runbook, url, retry=1, action_ts="1700000001.000001")
        double = ephemeral_click(bot, runbook, url, action_ts="1700000001.500000")
        assert {first.status_code, retried.status_code, double.status_code} == {200}
        wait_until(lambda: len(remote.log()) == 2)
        time.sleep(0.5)
        assert bot.services.ticks.run_now() == []
    assert len(remote.log()) == 2  # the seed and one tick: the double click was a no-op
    texts = " ".join(json.dumps(r.json) for r in slack.responses)
    assert "already done" in texts


def test_someone_not_allowed_is_told_and_nothing_is_written(
    slack: FakeSlack, remote: Remote, tmp_path: Path
) -> None:
    with running(direct(slack, remote, tmp_path)) as bot:
        card = bot.command("Ingestion", slack.response_url()).json()
        url = slack.response_url()
        ephemeral_click(bot, tick_buttons(card["blocks"])["API"], url, user="U0999")
        [said] = slack.wait_for_response(1)
        assert bot.services.ticks.waiting() == {}
    assert said.json["response_type"] == "ephemeral" and "<@U0001>" in said.json["text"]
    assert len(remote.log()) == 1


def test_untick_after_confirm(slack: FakeSlack, remote: Remote, tmp_path: Path) -> None:
    with running(direct(slack, remote, tmp_path)) as bot:
        card = bot.command("Policy Engine", slack.response_url()).json()
        untick = tick_buttons(card["blocks"], "roadmap_untick")["Security"]
        assert "confirm" in untick  # Slack asks "Untick …?" before the click reaches us
        ephemeral_click(bot, untick, slack.response_url())
        wait_until(lambda: len(remote.log()) == 2)
    assert "unticked Policy Engine / Security" in git(remote.bare, "log", "-1", "--format=%s")


def test_ticks_on_the_bundled_example_work_locally(slack: FakeSlack) -> None:
    with running(settings_for(slack.url)) as bot:
        assert bot.services.ticks is not None and bot.services.ticks.mode == "local"
        card = bot.command("Ingestion", slack.response_url()).json()
        ephemeral_click(bot, tick_buttons(card["blocks"])["Index"], slack.response_url())
        wait_until(
            lambda: "1/7" in json.dumps(bot.command("Ingestion", slack.response_url()).json())
        )


def test_ticks_off_for_a_remote_without_token(slack: FakeSlack, tmp_path: Path) -> None:
    settings = settings_for(slack.url, roadmap_repo="https://127.0.0.1:9/acme/docs.git")
    from bot.ticks.service import tick_mode

    assert tick_mode(settings) is None


def test_user_group_members_may_tick_from_an_app_home_modal(
    slack: FakeSlack, remote: Remote, tmp_path: Path
) -> None:
    slack.add_user("U0005", name="grace", email="grace@example.com")
    slack.add_usergroup("S0DOCS", ["U0005"])
    settings = direct(slack, remote, tmp_path).model_copy(update={"tick_allowed": "S0DOCS"})
    with running(settings) as bot:
        card = bot.command("Ingestion", slack.response_url()).json()
        api = tick_buttons(card["blocks"])["API"]
        view = {"id": "V0MODAL", "type": "modal", "blocks": card["blocks"]}
        action = signing.button_action(api["action_id"], api["value"])
        body = signing.block_actions_body([action], user_id="U0005", view=view)
        assert signing.post(bot.url + "/slack/events", body, SECRET).status_code == 200
        wait_until(lambda: len(remote.log()) == 2)
        updates = slack.wait_for("views.update", 2)
    assert {u.params["view_id"] for u in updates} == {"V0MODAL"}
    last = json.dumps(updates[-1].params["view"], ensure_ascii=False)
    assert "1/7" in last and "Ticked" in last
    message = git(remote.bare, "log", "-1", "--format=%B")
    assert "Co-authored-by: grace <grace@example.com>" in message


def test_the_home_tab_names_the_new_commit_after_a_tick_from_app_home(
    slack: FakeSlack, remote: Remote, tmp_path: Path
) -> None:
    with running(direct(slack, remote, tmp_path)) as bot:
        card = bot.command("Ingestion", slack.response_url()).json()
        api = tick_buttons(card["blocks"])["API"]
        view = {"id": "V0MODAL", "type": "modal", "blocks": card["blocks"]}
        action = signing.button_action(api["action_id"], api["value"])
        body = signing.block_actions_body([action], user_id="U0001", view=view)
        assert signing.post(bot.url + "/slack/events", body, SECRET).status_code == 200
        published = slack.wait_for("views.publish")
    head = git(remote.bare, "rev-parse", "main").strip()
    assert published[0].params["user_id"] == "U0001"
    home = json.dumps(published[0].params["view"], ensure_ascii=False)
    assert f"Last change: `{head[:10]}`" in home
    assert "Last change: unknown" not in home


def test_tick_by_command(slack: FakeSlack, remote: Remote, tmp_path: Path) -> None:
    with running(direct(slack, remote, tmp_path)) as bot:
        url = slack.response_url()
        reply = bot.command("tick data contract registry obs", url).json()
        assert "ticking" in json.dumps(reply["blocks"], ensure_ascii=False)
        [final] = slack.wait_for_response(1)
        wrong = bot.command("tick Ingestion Docs", slack.response_url()).json()
        other = bot.command("tick Ingestion API", slack.response_url(), user_id="U0999").json()
    assert "Ticked *Data Contract Registry* / Observability" in json.dumps(
        final.json, ensure_ascii=False
    )
    assert "ticked Data Contract Registry / Observability" in git(
        remote.bare, "log", "-1", "--format=%s"
    )
    assert "No single module and column" in json.dumps(wrong)
    assert "TICK_ALLOWED" in other["text"]
    assert len(remote.log()) == 2


def test_a_store_outage_is_told_and_nothing_is_written(
    slack: FakeSlack, remote: Remote, tmp_path: Path
) -> None:
    import sqlite3

    settings = direct(slack, remote, tmp_path)
    with running(settings) as bot:
        card = bot.command("Ingestion", slack.response_url()).json()
        db = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"))
        db.execute("ALTER TABLE ticks RENAME TO ticks_away")
        db.commit()
        url = slack.response_url()
        assert ephemeral_click(bot, tick_buttons(card["blocks"])["API"], url).status_code == 200
        [said] = slack.wait_for_response(1)
        typed = bot.command("tick Ingestion Runbook", slack.response_url()).json()
        db.execute("ALTER TABLE ticks_away RENAME TO ticks")
        db.commit()
        db.close()
    assert said.json["response_type"] == "ephemeral"
    assert (
        "could not be recorded" in said.json["text"] and "nothing was changed" in said.json["text"]
    )
    assert "could not be recorded" in typed["text"]
    assert len(remote.log()) == 1


def test_pr_mode_card_shows_pending_review(
    slack: FakeSlack, remote: Remote, tmp_path: Path
) -> None:
    from tests.fakes.github import DEFAULT_TOKEN, FakeGitHub

    with FakeGitHub() as github:
        settings = settings_for(
            slack.url,
            roadmap_repo=str(remote.bare),
            github_token=DEFAULT_TOKEN,
            github_repository="acme/docs",
            github_api_url=github.url,
            tick_interval_seconds=3600,
        )
        with running(settings) as bot:
            assert bot.services.ticks.mode == "pr"
            card = bot.command("Ingestion", slack.response_url()).json()
            ephemeral_click(bot, tick_buttons(card["blocks"])["API"], slack.response_url())
            _pending, final = slack.wait_for_response(2, timeout=30)
            again = bot.command("Ingestion", slack.response_url()).json()
        [pr] = github.open_pulls()
        url = github.pull_json(pr["number"])["html_url"]
    for blocks in (final.json["blocks"], again["blocks"]):
        text = json.dumps(blocks, ensure_ascii=False)
        assert "pending review" in text and url in text
        assert "API" not in tick_buttons(blocks)  # waiting for review: no second tick button
    assert len(remote.log()) == 1  # main untouched until the PR is merged
