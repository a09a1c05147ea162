"""How git's words for a refused push or credential are read (bot/repo/refusal.py): the
verdicts and `remote:` lines as git 2.39 and GitHub print them."""

from __future__ import annotations

import pytest

from bot.errors import GitRefused
from bot.repo.refusal import PushRefusedForNow, PushRejected, auth_refusal, push_refusal

URL = "https://x-access-token:ghs_secret123@github.com/acme/docs.git"
HIDE = (URL, "https://github.com/acme/docs.git")


def verdict(status: str) -> str:
    return f"To {HIDE[1]}\n!\trefs/roadmap-bot/push/main:refs/heads/main\t{status}\nDone\n"


def test_a_protected_branch_is_refused_for_good_in_githubs_words() -> None:
    err = push_refusal(
        verdict("[remote rejected] (protected branch hook declined)"),
        "remote: error: GH006: Protected branch update failed for refs/heads/main.        \n"
        "remote: error: Changes must be made through a pull request.\n"
        f"error: failed to push some refs to '{HIDE[1]}'\n",
        "main",
        HIDE,
        ("ghs_secret123",),
    )
    assert isinstance(err, GitRefused) and not err.transient
    assert str(err) == (
        "the remote refused the push to main (protected branch hook declined): GH006: "
        "Protected branch update failed for refs/heads/main.; Changes must be made through "
        "a pull request."
    )


def test_the_remotes_words_are_bounded_and_hide_its_address_and_token() -> None:
    stderr = f"remote: see {HIDE[1]} ghs_secret123\n" + "remote: " + "x" * 5000 + "\n"
    err = push_refusal(verdict("[remote rejected] (hook declined)"), stderr, "main", HIDE, ())
    assert isinstance(err, GitRefused)
    assert "acme/docs" not in str(err) and "ghs_secret123" not in str(err)
    assert len(str(err)) < 400


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("[rejected] (fetch first)", PushRejected),
        ("[rejected] (stale info)", PushRejected),
        ("[rejected] (non-fast-forward)", PushRejected),
        ("[remote rejected] (failed to update ref)", PushRefusedForNow),
        ("[remote rejected] (failed to lock)", PushRefusedForNow),
        ("[remote rejected] (pre-receive hook declined)", GitRefused),
        ("[remote rejected] (shallow update not allowed)", GitRefused),
    ],
)
def test_each_verdict_is_moved_for_now_or_for_good(status: str, kind: type) -> None:
    err = push_refusal(verdict(status), "", "main", HIDE, ())
    assert type(err) is kind


def test_no_verdict_is_not_a_refusal() -> None:
    assert (
        push_refusal("", "fatal: unable to access ...: Could not resolve host", "m", (), ()) is None
    )


def test_credentials_refused_name_the_setting() -> None:
    username = "fatal: could not read Username for 'https://github.com': terminal prompts disabled"
    sent = auth_refusal(username, URL, token_sent=True, pushing=False)
    assert sent is not None and "authentication failed at github.com" in str(sent)
    assert "GITHUB_TOKEN was refused" in str(sent) and "ghs_secret123" not in str(sent)
    forbidden = (
        "remote: Permission to acme/docs.git denied to roadmap-bot[bot].\n"
        "fatal: unable to access 'https://github.com/acme/docs.git/': "
        "The requested URL returned error: 403\n"
    )
    push = auth_refusal(forbidden, URL, token_sent=True, pushing=True)
    assert push is not None and "contents: write" in str(push) and "acme" not in str(push)
    assert auth_refusal("fatal: the remote end hung up", URL, True, True) is None
