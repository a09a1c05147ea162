"""Docs drift in Slack, end to end: a real git remote holding a docs site, the real Bolt app
behind signed requests, the fake Slack; `/roadmap drift`, its buttons, module cards, App Home."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.slack.blocks.drift import ACTION_TICK_ALL
from tests.docs.sites import drifted_site
from tests.fakes import signing
from tests.fakes.slack import FakeSlack
from tests.support.git import Remote, git, make_remote

from .app_server import SECRET, running, settings_for
from .test_ticks import ephemeral_click, wait_until
from .test_ticks import tick_buttons as _tick_buttons

ROADMAP = "docs/engineering/roadmap.md"


@pytest.fixture
def slack() -> Any:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def docs_remote(tmp_path: Path) -> Remote:
    """A bare remote whose main holds the drifted docs site (every finding kind)."""
    files = drifted_site()
    remote = make_remote(tmp_path, files[ROADMAP])
    remote.commit({k: v.encode() for k, v in files.items()}, "Add the docs site")
    return remote


def direct(slack: FakeSlack, remote: Remote, **kw: Any) -> Any:
    values: dict[str, Any] = {
        "roadmap_repo": str(remote.bare),
        "roadmap_path": ROADMAP,
        "tick_mode": "direct",
        "tick_allowed": "U0001",
        "tick_interval_seconds": 3600,
        **kw,
    }
    return settings_for(slack.url, **values)


def tick_buttons(
    blocks: list[dict[str, Any]], prefix: str = "roadmap_tick"
) -> dict[str, dict[str, Any]]:
    """The tick (or untick) buttons by column: in actions blocks and beside sections."""
    beside = [{"elements": [b["accessory"]]} for b in blocks if "accessory" in b]
    return _tick_buttons([*blocks, *beside], prefix)


def click_in(bot: Any, blocks: list[dict[str, Any]], button: dict[str, Any], url: str) -> Any:
    """A click as Slack sends it: with the block_id of the block the button sits in."""
    [block] = [b for b in blocks if b.get("accessory") is button or button in b.get("elements", [])]
    action = signing.button_action(button["action_id"], button["value"], block_id=block["block_id"])
    container = {"type": "message", "message_ts": "1700000000.000100", "is_ephemeral": True}
    body = signing.block_actions_body([action], response_url=url, container=container)
    return signing.post(bot.url + "/slack/events", body, SECRET)


def valid(blocks: list[dict[str, Any]]) -> str:
    """The blocks through slack_sdk's models (they check Block Kit's limits), then the text a
    person reads: every text field, in order."""
    assert 0 < len(blocks) <= 50
    for b in blocks:
        parsed = Block.parse(b)
        assert parsed is not None
        parsed.to_dict()  # raises SlackObjectFormationError past a limit
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                texts.append(node["text"])
            for key, value in node.items():
                if key != "confirm":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(texts)


def drift_card(bot: Any, slack: FakeSlack) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Ask `/roadmap drift`: (the ack, the card's blocks) whether the card came in the ack
    (cached) or through the response_url (computed after the ack)."""
    url = slack.response_url()
    ack = bot.command("drift", url).json()
    if ack.get("blocks"):
        return ack, ack["blocks"]
    [card] = slack.wait_for_response(1, timeout=30)
    assert card.json["replace_original"] is True
    return ack, card.json["blocks"]


def tick_all_of(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        el for b in blocks for el in b.get("elements", []) if el.get("action_id") == ACTION_TICK_ALL
    ]


def redrawn(response: Any) -> tuple[str, list[dict[str, Any]]]:
    """A drift card drawn again in place: (its text as read, its blocks)."""
    assert response.json["replace_original"] is True
    assert "response_type" not in response.json  # the same ephemeral card, not a new one
    blocks = response.json["blocks"]
    text = valid(blocks)
    assert text.startswith("Docs drift\n")
    return text, blocks


def result_line(blocks: list[dict[str, Any]]) -> str:
    """The line on a drawn-again card saying what became of the click: under its header."""
    assert blocks[2]["type"] == "context"
    return str(blocks[2]["elements"][0]["text"])


