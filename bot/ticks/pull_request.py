"""The bot's pull request as teams really use it: who owns the bot branch, when to regenerate
it, what its description says, and how a finished or refused pull request frees the bot.

The applier (pr mode) asks these questions; git and GitHub are reached through the mirror and
the forge it passes in. Renovate's habits are the model: a branch a person has committed to is
theirs until the pull request is merged or closed (or they hand it back with the checkbox in
its description); a closed pull request's branch is deleted; the branch is rebuilt only when a
new tick arrives or GitHub will not merge it as it is (TICK_REBASE=auto), or whenever the base
moves (TICK_REBASE=always).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.repo.mirror import Mirror

if TYPE_CHECKING:
    from bot.forge.github import PullRequest

    from .applier import TickOutcome

TAKE_BACK = "Let roadmap-bot take this branch back"
# "- [x] Let roadmap-bot take this branch back": ticked in the description on GitHub.
_TAKE_BACK_TICKED = re.compile(rf"^\s*[-*]\s*\[[xX]\]\s*{re.escape(TAKE_BACK)}", re.MULTILINE)
# Found again among the PR's comments, so the bot says it once per pull request (an amend or
# a rebase by a person rewrites every SHA, so the mark names none).
HANDS_OFF_MARK = "<!-- roadmap-bot:hands-off -->"


@dataclass(frozen=True)
class HandCommit:
    """A commit on the bot branch that a person wrote or rewrote (author or committer)."""

    sha: str
    author: str  # email
    committer: str  # email
    who: str  # the person's name, as git has it (the committer's, or the author's)


def hand_commits(mirror: Mirror, base: str, tip: str, bot_email: str) -> list[HandCommit]:
    """Commits on `tip` not on `base`, oldest first, whose author or committer is not the
    bot: an amend or a rebase by a person keeps the bot as author but not as committer."""
    out = mirror.git.text(
        "log", "--reverse", "--format=%H%x00%ae%x00%ce%x00%an%x00%cn", f"{base}..{tip}", "--"
    )
    bot = bot_email.lower()
    found = []
    for line in out.splitlines():
        sha, author, committer, author_name, committer_name = line.split("\0")
        if author.lower() != bot or committer.lower() != bot:
            who = committer_name if committer.lower() != bot else author_name
            found.append(HandCommit(sha, author, committer, who))
    return found


def take_back_requested(body: str) -> bool:
    """The take-back checkbox in the pull request's description is ticked."""
    return _TAKE_BACK_TICKED.search(body or "") is not None


def needs_regenerate(
    rebase: str,
    *,
    new_ticks: bool,
    branch_lost: bool,
    pull: PullRequest | None,
    base_moved: bool,
) -> bool:
    """Force-push the bot branch only when needed: every push re-runs the docs repository's
    CI and may dismiss approvals. Always for a new tick, a lost branch or a branch with no
    open pull request (a fresh start); TICK_REBASE=auto also when GitHub says the pull
    request conflicts with the base or must be brought up to date (branch protection);
    TICK_REBASE=always whenever the base has moved."""
    if new_ticks or branch_lost or pull is None:
        return True
    if rebase == "always":
        return base_moved
    return pull.needs_update


def delete_branch(mirror: Mirror, branch: str, lease: str) -> bool:
    """Delete `branch` on the remote if it is still at `lease`. False when it had moved (a
    person pushed meanwhile: theirs now) or was already gone."""
    proc = mirror.git.attempt(
        "push",
        "--porcelain",
        "--quiet",
        f"--force-with-lease=refs/heads/{branch}:{lease}",
        mirror.remote,
        f":refs/heads/{branch}",
    )
    mirror.git.attempt("update-ref", "-d", f"refs/remotes/origin/{branch}")
    return proc.returncode == 0


def hands_off_comment(first: HandCommit, waiting: str) -> str:
    """What the bot says on the pull request, once (HANDS_OFF_MARK)."""
    return (
        f"{HANDS_OFF_MARK}\n"
        f"roadmap-bot: {first.who} committed to this branch "
        f"({first.sha[:7]}), so the bot leaves it alone while this pull request is open: it "
        "will not regenerate it or add ticks to it. Ticks asked for meanwhile are refused "
        f"and their people told{waiting}. Once this pull request is merged or closed the bot "
        f"starts a fresh branch. To hand the branch back now, tick **{TAKE_BACK}** in the "
        "description: the bot then rebuilds it from the base with the waiting ticks, "
        "dropping the commits made by hand.\n"
    )


def hands_off_note(head: str, pull: PullRequest) -> str:
    """One line for a person whose tick was refused."""
    return (
        f"someone committed to the bot branch {head} by hand, so the bot leaves pull request "
        f"#{pull.number} alone; tick again once it is merged or closed, or after ticking "
        f"'{TAKE_BACK}' in its description"
    )


def pr_title(items: list[TickOutcome]) -> str:
    if len(items) == 1:
        return f"Roadmap: {items[0].detail}"
    return f"Roadmap: {len(items)} changes from Slack"


def pr_body(items: list[TickOutcome], where_asked: dict[int, str]) -> str:
    lines = [
        "Changes asked for in Slack through roadmap-bot, one commit each. The bot rebuilds",
        "this branch from the base when a new tick arrives or when GitHub cannot merge it as",
        "it is (a conflict, or a base that requires branches to be up to date). Commit to it",
        "by hand and the bot leaves it alone until this pull request is merged or closed.",
        "",
    ]
    for o in items:
        t = o.tick
        box = "x" if t.done else " "
        who = t.user_name or t.user_id
        lines.append(
            f"- [{box}] **{o.module_name}** / {t.column}: {t.verb} asked by {who} in "
            f"{where_asked[t.id]}"
        )
    lines += [
        "",
        "---",
        f"- [ ] {TAKE_BACK} (after commits by hand: rebuild it from the base with the",
        "  waiting ticks, dropping those commits)",
    ]
    return "\n".join(lines) + "\n"
