"""`roadmap-bot digest`: --dry-run needs no Slack; posting goes through the same marker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import cli
from bot.errors import SettingsError, UserInputError
from bot.store import db
from bot.store import digest as store
from tests.fakes.slack import FakeSlack

from .conftest import Repo
from .test_chart import assert_png


def run(*argv: str) -> int:
    """The command as `roadmap-bot digest` runs it, errors raised rather than printed."""
    return cli.run(cli.parse_args(["digest", *argv]))


def test_dry_run_on_the_bundled_example(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chart = tmp_path / "chart.png"
    assert run("--dry-run", "--chart", str(chart)) == 0
    out, err = capsys.readouterr()
    assert "bundled example" in err
    assert "Overall" in out and "Groups:" in out and "Next up" in out
    assert "No history" in out
    assert out.rstrip().endswith(f"chart: {chart}")
    assert_png(chart.read_bytes())
    assert not (tmp_path / "roadmap-bot.db").exists()  # a dry run creates no database


def test_dry_run_saves_the_chart_somewhere_and_says_where(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run("--dry-run", "--since", "2w") == 0
    found = re.search(r"^chart: (.+\.png)$", capsys.readouterr().out, re.MULTILINE)
    assert found is not None
    path = Path(found[1])
    try:
        assert_png(path.read_bytes())
    finally:
        path.unlink()


def test_dry_run_on_a_git_repo(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ROADMAP_REPO", str(repo.path))
    monkeypatch.setenv("CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DIGEST_TZ", "Europe/Paris")
    assert run("--dry-run", "--since", "1000w", "--chart", str(tmp_path / "c.png")) == 0
    out = capsys.readouterr().out
    for who in ("Ada Lovelace", "Bob Builder", "Cy Young"):
        assert who in out
    assert "No history" not in out
    assert "5/8" in out
    assert_png((tmp_path / "c.png").read_bytes())


def test_posting_needs_a_channel_and_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="no channel"):
        run()
    monkeypatch.setenv("DIGEST_CHANNEL", "C0001")
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN"):
        run()
    with pytest.raises(UserInputError, match="--since"):
        run("--dry-run", "--since", "soon")


def test_posts_once_per_period(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    slack: FakeSlack,
    channel: str,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/state.db")
    monkeypatch.setenv("DIGEST_CHANNEL", channel)
    assert run() == 0
    assert f"posted to {channel}" in capsys.readouterr().out
    assert run("--channel", channel) == 0
    assert f"already posted to {channel}" in capsys.readouterr().out
    (call,) = slack.calls_to("chat.postMessage")
    assert call.params["channel"] == channel and call.params["blocks"]
    (file,) = slack.uploaded_files()
    assert_png(file.content or b"")


def test_a_failed_post_exits_1_and_says_so(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    slack: FakeSlack,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/state.db")
    slack.fail_next("chat.postMessage", "channel_not_found")
    assert run("--channel", "CGONE") == 1
    err = capsys.readouterr().err
    assert "NOT posted to CGONE" in err and "channel_not_found" in err
    engine = db.engine(f"sqlite:///{tmp_path}/state.db")
    with engine.connect() as conn:
        states = conn.execute(
            select(store.deliveries.c.state).where(store.deliveries.c.channel == "CGONE")
        ).scalars()
        assert list(states) == ["failed"]  # the next run retries it


def test_dry_run_text_fits_80_columns() -> None:
    from bot.cli.digest import fit_terminal

    long = (
        "At this pace (last 4 weeks): Compute Modules by Mar 2028, the roadmap by Jul 2036. "
        "9 groups without progress in 4 weeks: no forecast for them."
    )
    change = (
        "  + Ingestion (Compute Modules): Index, Data Model, API, Observability, Runbook by Ann"
    )
    text = f"Roadmap · digest\n{long}\n{change}\n"
    fitted = fit_terminal(text, 80)
    lines = fitted.splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    assert " ".join(fitted.split()) == " ".join(text.split())  # no word lost or cut
    assert lines[0] == "Roadmap · digest" and lines[-1].startswith("    ")
    assert fitted.endswith("\n")