def test_drift_card_lists_findings_worst_first_with_tick_and_untick(
    slack: FakeSlack, docs_remote: Remote
) -> None:
    with running(direct(slack, docs_remote)) as bot:
        ack, blocks = drift_card(bot, slack)
        again, cached = drift_card(bot, slack)
        cache = bot.services.drift_cache()
        assert cache is not None and cache.computed == 1
    assert "Checking the roadmap against the docs" in ack["text"]  # the first ask waits
    assert again["blocks"] == cached  # the second is answered in the ack, from the cache
    text = valid(blocks)
    assert "Docs drift" in text
    assert "4 errors" in text and "17 warnings" in text and "3 info" in text
    # Worst first: errors before warnings, cells (with their buttons) first within each.
    first_error = text.index("Policy Engine / Runbook is ticked but has no page")
    first_warning = text.index("Tenant Management / API is open, but its page is written")
    assert first_error < text.index("Policy Engine / Data Model is ticked but its page is a stub")
    assert text.index("is a stub") < first_warning
    assert "→ write docs/modules/host/policy-engine/runbook.md, or untick" in text
    page = "https://docs.example.com/modules/host/tenant-management/tenant-management-apis/"
    assert f"<{page}|page>" in json.dumps(blocks)
    assert "…and 14 more findings" in text
    ticks = tick_buttons(blocks)
    assert set(ticks) == {"API", "Index"}  # Tenant Management API, Normalization Index
    unticks = tick_buttons(blocks, "roadmap_untick")
    assert set(unticks) == {"Runbook", "Data Model"}
    assert all("confirm" in b for b in unticks.values())  # untick asks first
    assert all("confirm" not in b for b in ticks.values())
    [tick_all] = [
        el for b in blocks for el in b.get("elements", []) if el.get("action_id") == ACTION_TICK_ALL
    ]
    assert tick_all["text"]["text"] == "Tick all 2 ready" and "confirm" in tick_all


def test_tick_all_ready_makes_one_commit_listing_every_cell(
    slack: FakeSlack, docs_remote: Remote
) -> None:
    before = docs_remote.log()
    with running(direct(slack, docs_remote)) as bot:
        _, blocks = drift_card(bot, slack)
        [tick_all] = [
            el
            for b in blocks
            for el in b.get("elements", [])
            if el.get("action_id") == ACTION_TICK_ALL
        ]
        url = slack.response_url()
        ts = "1700000001.000001"
        assert ephemeral_click(bot, tick_all, url, action_ts=ts).status_code == 200
        retried = ephemeral_click(bot, tick_all, url, retry=1, action_ts=ts)  # the same click
        assert retried.status_code == 200
        wait_until(lambda: len(docs_remote.log()) == len(before) + 1)
        asked, done = slack.wait_for_response(3, timeout=30)[1:]
        assert bot.services.ticks.run_now() == []
        assert len(slack.responses) == 3  # all went well: no line of its own
    log = docs_remote.log()
    assert len(log) == len(before) + 1  # one commit for both cells, the retry added nothing
    message = git(docs_remote.bare, "log", "-1", "--format=%B")
    assert message.startswith("roadmap: ticked 2 cells\n")
    assert "- ticked Tenant Management / API" in message
    assert "- ticked Normalization / Index" in message
    text = git(docs_remote.bare, "show", f"main:{ROADMAP}")
    assert re.search(r"\| Tenant Management +\| \[x\] +\| \[ \] +\| \[x\] +\| \[x\]", text)
    assert re.search(r"\| Normalization +\| \[x\]", text)
    # On the click the card is drawn again: both cells ticking, nothing left to click twice.
    text, blocks = redrawn(asked)
    assert result_line(blocks) == "⏳ Ticking 2 cells in one commit…"
    assert text.count("⏳ ticking…") == 2
    assert tick_buttons(blocks) == {} and tick_all_of(blocks) == []
    # Once committed, drawn again from drift at the new commit: no ready cell is left.
    text, blocks = redrawn(done)
    assert result_line(blocks).startswith("✅ Ticked 2 cells in commit `") and log[0][:7] in text
    assert "4 errors · 🟡 15 warnings" in text and "ready to tick" not in text
    assert "is open, but its page is written" not in text and "⏳" not in text
    assert tick_buttons(blocks) == {} and tick_all_of(blocks) == []
    assert set(tick_buttons(blocks, "roadmap_untick")) == {"Runbook", "Data Model"}
    assert log[0][:7] in str(blocks[1])  # the card's commit line: the new commit


