"""The nav as MkDocs builds it: explicit forms, index pages, inference, plugins."""

from __future__ import annotations

from bot.docs.config import load_site_config
from bot.docs.nav import build_site, page_url
from bot.docs.tree import WorkTree

WORDS = " ".join(["word"] * 30)


def build(site, files: dict[str, str]):
    root = site(files)
    tree = WorkTree(root)
    return build_site(tree, load_site_config(tree, "mkdocs.yml"))


def shape(items) -> list:
    return [
        (i.title, i.page, shape(i.children)) if i.is_section else (i.title, i.page or i.url)
        for i in items
    ]


def test_explicit_nav_with_section_index_pages_and_titles(site) -> None:
    s = build(
        site,
        {
            "mkdocs.yml": "nav:\n  - index.md\n  - Modules:\n      - Host:\n"
            "          - Overview: host/index.md\n          - host/api.md\n"
            "          - Gone: host/gone.md\n  - Ext: https://x.example/\n"
            "  - Up: ../README.md\n  - Abs: /abs.md\n",
            "docs/index.md": "# Welcome\n",
            "docs/host/index.md": "# Host\n",
            "docs/host/api.md": "---\ntitle: Host API\n---\n" + WORDS,
        },
    )
    assert shape(s.nav) == [
        ("Welcome", "index.md"),
        (
            "Modules",
            None,
            [("Host", "host/index.md", [("Host API", "host/api.md"), ("Gone", "host/gone.md")])],
        ),
        ("Ext", "https://x.example/"),
        ("Up", "../README.md"),
        ("Abs", "/abs.md"),
    ]
    gone = next(i for i in s.items() if i.title == "Gone")
    assert gone.missing and gone.line == 7 and gone.source == "mkdocs.yml"
    assert s.in_nav == {"index.md", "host/index.md", "host/api.md"}
    assert [n.kind for n in s.notes] == ["link-outside-docs"]


def test_an_index_page_titled_otherwise_stays_a_child(site) -> None:
    s = build(
        site,
        {
            "mkdocs.yml": "nav:\n  - Host:\n      - Intro: host/index.md\n",
            "docs/host/index.md": WORDS,
        },
    )
    assert shape(s.nav) == [("Host", None, [("Intro", "host/index.md")])]


def test_inferred_nav_and_exclusions(site) -> None:
    s = build(
        site,
        {
            "mkdocs.yml": "site_name: x\nexclude_docs: |\n  drafts/\n",
            "docs/index.md": "# Home page\n",
            "docs/data-store/README.md": "# Data store\n",
            "docs/data-store/raw_store.md": WORDS,
            "docs/both/index.md": "# Both\n",
            "docs/both/README.md": "# Readme\n",
            "docs/drafts/x.md": WORDS,
            "docs/.hidden/x.md": WORDS,
            "docs/templates/x.md": WORDS,
            "docs/img.png": "x",
        },
    )
    assert shape(s.nav) == [
        ("Home page", "index.md"),
        ("Both", "both/index.md", []),
        ("Data store", "data-store/README.md", [("Raw store", "data-store/raw_store.md")]),
    ]
    assert "drafts/x.md" not in s.pages and ".hidden/x.md" not in s.pages


def test_inferred_nav_leaves_out_not_in_nav_and_draft_pages(site) -> None:
    # MkDocs 1.6 infers the nav from the pages that are in it: not `not_in_nav` ones, nor
    # drafts (which stay pages of the site, read as stubs)
    s = build(
        site,
        {
            "mkdocs.yml": "site_name: x\nnot_in_nav: |\n  /private.md\n  api/\n"
            "draft_docs: |\n  *_draft.md\n",
            "docs/index.md": "# Home\n",
            "docs/private.md": WORDS,
            "docs/public.md": "# Public\n",
            "docs/page_draft.md": WORDS,
            "docs/api/index.md": WORDS,
            "docs/api/a.md": WORDS,
            "docs/guide/index.md": "---\nstatus: complete\n---\n# Guide\n",
            "docs/guide/next_draft.md": WORDS,
        },
    )
    assert shape(s.nav) == [
        ("Home", "index.md"),
        ("Public", "public.md"),
        ("Guide", "guide/index.md", []),
    ]
    assert "page_draft.md" in s.pages and s.pages["page_draft.md"].stub
    assert s.not_in_nav == {"private.md", "api/index.md", "api/a.md"}


