"""mkdocs.yml is read safely: tags, !ENV, INHERIT, limits, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.docs.config import (
    DocsConfigError,
    NavEntry,
    Opaque,
    load_drift_settings,
    load_site_config,
    load_yaml,
)
from bot.docs.tree import WorkTree
from bot.errors import SettingsError


def config(site, text: str, **more: str):
    root = site({"mkdocs.yml": text, **more})
    return load_site_config(WorkTree(root), "mkdocs.yml", {"SET": "from-env", "N": "3"})


def test_python_tags_are_opaque_and_never_run(site, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    cfg = config(
        site,
        "site_name: x\n"
        "markdown_extensions:\n"
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        f"hooks: !!python/object/apply:os.system ['touch {marker}']\n"
        "x: !relative $config_dir\n"
        "y: !whatever 1\n",
    )
    assert not marker.exists()
    assert cfg.docs_dir == "docs"
    data, _ = load_yaml(
        f"a: !!python/object/apply:os.system ['touch {marker}']\nb: !relative x\n", "m.yml", {}
    )
    assert not marker.exists()
    assert isinstance(data["a"], Opaque) and data["a"].tag.endswith("python/object/apply:os.system")
    assert data["b"] == Opaque("!relative", "x")


def test_env_follows_pyyaml_env_tag(site) -> None:
    data, _ = load_yaml(
        "a: !ENV SET\nb: !ENV [UNSET, N, 7]\nc: !ENV [UNSET, 'fallback']\nd: !ENV UNSET\n"
        "e: !ENV [UNSET, 5]\nf: !ENV [UNSET, N]\n",
        "m.yml",
        {"SET": "from-env", "N": "3"},
    )
    assert data == {"a": "from-env", "b": 3, "c": "fallback", "d": None, "e": 5, "f": "N"}


def test_unset_env_docs_dir_is_a_note_and_the_default(site) -> None:
    cfg = config(site, "docs_dir: !ENV [UNSET_DIR]\n")
    assert cfg.docs_dir == "docs"
    assert [n.kind for n in cfg.notes] == ["config-env"]
    assert cfg.notes[0].line == 1


def test_nav_keeps_lines_forms_and_includes(site) -> None:
    cfg = config(
        site,
        "site_name: x\n"
        "nav:\n"
        "  - index.md\n"
        "  - Home: home.md\n"
        "  - Modules:\n"
        "      - Host: host/index.md\n"
        "  - Sub: !include ./sub/mkdocs.yml\n"
        "  - Ext: https://example.com\n",
    )
    assert cfg.nav == (
        NavEntry(None, "index.md", None, 3),
        NavEntry("Home", "home.md", None, 4),
        NavEntry("Modules", None, (NavEntry("Host", "host/index.md", None, 6),), 5),
        NavEntry("Sub", "./sub/mkdocs.yml", None, 7, "!include"),
        NavEntry("Ext", "https://example.com", None, 8),
    )
    assert [n.kind for n in cfg.notes] == ["nav-include"]


def test_a_mapping_nav_is_accepted_with_a_note(site) -> None:
    cfg = config(site, "nav:\n  -Index: index.md\n")
    assert cfg.nav == (NavEntry("-Index", "index.md", None, 2),)
    assert [n.kind for n in cfg.notes] == ["nav-form"]


def test_inherit_merges_mappings_and_replaces_lists(site) -> None:
    cfg = config(
        site,
        "INHERIT: base/base.yml\nsite_url: https://b.example/\nplugins: [search]\n",
        **{
            "base/base.yml": "docs_dir: docs2\nsite_url: https://a.example/\n"
            "plugins: [search, literate-nav]\nnav:\n  - a.md\n"
            "validation: {nav: {absolute_links: relative_to_docs}}\n"
        },
    )
    assert cfg.site_url == "https://b.example/"
    assert cfg.plugins == ("search",)
    assert cfg.nav == (NavEntry(None, "a.md", None, 5),)
    assert cfg.nav_file == "base/base.yml"
    assert cfg.absolute_links_to_docs
    # docs_dir is relative to the config MkDocs was given, as MkDocs does after merging
    assert cfg.docs_dir == "docs2"


def test_nav_titles_are_the_keys_as_mkdocs_loads_them(site) -> None:
    # an !ENV key is the variable's value (or its default); a key YAML types is that type
    cfg = config(
        site,
        "site_name: x\nnav:\n"
        "  - !ENV [UNSET, Home]: index.md\n"
        "  - !ENV SET: a.md\n"
        "  - !ENV [UNSET]: b.md\n"
        "  - 2.10:\n"
        "      - 'On': c.md\n"
        "      - On: d.md\n"
        "      - null: e.md\n",
    )
    assert cfg.nav is not None
    assert [(e.title, e.target) for e in cfg.nav[:3]] == [
        ("Home", "index.md"),
        ("from-env", "a.md"),
        (None, "b.md"),
    ]
    assert cfg.nav[3].title == "2.1"
    assert [e.title for e in cfg.nav[3].children or ()] == ["On", "True", None]


@pytest.mark.parametrize(
    ("validation", "relative"),
    [
        ("{nav: {absolute_links: relative_to_docs}}", True),
        # MkDocs passes a key set on validation itself down to nav and links
        ("{absolute_links: relative_to_docs, omitted_files: warn}", True),
        ("{absolute_links: relative_to_docs, nav: {not_found: warn}}", True),
        # ... unless the sub-config sets its own
        ("{absolute_links: relative_to_docs, nav: {absolute_links: info}}", False),
        ("{links: {absolute_links: relative_to_docs}}", False),
        ("warn", False),
    ],
)
def test_validation_absolute_links(site, validation: str, relative: bool) -> None:
    cfg = config(site, f"site_name: x\nvalidation: {validation}\nnav:\n  - /a.md\n")
    assert cfg.absolute_links_to_docs is relative


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"mkdocs.yml": "INHERIT: a.yml\n", "a.yml": "INHERIT: mkdocs.yml\n"}, "INHERIT cycle"),
        ({"mkdocs.yml": "INHERIT: ../../etc/passwd\n"}, "leaves the repository"),
        ({"mkdocs.yml": "INHERIT: nope.yml\n"}, "no such file"),
        ({"mkdocs.yml": "site_name: [x\n"}, "mkdocs.yml:2:"),
        ({"mkdocs.yml": "nav:\n  - a.md\n  b: c\n"}, "mkdocs.yml:3:"),
        ({"mkdocs.yml": "docs_dir: ../outside\n"}, "leaves the repository"),
        ({"mkdocs.yml": "- a\n"}, "not a mapping"),
        ({"mkdocs.yml": b"site_name: \xff\n"}, "not UTF-8"),
        (
            {"mkdocs.yml": "INHERIT: a.yml\nextra: &e {a: *e}\n", "a.yml": "extra: &e {a: *e}\n"},
            "mkdocs.yml:1: INHERIT: the configs nest too deeply to merge",
        ),
    ],
)
def test_bad_configs_are_one_line_errors(site, files, expected) -> None:
    root = site(files)
    with pytest.raises(DocsConfigError) as err:
        load_site_config(WorkTree(root), "mkdocs.yml")
    assert expected in str(err.value)
    assert "\n" not in str(err.value)
    assert isinstance(err.value, SettingsError) and err.value.exit_code == 2


def test_a_config_over_one_mib_is_refused_before_parsing(site) -> None:
    root = site({"mkdocs.yml": "a: " + "x" * (1 << 20) + "\n"})
    with pytest.raises(DocsConfigError, match="limit is 1,048,576"):
        load_site_config(WorkTree(root), "mkdocs.yml")


def test_an_alias_bomb_in_the_nav_is_refused_quickly(site) -> None:
    lines = ["a0: &a0 [x.md, x.md, x.md, x.md, x.md, x.md, x.md, x.md, x.md, x.md]"]
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    lines.append("nav: [*a9]")
    root = site({"mkdocs.yml": "\n".join(lines) + "\n"})
    with pytest.raises(DocsConfigError, match="alias bomb"):
        load_site_config(WorkTree(root), "mkdocs.yml")


@pytest.mark.parametrize(
    "text",
    [
        "nav:\n  - Home: index.md\n  - Loop: &a [*a]\n",  # a list that holds itself
        "nav: &n\n  - Home: index.md\n  - More: *n\n",  # the nav inside its own section
        "nav:\n  - &m {Loop: *m}\n",  # a mapping whose value is itself
    ],
)
def test_a_nav_that_contains_itself_is_one_line_not_a_recursion(site, text: str) -> None:
    root = site({"mkdocs.yml": "site_name: x\n" + text})
    with pytest.raises(DocsConfigError, match=r"^mkdocs.yml:\d+: the nav contains itself"):
        load_site_config(WorkTree(root), "mkdocs.yml")


def test_a_nav_nested_hundreds_deep_is_one_line(site) -> None:
    depth = 600  # deep enough that walking it outruns Python's stack
    text = "nav: " + "[" * depth + "a.md" + "]" * depth + "\n"
    root = site({"mkdocs.yml": text})
    with pytest.raises(DocsConfigError, match=r"^mkdocs\.yml: the nav is nested too deeply"):
        load_site_config(WorkTree(root), "mkdocs.yml")


def test_bom_and_crlf_are_read(site) -> None:
    cfg = config(site, "\ufeffsite_url: https://x.example/\r\nnav:\r\n  - A: a.md\r\n")
    assert cfg.site_url == "https://x.example/"
    assert cfg.nav == (NavEntry("A", "a.md", None, 3),)


def test_zensical_toml_project_table(site) -> None:
    root = site(
        {"zensical.toml": '[project]\ndocs_dir = "site"\nnav = [{Home = "index.md"}, "b.md"]\n'}
    )
    cfg = load_site_config(WorkTree(root), "zensical.toml")
    assert cfg.docs_dir == "site"
    assert cfg.nav == (NavEntry("Home", "index.md"), NavEntry(None, "b.md"))
    root = site({"zensical.toml": "[project\n"})
    with pytest.raises(DocsConfigError, match=r"zensical.toml:1:"):
        load_site_config(WorkTree(root), "zensical.toml")


def test_drift_settings_are_validated_with_the_line(site) -> None:
    root = site(
        {
            ".roadmap-bot.yml": "drift:\n  nav_root: Modules\n  columns:\n"
            "    UI: {file: ui, titles: [User Interface]}\n"
            "    Engineering Wiring: {kind: track}\n"
        }
    )
    settings = load_drift_settings(WorkTree(root), ".roadmap-bot.yml")
    assert settings.nav_root == "Modules"
    assert settings.column("Engineering Wiring").kind == "track"
    assert settings.column("UI").titles == ("User Interface",)
    assert settings.column("Index").file == "index"
    root = site({".roadmap-bot.yml": "drift:\n  nav_root: Modules\n  colums: {}\n"})
    with pytest.raises(DocsConfigError, match=r"\.roadmap-bot\.yml:3: drift\.colums: unknown"):
        load_drift_settings(WorkTree(root), ".roadmap-bot.yml")