def test_tick_all_after_the_branch_moved_still_makes_one_commit(
    slack: FakeSlack, docs_remote: Remote
) -> None:
    with running(direct(slack, docs_remote)) as bot:
        _, blocks = drift_card(bot, slack)
        [tick_all] = [
            el
            for b in blocks
            for el in b.get("elements", [])
            if el.get("action_id") == ACTION_TICK_ALL
        ]
        docs_remote.commit({"docs/other.md": b"# Other\n"}, "someone else's change")
        bot.services.refresh()
        ephemeral_click(bot, tick_all, slack.response_url())
        wait_until(lambda: len(docs_remote.log()) == 4)
    message = git(docs_remote.bare, "log", "-1", "--format=%B")
    assert message.startswith("roadmap: ticked 2 cells\n")


def test_tick_all_in_pr_mode_makes_one_pull_request(slack: FakeSlack, docs_remote: Remote) -> None:
    from tests.fakes.github import DEFAULT_TOKEN, FakeGitHub

    before = docs_remote.log()
    with FakeGitHub() as github:
        settings = settings_for(
            slack.url,
            roadmap_repo=str(docs_remote.bare),
            roadmap_path=ROADMAP,
            github_token=DEFAULT_TOKEN,
            github_repository="acme/docs",
            github_api_url=github.url,
            tick_allowed="U0001",
            tick_interval_seconds=3600,
        )
        with running(settings) as bot:
            assert bot.services.ticks.mode == "pr"
            _, blocks = drift_card(bot, slack)
            [tick_all] = [
                el
                for b in blocks
                for el in b.get("elements", [])
                if el.get("action_id") == ACTION_TICK_ALL
            ]
            ephemeral_click(bot, tick_all, slack.response_url())
            asked, done = slack.wait_for_response(3, timeout=30)[1:]
        pulls = github.open_pulls()
        assert len(pulls) == 1
        pr = github.pull_json(pulls[0]["number"])
    assert docs_remote.log() == before  # main untouched until the PR is merged
    assert "**Tenant Management** / API" in pr["body"]
    assert "**Normalization** / Index" in pr["body"]
    head = pr["head"]["ref"]
    commits = git(docs_remote.bare, "rev-list", f"main..{head}").split()
    assert len(commits) == 1  # one commit in the one pull request
    assert result_line(redrawn(asked)[1]) == "⏳ Ticking 2 cells in one pull request…"
    # main is unchanged, so drift still finds both cells open: each row says where its tick
    # waits, and neither can be asked for again.
    text, blocks = redrawn(done)
    pr_link = f"<{pr['html_url']}|the roadmap pull request>"
    assert result_line(blocks) == f"📝 2 cells ticked in {pr_link}"
    assert "17 warnings" in text
    assert text.count(f"⏳ <{pr['html_url']}|pending review>") == 2
    assert tick_buttons(blocks) == {} and tick_all_of(blocks) == []


def test_untick_from_the_drift_card_reopens_a_cell_without_a_page(
    slack: FakeSlack, docs_remote: Remote
) -> None:
    with running(direct(slack, docs_remote)) as bot:
        _, blocks = drift_card(bot, slack)
        runbook = tick_buttons(blocks, "roadmap_untick")["Runbook"]
        assert "Untick" in runbook["confirm"]["title"]["text"]
        assert click_in(bot, blocks, runbook, slack.response_url()).status_code == 200
        wait_until(lambda: len(docs_remote.log()) == 3)
        _card, asked, done = slack.wait_for_response(3, timeout=30)
        assert len(slack.responses) == 3
    subject = git(docs_remote.bare, "log", "-1", "--format=%s")
    assert subject.strip() == "roadmap: unticked Policy Engine / Runbook"
    # The drift card is drawn again each step (the next finding is one click away).
    text, blocks = redrawn(asked)
    assert result_line(blocks) == "⏳ Unticking Policy Engine / Runbook…"
    assert set(tick_buttons(blocks, "roadmap_untick")) == {"Data Model"}
    assert "Policy Engine / Runbook is ticked but has no page" in text
    text, blocks = redrawn(done)
    assert result_line(blocks).startswith("✅ Unticked *Policy Engine* / Runbook: commit `")
    assert "Policy Engine / Runbook is ticked" not in text and "3 errors" in text
    assert set(tick_buttons(blocks, "roadmap_untick")) == {"Data Model"}
    assert set(tick_buttons(blocks)) == {"API", "Index"}


