"""Where the roadmap, the site config and the mapping are in a tree, and drift over it.

The one entry point for every caller: the CLI gives a work tree, ``serve`` and the digest a
git tree at the roadmap's commit. Paths are repo-relative POSIX paths.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

from bot.errors import RoadmapFileError
from bot.gcpause import gc_paused
from bot.roadmap.parse import decode, parse

from .config import CONFIG_NAMES, DocsConfigError, load_drift_settings, load_site_config
from .drift import DriftReport, check
from .nav import build_site
from .renames import history_renames
from .tree import GitTree, Tree

SETTINGS_NAME = ".roadmap-bot.yml"
DEFAULT_ROADMAP = "docs/roadmap.md"


@dataclass(frozen=True, slots=True)
class Inputs:
    roadmap: str
    site_config: str
    settings_file: str | None
    docs_dir: str | None = None  # an override of the config's docs_dir


def find_site_config(tree: Tree, start_dir: str) -> str | None:
    """mkdocs.yml, mkdocs.yaml, then zensical.toml, from `start_dir` up to the root."""
    paths = tree.paths()
    d = start_dir
    while True:
        for name in CONFIG_NAMES:
            cand = f"{d}/{name}" if d else name
            if cand in paths:
                return cand
        if not d:
            return None
        d = d.rpartition("/")[0]


def find_inputs(
    tree: Tree,
    *,
    roadmap: str | None = None,
    site_config: str | None = None,
    settings_file: str | None = None,
    docs_dir: str | None = None,
    default_roadmap: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Inputs:
    paths = tree.paths()
    for given, what in (
        (roadmap, "roadmap"),
        (site_config, "site config"),
        (settings_file, "config"),
    ):
        if given is not None and given not in paths:
            raise DocsConfigError(f"{given}: no such file ({what})")
    # The mapping: given, else beside the given site config, else at the root (it may name
    # the roadmap); looked for again beside the site config once that is found.
    if settings_file is None:
        near = posixpath.dirname(site_config) if site_config else ""
        cand = f"{near}/{SETTINGS_NAME}" if near else SETTINGS_NAME
        settings_file = cand if cand in paths else None
    if roadmap is None and settings_file is not None:
        if isinstance(tree, GitTree):
            # With the likely roadmap and site config: one git process, not one each.
            near = posixpath.dirname(settings_file)
            likely = [
                default_roadmap or DEFAULT_ROADMAP,
                *(f"{near}/{n}" if near else n for n in CONFIG_NAMES),
            ]
            tree.read_many([settings_file, *likely])
        named = load_drift_settings(tree, settings_file, env).roadmap
        if named:
            roadmap = posixpath.normpath(posixpath.join(posixpath.dirname(settings_file), named))
            if roadmap not in paths:
                raise DocsConfigError(f"{settings_file}: drift.roadmap {named!r}: no such file")
    if roadmap is None:
        roadmap = default_roadmap or DEFAULT_ROADMAP
        if roadmap not in paths:
            found = sorted(p for p in paths if p.rpartition("/")[2].casefold() == "roadmap.md")
            if default_roadmap is None and len(found) == 1:
                roadmap = found[0]
            else:
                raise RoadmapFileError(
                    f"{roadmap}: no such file; pass --roadmap FILE, set drift.roadmap in "
                    f"{SETTINGS_NAME} or ROADMAP_PATH"
                )
    if site_config is None:
        site_config = find_site_config(tree, posixpath.dirname(roadmap))
        if site_config is None:
            raise DocsConfigError(
                f"no mkdocs.yml, mkdocs.yaml or zensical.toml from {posixpath.dirname(roadmap)}/ "
                "up to the repository root; pass --mkdocs FILE"
            )
        near = posixpath.dirname(site_config)
        cand = f"{near}/{SETTINGS_NAME}" if near else SETTINGS_NAME
        if cand in paths and settings_file is None:
            settings_file = cand
    return Inputs(roadmap, site_config, settings_file, docs_dir)


def run_drift(
    tree: Tree,
    inputs: Inputs,
    *,
    env: Mapping[str, str] | None = None,
    commit: str | None = None,
) -> DriftReport:
    """Read everything `inputs` names from `tree` and check the roadmap against the site."""
    with gc_paused():  # many objects, all kept to the end: see bot.gcpause
        return _run_drift(tree, inputs, env, commit)


def _run_drift(
    tree: Tree, inputs: Inputs, env: Mapping[str, str] | None, commit: str | None
) -> DriftReport:
    if isinstance(tree, GitTree):
        # The three small files in one git process, not one each (a git tree keeps blobs).
        tree.read_many(p for p in (inputs.settings_file, inputs.site_config, inputs.roadmap) if p)
    settings = load_drift_settings(tree, inputs.settings_file, env)
    config = load_site_config(tree, inputs.site_config, env)
    if inputs.docs_dir is not None:
        config = dataclasses.replace(config, docs_dir=inputs.docs_dir)
    docs_prefix = f"{config.docs_dir}/"
    if config.docs_dir and not any(p.startswith(docs_prefix) for p in tree.paths()):
        raise DocsConfigError(
            f"{inputs.site_config}: docs_dir {config.docs_dir or '.'}/ does not exist"
        )
    data = tree.read(inputs.roadmap)
    if data is None:
        raise RoadmapFileError(f"{inputs.roadmap}: cannot be read")
    text = decode(data, inputs.roadmap)  # these raise RoadmapFileError, one line
    roadmap = parse(text, inputs.roadmap)
    site = build_site(
        tree,
        config,
        min_words=settings.stub.min_words,
        max_words_with_marker=settings.stub.max_words_with_marker,
    )
    return check(
        roadmap,
        text,
        inputs.roadmap,
        site,
        settings,
        tree.paths(),
        commit=commit,
        history=lambda: history_renames(tree, site.docs_dir),
    )