def test_literate_nav_summary_with_cross_links_and_wildcards(site) -> None:
    s = build(
        site,
        {
            "mkdocs.yml": "plugins: [search, literate-nav]\nnav: [ignored.md]\n",
            "docs/SUMMARY.md": "* [Home](index.md)\n* Modules\n    * [Host](host/)\n"
            "    * [Compute](compute/index.md)\n        * [API](compute/api.md)\n"
            "* [*](misc/*.md)\n",
            "docs/index.md": "# Home\n",
            "docs/host/SUMMARY.md": "- [API](api.md)\n",
            "docs/host/api.md": WORDS,
            "docs/compute/index.md": "# C\n",
            "docs/compute/api.md": WORDS,
            "docs/misc/a.md": "# A\n",
        },
    )
    assert shape(s.nav) == [
        ("Home", "index.md"),
        (
            "Modules",
            None,
            [
                ("Host", None, [("API", "host/api.md")]),
                ("Compute", "compute/index.md", [("API", "compute/api.md")]),
            ],
        ),
        ("A", "misc/a.md"),
    ]
    host_api = next(i for i in s.items() if i.page == "host/api.md")
    assert host_api.source == "docs/host/SUMMARY.md" and host_api.line == 1


def test_literate_nav_reads_the_last_list_and_bare_wildcards(site) -> None:
    # literate-nav's nav is the file's last list (lists in prose and code fences before it
    # are not the nav); a bare `dir/*.md` item lists what it matches that the file does not
    # link to, and `*/` the directories, each as a section of its own unlinked pages.
    s = build(
        site,
        {
            "mkdocs.yml": "plugins: [literate-nav]\n",
            "docs/SUMMARY.md": "# Nav\n\nIntro:\n\n- [Not](not.md)\n\n"
            "```\n- [Fenced](f.md)\n```\n\n"
            "- [Home](index.md)\n- Host\n    - [API](host/api.md)\n    - host/*.md\n- */\n",
            "docs/index.md": "# Home\n",
            "docs/not.md": "# Not\n",
            "docs/host/index.md": "# Host\n",
            "docs/host/api.md": "# API\n",
            "docs/host/ui.md": "# UI\n",
            "docs/host/deep/x.md": "# X\n",
            "docs/misc/index.md": "# Misc\n",
            "docs/misc/a.md": "# A\n",
        },
    )
    assert shape(s.nav) == [
        ("Home", "index.md"),
        # the index page is not the section's first item: a page of it, as MkDocs has it
        ("Host", None, [("API", "host/api.md"), ("Host", "host/index.md"), ("UI", "host/ui.md")]),
        ("Host", None, [("Deep", None, [("X", "host/deep/x.md")])]),
        ("Misc", "misc/index.md", [("A", "misc/a.md")]),
    ]
    assert "not.md" not in s.in_nav


def test_literate_nav_marker_chooses_the_list(site) -> None:
    s = build(
        site,
        {
            "mkdocs.yml": "plugins: [literate-nav]\n",
            "docs/SUMMARY.md": "<!--nav-->\n* [A](a.md)\n\n<!--nav-->\n1. [B](b.md)\n\n"
            "Later:\n\n* [C](c.md)\n",
            "docs/a.md": "# A\n",
            "docs/b.md": "# B\n",
            "docs/c.md": "# C\n",
        },
    )
    assert shape(s.nav) == [("B", "b.md")]


