"""pr mode: ticks roll into one bot branch and one pull request, against a real bare remote
and the real PyGithub client talking to a fake GitHub on 127.0.0.1."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import SettingsError
from bot.forge.github import Forge
from bot.roadmap.model import CellState
from bot.roadmap.parse import parse
from bot.store import ticks as store
from bot.ticks.service import TickService
from tests.fakes.github import DEFAULT_TOKEN, FakeGitHub
from tests.support.git import Remote, git
from tests.support.settings import make_settings

from .conftest import service

BRANCH = "roadmap-bot/docs-roadmap.md"


@pytest.fixture
def github(remote: Remote) -> Iterator[FakeGitHub]:
    # In front of the bare remote, so it can merge, squash and delete branches there.
    with FakeGitHub(git_dir=remote.bare) as fake:
        yield fake


def pr_service(remote: Remote, tmp_path: Path, github: FakeGitHub, **kw: object) -> TickService:
    settings = make_settings(
        remote,
        tmp_path,
        f"sqlite:///{tmp_path}/pr.db",
        tick_mode="pr",
        tick_allowed=None,
        github_token=DEFAULT_TOKEN,
        github_repository="acme/docs",
        github_api_url=github.url,
        **kw,
    )
    return service(
        settings,
        forge_factory=lambda: Forge(
            DEFAULT_TOKEN,
            "acme/docs",
            github.url,
            sleep=lambda _s: None,
            seconds_between_requests=None,
            seconds_between_writes=None,
        ),
    )


def tick(svc: TickService, module: str, column: str, done: bool = True) -> store.Tick:
    found, _ = svc.record(
        key=uuid.uuid4().hex,
        module=module,
        column=column,
        line=0,
        done=done,
        user_id="U0001",
        user_name="ada",
        channel="C0001",
    )
    return found


def open_pulls(github: FakeGitHub) -> list[dict]:
    return [github.pull_json(p["number"]) for p in github.open_pulls()]


def branch_exists(remote: Remote, branch: str = BRANCH) -> bool:
    return bool(git(remote.bare, "branch", "--list", branch).strip())


def test_ticks_roll_into_one_pull_request(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    svc = pr_service(remote, tmp_path, github)
    main_before = remote.log()
    tick(svc, "Compute Modules/Ingestion", "API")
    [first] = svc.run_now()
    assert first.state == store.IN_PR
    [pr] = open_pulls(github)
    assert pr["head"]["ref"] == BRANCH and pr["base"]["ref"] == "main"
    assert first.url == pr["html_url"]
    assert "Ingestion" in pr["title"] and "ada" in pr["body"]
    assert remote.log() == main_before  # main untouched: the change waits for review
    assert len(remote.log(BRANCH)) == len(main_before) + 1
    assert svc.waiting() == {"Compute Modules/Ingestion": {"API": pr["html_url"]}}

    tick(svc, "Compute Modules/Ingestion", "Runbook")
    [second] = svc.run_now()
    assert second.state == store.IN_PR
    assert len(open_pulls(github)) == 1 and len(github.pulls) == 1
    body = open_pulls(github)[0]["body"]
    assert "API" in body and "Runbook" in body
    text = remote.text(BRANCH).decode()
    assert text.count("[x]") == remote.text().decode().count("[x]") + 2
    assert svc.run_now() == []  # nothing new: no push, no notification


def reword_scope(remote: Remote) -> None:
    """A person's change on main, far from every cell."""
    remote.commit_by_hand(lambda b: b.replace(b"Keep this roadmap synced", b"Keep it synced"))