def test_a_tick_from_the_drift_card_draws_it_again_without_that_cell(
    slack: FakeSlack, docs_remote: Remote
) -> None:
    with running(direct(slack, docs_remote)) as bot:
        _, blocks = drift_card(bot, slack)
        api = tick_buttons(blocks)["API"]
        assert click_in(bot, blocks, api, slack.response_url()).status_code == 200
        wait_until(lambda: len(docs_remote.log()) == 3)
        _card, asked, done = slack.wait_for_response(3, timeout=30)
        assert len(slack.responses) == 3
    sha = docs_remote.log()[0]
    # At once: the row says it is ticking instead of offering the button again.
    text, blocks = redrawn(asked)
    assert result_line(blocks) == "⏳ Ticking Tenant Management / API…"
    row = next(ln for ln in text.splitlines() if "Tenant Management / API is open" in ln)
    assert "⏳ ticking…" in text.split(row, 1)[1].split("\n", 2)[1]
    assert set(tick_buttons(blocks)) == {"Index"}
    assert tick_all_of(blocks)[0]["text"]["text"] == "Tick all 1 ready"
    # Landed: the card at the new commit, that cell gone, the counts one less, the rest kept.
    text, blocks = redrawn(done)
    assert result_line(blocks).startswith("✅ Ticked *Tenant Management* / API: commit `")
    assert sha[:7] in result_line(blocks) and sha[:7] in str(blocks[1])
    assert "Tenant Management / API" not in text and "16 warnings" in text
    assert set(tick_buttons(blocks)) == {"Index"}
    assert tick_all_of(blocks)[0]["text"]["text"] == "Tick all 1 ready"
    assert set(tick_buttons(blocks, "roadmap_untick")) == {"Runbook", "Data Model"}


def test_two_ticks_applied_together_draw_the_card_once_with_both_results(
    slack: FakeSlack, docs_remote: Remote
) -> None:
    """A person clicking down the list faster than the applier: the second click's card
    shows both cells ticking, and both results come on one drawing."""
    with running(direct(slack, docs_remote)) as bot:
        _, blocks = drift_card(bot, slack)
        with bot.services.ticks._run_lock:  # the applier waits until both are recorded
            for column in ("API", "Index"):
                button = tick_buttons(blocks)[column]
                assert click_in(bot, blocks, button, slack.response_url()).status_code == 200
        wait_until(lambda: len(docs_remote.log()) == 4)  # a commit each
        told = slack.wait_for_response(4, timeout=30)[1:]
        assert bot.services.ticks.run_now() == []
        assert len(slack.responses) == 4
    _, second, done = told
    text, blocks = redrawn(second)
    assert text.count("⏳ ticking…") == 2 and tick_buttons(blocks) == {}
    assert tick_all_of(blocks) == []
    text, blocks = redrawn(done)
    last, first = docs_remote.log()[:2]
    assert result_line(blocks).splitlines() == [
        f"✅ Ticked *Tenant Management* / API: commit `{first[:7]}`",
        f"✅ Ticked *Normalization* / Index: commit `{last[:7]}`",
    ]
    assert "15 warnings" in text and tick_buttons(blocks) == {} and "⏳" not in text


def test_tick_all_after_a_tick_asks_only_for_the_cells_not_on_their_way(
    slack: FakeSlack, docs_remote: Remote
) -> None:
    with running(direct(slack, docs_remote)) as bot:
        _, blocks = drift_card(bot, slack)
        with bot.services.ticks._run_lock:  # the first tick is still on its way
            click_in(bot, blocks, tick_buttons(blocks)["API"], slack.response_url())
            _, now = redrawn(slack.wait_for_response(2, timeout=30)[1])
            [tick_all] = tick_all_of(now)
            assert tick_all["text"]["text"] == "Tick all 1 ready"
            ephemeral_click(bot, tick_all, slack.response_url())
            asked = slack.wait_for_response(3, timeout=30)[2]
            assert result_line(redrawn(asked)[1]) == "⏳ Ticking 1 cell in one commit…"
        wait_until(lambda: len(docs_remote.log()) == 4)
        bot.services.ticks.run_now()
    subjects = git(docs_remote.bare, "log", "-2", "--format=%s").split("\n")
    assert subjects[:2] == [
        "roadmap: ticked Normalization / Index",
        "roadmap: ticked Tenant Management / API",
    ]
    assert not any(r.json["text"].startswith("ℹ️") for r in slack.responses)  # no no-op