def test_awesome_pages_titles_order_and_hide(site) -> None:
    s = build(
        site,
        {
            "mkdocs.yml": "plugins: [awesome-pages]\n",
            "docs/host/.pages": "title: Host Modules\nnav:\n  - b.md\n  - ...\n",
            "docs/host/a.md": WORDS,
            "docs/host/b.md": WORDS,
            "docs/secret/.pages": "hide: true\n",
            "docs/secret/x.md": WORDS,
        },
    )
    assert shape(s.nav) == [("Host Modules", None, [("B", "host/b.md"), ("A", "host/a.md")])]


def test_awesome_pages_rest_in_the_mkdocs_yml_nav(site) -> None:
    # with awesome-pages, `...` in mkdocs.yml's nav stands for the inferred nav's pages the
    # nav does not list (`... | glob` for those whose path matches), in their sections
    files = {
        "mkdocs.yml": "plugins: [awesome-pages]\nnav:\n  - Home: index.md\n"
        "  - Setup:\n      - ... | */install*.md\n  - ...\n",
        "docs/index.md": "# Home\n",
        "docs/guide/index.md": "# Guide\n",
        "docs/guide/install-linux.md": "# Linux\n",
        "docs/guide/usage.md": "# Usage\n",
        "docs/ref/api.md": "# API\n",
    }
    s = build(site, files)
    assert shape(s.nav) == [
        ("Home", "index.md"),
        ("Setup", None, [("Guide", None, [("Linux", "guide/install-linux.md")])]),
        ("Guide", "guide/index.md", [("Usage", "guide/usage.md")]),
        ("Ref", None, [("API", "ref/api.md")]),
    ]
    assert not any(i.missing for i in s.items())
    # without the plugin, MkDocs reads '...' as a path (a link to nothing)
    files["mkdocs.yml"] = "nav:\n  - Home: index.md\n  - ...\n"
    assert [i.missing for i in build(site, files).nav] == [False, True]


def test_awesome_pages_rest_filters_arrange_and_order(site) -> None:
    # `... | glob` / `... | regex=` take the unlisted items they match (before the plain
    # `...`); v1's `arrange` puts the unlisted ones last when it has no `...`; `order` sorts
    s = build(
        site,
        {
            "mkdocs.yml": "plugins: [awesome-pages]\n",
            "docs/.pages": "nav:\n  - ... | install*.md\n  - Guides: guides\n  - ...\n"
            "  - ... | regex=^z\n",
            "docs/about.md": "# About\n",
            "docs/install-linux.md": "# Linux\n",
            "docs/install-mac.md": "# Mac\n",
            "docs/zz-last.md": "# Last\n",
            "docs/guides/.pages": "arrange:\n  - b.md\n",
            "docs/guides/a.md": "# A\n",
            "docs/guides/b.md": "# B\n",
            "docs/guides/c.md": "# C\n",
            "docs/ref/.pages": "order: desc\n",
            "docs/ref/x.md": "# X\n",
            "docs/ref/y.md": "# Y\n",
        },
    )
    assert shape(s.nav) == [
        ("Linux", "install-linux.md"),
        ("Mac", "install-mac.md"),
        ("Guides", None, [("B", "guides/b.md"), ("A", "guides/a.md"), ("C", "guides/c.md")]),
        ("About", "about.md"),
        ("Ref", None, [("Y", "ref/y.md"), ("X", "ref/x.md")]),
        ("Last", "zz-last.md"),
    ]


def test_other_nav_plugins_make_the_nav_unknown(site) -> None:
    s = build(site, {"mkdocs.yml": "plugins: [awesome-nav]\nnav: [a.md]\n", "docs/a.md": WORDS})
    assert not s.nav_known and s.nav == ()
    assert [n.kind for n in s.notes] == ["nav-plugin"]


def test_case_twin_and_urls(site) -> None:
    s = build(
        site,
        {
            "mkdocs.yml": "site_url: https://d.example/x/\nnav: [Host/API.md]\n",
            "docs/host/api.md": WORDS,
        },
    )
    assert s.nav[0].missing
    assert s.case_twin("Host/API.md") == "host/api.md"
    assert s.url("host/api.md") == "https://d.example/x/host/api/"
    assert page_url("a/index.md", True) == "a/"
    assert page_url("a/b.md", False) == "a/b.html"