def test_base_moves_branch_is_left_alone_by_default(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    # TICK_REBASE=auto: a base that moved without conflict is no reason to force-push (it
    # re-runs the docs repo's CI and can dismiss approvals).
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    svc.run_now()
    before = remote.log(BRANCH)
    reword_scope(remote)
    assert svc.run_now() == []
    assert remote.log(BRANCH) == before
    # A new tick is a reason: the branch is rebuilt on the new base with both ticks.
    tick(svc, "Compute Modules/Publish", "Index")
    [added] = svc.run_now()
    assert added.state == store.IN_PR
    branch = remote.log(BRANCH)
    assert branch[2] == remote.log()[0] and len(branch) == len(remote.log()) + 2
    assert b"Keep it synced" in remote.text(BRANCH)


def test_tick_rebase_takes_auto_or_always_only() -> None:
    assert load_settings(tick_rebase="always").tick_rebase == "always"
    assert load_settings().tick_rebase == "auto"
    with pytest.raises(SettingsError, match=r"^setting TICK_REBASE: "):
        load_settings(tick_rebase="sometimes")


def test_base_moves_branch_is_regenerated_with_tick_rebase_always(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    svc = pr_service(remote, tmp_path, github, tick_rebase="always")
    tick(svc, "Compute Modules/Ingestion", "API")
    svc.run_now()
    reword_scope(remote)
    assert svc.run_now() == []  # still waiting in the same PR: not news
    main_tip = remote.log()[0]
    branch = remote.log(BRANCH)
    assert branch[1] == main_tip and len(branch) == len(remote.log()) + 1  # rebuilt on the new base
    assert b"Keep it synced" in remote.text(BRANCH)
    assert len(github.pulls) == 1


def test_a_conflict_with_the_base_regenerates_the_branch(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    svc.run_now()
    # Another cell of the same row ticked on main: GitHub reports the PR as conflicting.
    remote.commit_by_hand(tick_last_cell_of_ingestion)
    [number] = github.pulls
    assert github.pull_json(number)["mergeable_state"] == "dirty"
    assert svc.run_now() == []
    assert remote.log(BRANCH)[1] == remote.log()[0]
    assert github.pull_json(number)["mergeable_state"] == "clean"
    assert cell_state(remote.text(BRANCH), "Ingestion", "API") is CellState.DONE
    assert remote.text(BRANCH).count(b"[x]") == remote.text().count(b"[x]") + 1


def tick_last_cell_of_ingestion(text: bytes) -> bytes:
    lines = text.split(b"\n")
    [i] = [n for n, line in enumerate(lines) if line.startswith(b"| Ingestion ")]
    head, _, tail = lines[i].rpartition(b"[ ]")
    lines[i] = head + b"[x]" + tail
    return b"\n".join(lines)


def test_a_base_that_must_be_up_to_date_regenerates_the_branch(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    github.require_up_to_date.add("main")  # branch protection: "require branches to be up to date"
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    svc.run_now()
    reword_scope(remote)
    [number] = github.pulls
    assert github.pull_json(number)["mergeable_state"] == "behind"
    assert svc.run_now() == []
    assert remote.log(BRANCH)[1] == remote.log()[0]
    assert github.pull_json(number)["mergeable_state"] == "clean"


@pytest.mark.parametrize("method", ["merge", "squash"])
def test_a_merged_pull_request_lands_its_ticks(
    remote: Remote, tmp_path: Path, github: FakeGitHub, method: str
) -> None:
    # A bot-only PR merged with the merge button, as a merge commit or squashed.
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    [outcome] = svc.run_now()
    github.merge_pull(pr_number(svc, outcome), method)
    assert len(remote.log()[0:1]) == 1 and cell_state(remote.text(), "Ingestion", "API") is (
        CellState.DONE
    )
    [landed] = svc.run_now()
    assert landed.state == store.MERGED and landed.detail == "Ingestion / API landed"
    assert svc.waiting() == {}
    # GitHub kept the merged PR's branch (the default): the next tick starts afresh from main.
    assert branch_exists(remote)
    tick(svc, "Compute Modules/Publish", "Index")
    [again] = svc.run_now()
    assert again.state == store.IN_PR
    assert len(github.pulls) == 2 and len(open_pulls(github)) == 1
    assert remote.log(BRANCH)[1] == remote.log()[0]


def test_a_squash_merge_after_a_person_committed_frees_the_bot(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    [outcome] = svc.run_now()
    add_a_note_by_hand(remote)
    tick(svc, "Compute Modules/Publish", "Index")
    [refused] = svc.run_now()
    assert refused.state == store.FAILED
    github.merge_pull(pr_number(svc, outcome), "squash")
    assert b"- a note" in remote.text()
    [landed] = svc.run_now()
    assert landed.tick.id == outcome.tick.id and landed.state == store.MERGED
    assert svc.waiting() == {}
    # Not jammed: the next tick gets a fresh branch from main and a new pull request.
    tick(svc, "Compute Modules/Publish", "Index")
    [again] = svc.run_now()
    assert again.state == store.IN_PR
    assert remote.log(BRANCH)[1] == remote.log()[0]
    [pr] = open_pulls(github)
    assert pr["number"] == 2 and again.url == pr["html_url"]


def test_a_branch_deleted_on_merge_is_made_again_for_the_next_tick(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    github.delete_branch_on_merge = True
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    [outcome] = svc.run_now()
    github.merge_pull(pr_number(svc, outcome), "squash")
    assert not branch_exists(remote)
    tick(svc, "Compute Modules/Publish", "Index")
    outcomes = svc.run_now()
    assert sorted(o.state for o in outcomes) == [store.IN_PR, store.MERGED]
    assert branch_exists(remote) and len(open_pulls(github)) == 1


def test_closed_unmerged_drops_ticks_and_next_tick_opens_a_new_pr(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    [outcome] = svc.run_now()
    number = pr_number(svc, outcome)
    github.close_pull(number, merged=False)
    [closed] = svc.run_now()
    assert closed.state == store.CLOSED and "closed without merging" in closed.detail
    assert closed.tick.user_id == "U0001"  # the person who ticked is told
    assert not branch_exists(remote)  # deleted, as Renovate does
    assert github.comments == {}  # nothing said on a closed PR
    tick(svc, "Compute Modules/Publish", "Index")
    [again] = svc.run_now()
    assert again.state == store.IN_PR
    assert len(open_pulls(github)) == 1 and len(github.pulls) == 2
    # The new PR's branch starts from the base: the closed PR's tick is not carried over,
    # the new one is there.
    assert cell_state(remote.text(BRANCH), "Ingestion", "API") is CellState.OPEN
    assert cell_state(remote.text(BRANCH), "Publish", "Index") is CellState.DONE


def pr_number(svc: TickService, outcome: store.Tick | object) -> int:
    tick_id = outcome.tick.id if hasattr(outcome, "tick") else outcome.id  # type: ignore[attr-defined]
    found = store.get(svc.engine, tick_id)
    assert found is not None and found.pr_number
    return found.pr_number


def add_a_note_by_hand(remote: Remote, amend: bool = False) -> str:
    """A person's commit on the bot branch (or, `amend`, the bot's last commit amended:
    the bot stays its author, the person becomes its committer). The new tip."""
    git(remote.work, "fetch", "-q", "origin")
    git(remote.work, "checkout", "-q", "-B", "fix", f"origin/{BRANCH}")
    (remote.work / "docs" / "roadmap.md").write_bytes(remote.text(BRANCH) + b"\n- a note\n")
    if amend:
        git(remote.work, "commit", "-q", "-a", "--amend", "--no-edit")
    else:
        git(remote.work, "commit", "-q", "-am", "a note by hand")
    git(remote.work, "push", "-q", "-f", "origin", f"fix:{BRANCH}")
    git(remote.work, "checkout", "-q", "main")
    return remote.log(BRANCH)[0]


def cell_state(text: bytes, module: str, column: str) -> CellState:
    roadmap = parse(text.decode())
    [found] = [m for m in roadmap.modules if m.name == module]
    [cell] = [c for c in found.cells if c.column == column]
    return cell.state


def test_a_person_committed_to_the_bot_branch(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    svc.run_now()
    human_tip = add_a_note_by_hand(remote)
    tick(svc, "Compute Modules/Publish", "Index")
    [refused] = svc.run_now()
    assert refused.state == store.FAILED and "by hand" in refused.detail
    assert "take this branch back" in refused.detail
    assert remote.log(BRANCH)[0] == human_tip
    [said] = [c for comments in github.comments.values() for c in comments]
    assert "Publish / Index" in said["body"] and "leaves it alone" in said["body"]
    assert "Cy Committer committed" in said["body"] and "@" not in said["body"]


def test_an_amend_by_a_person_is_theirs_too(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    # An amend keeps the bot as author; the committer is the person.
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    svc.run_now()
    amended = add_a_note_by_hand(remote, amend=True)
    assert git(remote.bare, "log", "-1", "--format=%ae %ce", BRANCH).split() == [
        "roadmap-bot@users.noreply.github.com",
        "cy@example.com",
    ]
    tick(svc, "Compute Modules/Publish", "Index")
    [refused] = svc.run_now()
    assert refused.state == store.FAILED
    assert remote.log(BRANCH)[0] == amended
    assert b"- a note" in remote.text(BRANCH)


def test_the_pull_request_is_told_once_and_never_when_closed(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    [outcome] = svc.run_now()
    number = pr_number(svc, outcome)
    add_a_note_by_hand(remote)
    for module in ("Publish", "Normalization", "KPI Build"):
        tick(svc, f"Compute Modules/{module}", "Index")
        [refused] = svc.run_now()
        assert refused.state == store.FAILED
        add_a_note_by_hand(remote, amend=True)  # every SHA rewritten: still the same takeover
    assert len(github.comments[number]) == 1
    github.close_pull(number)
    tick(svc, "Compute Modules/Publish", "Index")
    outcomes = svc.run_now()
    assert sorted(o.state for o in outcomes) == [store.CLOSED, store.IN_PR]
    assert len(github.comments[number]) == 1  # nothing more said on the closed PR
    assert [p["number"] for p in open_pulls(github)] == [2]
    assert b"- a note" not in remote.text(BRANCH)


def test_ticking_the_take_back_box_hands_the_branch_back(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    [outcome] = svc.run_now()
    number = pr_number(svc, outcome)
    add_a_note_by_hand(remote)
    body = github.pulls[number]["body"]
    assert "- [ ] Let roadmap-bot take this branch back" in body
    github.pulls[number]["body"] = body.replace(
        "- [ ] Let roadmap-bot take this branch back", "- [x] Let roadmap-bot take this branch back"
    )
    tick(svc, "Compute Modules/Publish", "Index")
    [added] = svc.run_now()
    assert added.state == store.IN_PR
    assert b"- a note" not in remote.text(BRANCH)  # the bot's again: rebuilt from main
    assert remote.log(BRANCH)[2] == remote.log()[0]
    assert "- [ ] Let roadmap-bot take this branch back" in github.pulls[number]["body"]
    assert github.comments == {}


def test_a_pull_request_github_refuses_leaves_no_branch(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    # A GitHub App without pull_requests: write can push but not open the PR.
    github.fail_next("POST", r"/pulls$", 403)
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    [failed] = svc.run_now()
    assert failed.state == store.FAILED
    assert "pull_requests: write" in failed.detail and "GITHUB_TOKEN" in failed.detail
    assert "Resource not accessible by integration" in failed.detail
    assert not branch_exists(remote)
    assert github.pulls == {}


def test_deleted_bot_branch_is_made_again(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    svc.run_now()
    git(remote.bare, "branch", "-D", BRANCH)
    assert not branch_exists(remote)
    svc.run_now()
    assert branch_exists(remote)
    assert len(github.pulls) == 1


def test_github_502_on_create_still_one_pull(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    github.fail_next("POST", r"/pulls$", 502, apply_first=True)
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    [outcome] = svc.run_now()
    assert outcome.state == store.IN_PR
    assert len(github.pulls) == 1


def test_the_token_stays_secret(remote: Remote, tmp_path: Path, github: FakeGitHub) -> None:
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    svc.run_now()
    seen = []
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix != ".db" and "objects" not in path.parts:
            seen.append(path.read_bytes())
    seen.append(git(remote.bare, "log", "--all", "--format=%B%an%ae").encode())
    seen += [json.dumps(r.json).encode() for r in github.requests if r.json]
    assert seen and not any(DEFAULT_TOKEN.encode() in blob for blob in seen)
    # Authorization went to GitHub in a header, where it belongs.
    assert all(r.headers.get("authorization", "").endswith(DEFAULT_TOKEN) for r in github.requests)


def test_github_refusing_the_token_fails_the_tick(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    github.fail_next("*", r"/repos/", 401, times=20)
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    [outcome] = svc.run_now()
    assert outcome.state == store.FAILED and "token" in outcome.detail
    assert DEFAULT_TOKEN not in outcome.detail


def test_github_down_keeps_the_tick_pending(
    remote: Remote, tmp_path: Path, github: FakeGitHub
) -> None:
    github.fail_next("*", r"/repos/", 502, times=50)
    svc = pr_service(remote, tmp_path, github)
    tick(svc, "Compute Modules/Ingestion", "API")
    [held] = svc.run_now()
    assert held.state == store.PENDING and "retried" in held.detail
    github.clear()
    [landed] = svc.run_now()
    assert landed.state == store.IN_PR
    assert len(github.pulls) == 1
