"""The one wording of "not found" and "ambiguous" (the CLI and the history use it)."""

from __future__ import annotations

from bot.errors import did_you_mean, matches_several


def test_did_you_mean_names_the_query_and_the_suggestions() -> None:
    assert (
        did_you_mean("module", "Catalg", ["Catalog"]) == "no module 'Catalg'; did you mean Catalog?"
    )
    assert did_you_mean("column", "Dcs", ["Docs", "DCs"], " in the history") == (
        "no column 'Dcs' in the history; did you mean Docs, DCs?"
    )
    assert did_you_mean("module", "zzz", []) == "no module 'zzz'"


def test_matches_several_says_how_many_are_not_shown() -> None:
    assert matches_several("module", "Action", ["A1", "A2"]) == (
        "'Action' matches several modules: A1, A2; say which"
    )
    assert matches_several("module", "p", ["P1"], " in the history", more=3) == (
        "'p' matches several modules in the history: P1 and 3 more; say which"
    )
