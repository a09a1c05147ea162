"""The surfaces that came after test_surfaces, checked the same way: the live change feed
(ticks, unticks, modules added and removed, an unblock alert, a burst cut to "and N more"),
watch DMs, the subscribe/subscriptions/watch/watches replies and the Watch button; the drift
card with its Tick, Untick (confirm) and Tick all buttons and their results, the module card's
page marks, App Home's drift count, the digest's drift line; a time-travel card and the
overview's forecast. All from the real app on a real git remote with a docs site, pushed to
by real commits; on the drifted docs site and on one whose names and authors are hostile."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.blockkit.text import escape, unformat
from bot.digest.deliver import deliver
from bot.slack.blocks.drift import ACTION_TICK_ALL
from bot.slack.blocks.ids import ACTION_WATCH
from bot.store.db import engine
from tests.docs.sites import drifted_site
from tests.fakes import signing
from tests.fakes.slack import FakeSlack
from tests.support.git import Remote, git, make_remote

from .app_server import SECRET, TOKEN, running, settings_for
from .test_surfaces import GROUP, HOSTILE, check_message_payload, check_view, js, md
from .test_ticks import wait_until

ROADMAP = "docs/engineering/roadmap.md"
ORDER = "## Dependency order\n- Host Modules\n- Compute Modules\n\n"
BURST = 40  # modules added in one push: more than a message shows


@pytest.fixture
def slack() -> Any:
    with FakeSlack(users={"U0001": {"name": "ada"}}) as fake:
        yield fake


def names(hostile: bool) -> tuple[str, str, str]:
    """(the first group, a module of it, who pushes) as the roadmap and git say them."""
    if hostile:
        return GROUP, HOSTILE, HOSTILE
    return "Host Modules", "Tenant Management", "Ada Author"


def docs_remote(tmp_path: Path, hostile: bool) -> Remote:
    files = drifted_site()
    text = files[ROADMAP].replace("| Module ", ORDER + "| Module ", 1)
    if hostile:
        text = text.replace("Host Modules", md(GROUP)).replace("Tenant Management", md(HOSTILE))
        text = text.replace("Lineage Obligations", md(HOSTILE + " 2"))
    files[ROADMAP] = text
    remote = make_remote(tmp_path, text)
    for k, v in files.items():
        (remote.work / k).parent.mkdir(parents=True, exist_ok=True)
        (remote.work / k).write_text(v)
    git(remote.work, "add", "-A")
    # Its author shows on every card read from this commit (the drift card's too).
    author = names(hostile)[2]
    env = {"GIT_AUTHOR_NAME": author, "GIT_COMMITTER_NAME": author}
    git(remote.work, "commit", "-qm", "Add the docs site", env=env)
    git(remote.work, "push", "-q", "origin", "main")
    return remote


def push(remote: Remote, edit: Any, message: str, author: str) -> None:
    path = remote.work / ROADMAP
    git(remote.work, "pull", "-q", "--rebase", "origin", "main")
    path.write_text(edit(path.read_text()))
    env = {"GIT_AUTHOR_NAME": author, "GIT_COMMITTER_NAME": author}
    git(remote.work, "commit", "-qam", message, env=env)
    for _ in range(5):  # the bot's own tick commits may land in between
        if git_ok(remote.work, "push", "-q", "origin", "main"):
            return
        git(remote.work, "pull", "-q", "--rebase", "origin", "main")
    raise AssertionError("push kept failing")


def git_ok(cwd: Path, *args: str) -> bool:
    try:
        git(cwd, *args)
    except subprocess.CalledProcessError as err:
        print(err.stderr)
        return False
    return True


def row(name: str, cells: str) -> str:
    return f"| {name} | {cells} |"


def responses(slack: FakeSlack, n: int) -> list[dict[str, Any]]:
    """The next `n` POSTs to response_urls (wait_for_response counts from the first)."""
    seen = getattr(slack, "seen", 0)
    got = slack.wait_for_response(seen + n, timeout=60)
    slack.seen = seen + n  # type: ignore[attr-defined]
    return [r.json for r in got[seen : seen + n]]


def blocks_of(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return list(payload.get("blocks") or [])


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for b in blocks:
        out += [el for el in b.get("elements", []) if el.get("type") == "button"]
        if b.get("accessory", {}).get("type") == "button":
            out.append(b["accessory"])
    return out


def click(bot: Any, blocks: list[dict[str, Any]], button: dict[str, Any], url: str) -> None:
    [block] = [b for b in blocks if b.get("accessory") is button or button in b.get("elements", [])]
    action = signing.button_action(
        button["action_id"], button["value"], block_id=block.get("block_id", "b")
    )
    container = {"type": "message", "message_ts": "1700000000.000100", "is_ephemeral": True}
    body = signing.block_actions_body([action], response_url=url, container=container)
    assert signing.post(bot.url + "/slack/events", body, SECRET).status_code == 200


def surfaces(slack: FakeSlack, bot: Any, remote: Remote, hostile: bool) -> dict[str, Any]:
    group, module, author = names(hostile)
    services = bot.services
    live = services.live
    assert live is not None
    live.check()  # the tip before any push: what came before is not news
    out: dict[str, list[Any]] = {"reply": [], "view": [], "post": [], "dm": []}
    url = slack.response_url

    # Subscriptions and watches, as typed.
    for text, channel in (
        ("subscriptions", "C0FEED"),
        ("subscribe changes", "C0FEED"),
        (f"subscribe changes {group}", "C0GROUP"),
        ("subscribe changes", "C0FEED"),  # already
        ("subscriptions", "C0GROUP"),
        (f"subscribe changes {HOSTILE} nowhere", "C0GROUP"),  # names no group
        (f"watch {module}", "C0FEED"),
        (f"watch {group}", "C0FEED"),
        ("watch Compute Modules", "C0FEED"),
        (f"watch {HOSTILE} nowhere", "C0FEED"),
        ("watches", "C0FEED"),
        (f"unwatch {HOSTILE} nowhere", "C0FEED"),
    ):
        assert bot.command(text, url(), channel_id=channel).status_code == 200
        out["reply"] += responses(slack, 1)

    # The drift card, computed once; then cards that show what drift knows.
    snap = services.snapshot()
    assert services.drift(snap).report is not None
    card = bot.command("drift", url()).json()
    out["reply"].append(card)
    drift_blocks = blocks_of(card)
    kinds = {b["action_id"].split(":")[0] for b in buttons(drift_blocks)}
    assert len(kinds) >= 3, kinds  # tick, untick, tick all
    module_card = bot.command(module, url()).json()
    out["reply"].append(module_card)
    [watch] = [b for b in buttons(blocks_of(module_card)) if b["action_id"] == ACTION_WATCH]
    click(bot, blocks_of(module_card), watch, url())
    out["reply"] += responses(slack, 1)
    # A Watch button on a card whose module has since gone (in a channel, in App Home).
    gone = signing.button_action(ACTION_WATCH, f"{group}/{HOSTILE} gone")
    bot.click(gone, url())
    out["reply"] += responses(slack, 1)
    body = signing.block_actions_body([gone], view={"id": "VHOME", "type": "home"})
    assert signing.post(bot.url + "/slack/events", body, SECRET).status_code == 200
    out["view"] += [c.params["view"] for c in slack.wait_for("views.open")]
    assert bot.event(signing.app_home_opened_event()).status_code == 200
    out["view"] += [c.params["view"] for c in slack.wait_for("views.publish")]

    # The overview with its forecast, and a card as it was.
    wait_until(lambda: services.forecast(services.snapshot()) is not None, timeout=60)
    out["reply"].append(bot.command("", url()).json())
    at = datetime.now(UTC).replace(microsecond=0).isoformat()
    assert bot.command(f"{module} @{at}", url()).status_code == 200
    out["reply"] += responses(slack, 1)
    assert bot.command(f"{group} @{at}", url()).status_code == 200
    out["reply"] += responses(slack, 1)

    # Pushes by someone else: ticks finishing the first group (an unblock, a watched module
    # and group done), an untick, then a burst of added modules, then some removed.
    def finish_first(text: str) -> str:
        lines = text.splitlines()
        start = next(i for i, ln in enumerate(lines) if group.split()[-1] in ln and "**" in ln)
        for i in range(start + 1, len(lines)):
            if lines[i].startswith("| **"):
                break
            lines[i] = lines[i].replace("[ ]", "[x]")
        return "\n".join(lines) + "\n"

    push(remote, finish_first, f"finish {author}", author)
    untick = "| Ingestion | [ ]"
    push(remote, lambda t: t.replace("| Ingestion           | [x]", untick), "untick", author)
    live.check()
    added = "\n".join(
        row(f"{md(HOSTILE) + ' new' if hostile else 'New'} {i}", "[ ] | [ ] | [x] | [ ]")
        for i in range(BURST)
    )

    def add(text: str) -> str:
        return text.replace("| **Trust Modules**", added + "\n| **Trust Modules**", 1)

    push(remote, add, "add many", author)
    live.check()

    def remove(text: str) -> str:
        return "\n".join(ln for ln in text.splitlines() if not re.search(r" [0-4] \|", ln)) + "\n"

    push(remote, remove, "remove some", author)
    live.check()
    # The drift card's buttons: Tick, Untick (behind a confirm), Tick all; each result told, and
    # announced in the feed.
    ticks = [b for b in buttons(drift_blocks) if b["action_id"].startswith("roadmap_tick")]
    unticks = [b for b in buttons(drift_blocks) if b["action_id"].startswith("roadmap_untick")]
    [tick_all] = [b for b in buttons(drift_blocks) if b["action_id"] == ACTION_TICK_ALL]
    for b in (ticks[0], unticks[0], tick_all):
        click(bot, drift_blocks, b, url())
        out["reply"] += responses(slack, 1)

    out["reply"] += responses(slack, 3)  # what became of each: one line each
    live.check()
    for call in slack.calls_to("chat.postMessage"):
        (out["dm"] if call.params["channel"].startswith("D") else out["post"]).append(call.params)

    # The digest as the schedule posts it, with its drift line.
    client = WebClient(token=TOKEN, base_url=slack.url)
    [sent] = deliver(
        services.settings,
        services.source,
        client,
        engine(services.settings.database_url),
        ["C0DIGEST"],
        "test-period",
        timedelta(days=7),
        datetime.now(UTC),
    )
    assert sent.status == "posted", sent
    out["post"].append(slack.calls_to("chat.postMessage")[-1].params)
    return out


@pytest.mark.parametrize("hostile", [False, True], ids=["drifted", "hostile"])
def test_live_and_drift_surfaces_are_valid_and_literal(
    tmp_path: Path, slack: FakeSlack, hostile: bool
) -> None:
    remote = docs_remote(tmp_path, hostile)
    settings = settings_for(
        slack.url,
        roadmap_repo=str(remote.bare),
        roadmap_path=ROADMAP,
        tick_mode="direct",
        tick_allowed="U0001",
        tick_interval_seconds=3600,
        live_poll_seconds=3600,
        github_repository="acme/roadmap",
    )
    with running(settings) as bot:
        sent = surfaces(slack, bot, remote, hostile)
    # What was sent, to read as a person would (a failing run leaves it behind).
    (tmp_path / "surfaces.json").write_text(json.dumps(sent, ensure_ascii=False, indent=1))
    for payload in sent["reply"] + sent["post"] + sent["dm"]:
        check_message_payload(payload)
    for view in sent["view"]:
        check_view(view)
    everything = json.dumps(sent, ensure_ascii=False)
    for seen in (
        "is now unblocked",
        "more",
        "ticked",
        "unticked",
        "added to",
        "removed from",
        "Docs drift",
        "As it was",
        "You now watch",
        "This channel gets",
    ):
        assert seen in everything, seen
    assert {p["channel"] for p in sent["post"]} == {"C0FEED", "C0GROUP", "C0DIGEST"}
    assert sent["dm"], "watchers were told"
    # Read as a person reads it: no "1 cells", the cell a result is about said once, the
    # location said once on the overview, one story about channel membership, a module's
    # cells ticked in one push on one line and who pushed them said once.
    assert not re.search(r"\b1 cells\b", everything)
    told = [t for t in re.findall(r"[^\n\"]*nothing changed", everything)]
    assert told and all(": " not in t.split(" is already")[0] for t in told), told
    overview = next(r for r in sent["reply"] if "Next up" in json.dumps(r))
    assert json.dumps(overview["blocks"][1]).count("docs/engineering/roadmap.md on main") == 1
    assert "invite it" in json.dumps(sent["reply"][1])
    unwatched = json.dumps(sent["reply"][11], ensure_ascii=False)
    assert "You were not watching" in unwatched and js(escape(f"{HOSTILE} nowhere")) in unwatched
    [grouped] = [p for p in sent["post"] if p["channel"] == "C0GROUP" and "5 ticks" in p["text"]]
    lines = json.dumps(grouped["blocks"], ensure_ascii=False)
    assert "Data Model, API ticked" in lines and lines.count(" by ") == 1
    if hostile:
        # Names are cut on what shows, not on what is sent (each `*` kept literal is sent as
        # ~26 characters): a hostile name shows whole in lists, headers and labels.
        shown = js(escape(HOSTILE))
        assert shown in json.dumps(overview, ensure_ascii=False)
        card = next(r for r in sent["reply"] if r.get("blocks") and "Watch" in json.dumps(r))
        assert card["blocks"][0]["text"]["text"] == unformat(escape(HOSTILE))