def test_a_tick_when_drift_cannot_be_had_after_it_is_told_as_a_line(
    slack: FakeSlack, docs_remote: Remote
) -> None:
    with running(direct(slack, docs_remote)) as bot:
        _, blocks = drift_card(bot, slack)
        # Someone breaks the site config meanwhile: no drift at the commit the tick makes.
        docs_remote.commit({"mkdocs.yml": b"nav: [\n"}, "a broken mkdocs.yml")
        api = tick_buttons(blocks)["API"]
        assert click_in(bot, blocks, api, slack.response_url()).status_code == 200
        wait_until(lambda: len(docs_remote.log()) == 4)
        wait_until(lambda: any(r.json["text"].startswith("✅") for r in slack.responses))
        told = list(slack.responses)[2:]
    assert "roadmap: ticked Tenant Management / API" in git(docs_remote.bare, "log", "-1")
    done = told[-1].json
    assert done["replace_original"] is False and done["response_type"] == "ephemeral"
    assert done["text"].startswith("✅ Ticked *Tenant Management* / API: commit `")
    assert all("✅" not in json.dumps(r.json.get("blocks", [])) for r in told)


def test_module_card_shows_each_columns_page_once_drift_is_known(
    slack: FakeSlack, docs_remote: Remote
) -> None:
    with running(direct(slack, docs_remote)) as bot:
        snap = bot.services.snapshot()
        cache = bot.services.drift_cache()
        assert cache is not None and snap.commit
        first = bot.command("Policy Engine", slack.response_url()).json()
        # The first card is answered at once; drift is worked out behind it.
        wait_until(lambda: cache.peek(snap.commit) is not None, timeout=30)
        card = bot.command("Policy Engine", slack.response_url()).json()
    assert "📄" not in json.dumps(first)
    text = valid(card["blocks"])
    lines = {ln.split()[1]: ln for ln in text.splitlines() if ln[:1] in "✅⬜"}
    assert "📄 page" in lines["Index"] and "📄 page" in lines["API"]
    assert "📝 stub" in lines["Data"]  # Data Model: "Stub." is a stub
    assert "❓ no page" in lines["Runbook"]
    assert "policy-engine/api/|📄 page>" in json.dumps(card["blocks"], ensure_ascii=False)
    assert "Docs: 📄 page written · 📝 stub · ❓ no page" in text


def test_app_home_shows_the_drift_count(slack: FakeSlack, docs_remote: Remote) -> None:
    with running(direct(slack, docs_remote)) as bot:
        assert bot.event(signing.app_home_opened_event()).status_code == 200
        first, second = slack.wait_for("views.publish", 2, timeout=30)
    assert "Docs drift" not in json.dumps(first.params["view"])  # not known yet: no wait
    text = valid(second.params["view"]["blocks"])
    assert "*Docs drift*: 4 errors · 17 warnings · 3 info." in text


def test_a_site_config_never_reads_the_servers_environment(
    slack: FakeSlack, docs_remote: Remote, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`!ENV` in a mkdocs.yml from the repo must not put a server secret in a Slack link."""
    monkeypatch.setenv("DRIFT_SECRET_FOR_TEST", "https://secret.example/")
    config = drifted_site()["mkdocs.yml"].replace(
        "site_url: https://docs.example.com/",
        "site_url: !ENV [DRIFT_SECRET_FOR_TEST, 'https://docs.example.com/']",
    )
    docs_remote.commit({"mkdocs.yml": config.encode()}, "site_url from the environment")
    with running(direct(slack, docs_remote)) as bot:
        _, blocks = drift_card(bot, slack)
    dumped = json.dumps(blocks)
    assert "secret.example" not in dumped and "https://docs.example.com/modules" in dumped


def test_drift_on_a_repo_without_a_docs_site_says_why(slack: FakeSlack, tmp_path: Path) -> None:
    remote = make_remote(tmp_path, drifted_site()[ROADMAP])
    with running(direct(slack, remote, roadmap_path="docs/roadmap.md")) as bot:
        _, blocks = drift_card(bot, slack)
    text = valid(blocks)
    assert "Cannot check the docs: no mkdocs.yml, mkdocs.yaml or zensical.toml" in text
