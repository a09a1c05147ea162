from __future__ import annotations

import pytest

from bot.forge import repository_from_remote


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/acme/docs", "acme/docs"),
        ("https://github.com/acme/docs.git", "acme/docs"),
        ("https://github.com/acme/docs/", "acme/docs"),
        ("https://github.com/acme/docs.git/", "acme/docs"),
        ("http://github.com/acme/docs", "acme/docs"),
        ("  https://github.com/acme/docs.git\n", "acme/docs"),
        ("https://x-access-token:ghp_secret@github.com/acme/docs.git", "acme/docs"),
        ("git@github.com:acme/docs.git", "acme/docs"),
        ("git@github.com:acme/docs", "acme/docs"),
        ("github.com:acme/docs.git", "acme/docs"),
        ("ssh://git@github.com/acme/docs.git", "acme/docs"),
        ("ssh://git@ghe.example.com/acme/docs.git", "acme/docs"),
        ("ssh://git@ghe.example.com:2222/acme/docs.git", "acme/docs"),
        ("https://ghe.example.com/acme/docs.git", "acme/docs"),
        ("git@ghe.example.com:acme/docs.git", "acme/docs"),
        ("git://github.com/acme/docs.git", "acme/docs"),
        ("https://github.com/Acme-Org/my.docs_repo.git", "Acme-Org/my.docs_repo"),
        ("https://github.com/acme/docs.github.io.git", "acme/docs.github.io"),
    ],
)
def test_repository_from_remote_reads_owner_and_name(url: str, expected: str) -> None:
    assert repository_from_remote(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "/srv/git/docs",
        "../docs",
        "file:///srv/git/acme/docs.git",
        "C:/git/acme/docs",
        "https://github.com/acme",
        "https://github.com/",
        "https://gitlab.example.com/group/sub/docs.git",
        "git@github.com:acme",
        "https://github.com/acme/../docs",
        "not a url at all",
    ],
)
def test_repository_from_remote_rejects_what_is_not_a_github_repository(url: str) -> None:
    assert repository_from_remote(url) is None
