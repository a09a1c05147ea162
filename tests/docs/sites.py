"""Docs sites as file dictionaries: the default layout the issue describes, and one site that
shows every finding kind."""

from __future__ import annotations

WRITTEN = "This page is written. " + " ".join(f"word{i}" for i in range(40)) + "\n"


def page(title: str, body: str = WRITTEN) -> str:
    return f"# {title}\n\n{body}"


ROADMAP_CLEAN = """\
# Roadmap

See the [Dependency Guard](../policies/dependency-guard.md) before production.

| Module            | Index | Data Model | API | Engineering Wiring |
|-------------------|-------|------------|-----|--------------------|
| **Host Modules**  |       |            |     |                    |
| Policy Engine     | [x]   | [x]        | [x] | [x]                |
| Tenant Management | [x]   | [ ]        | [ ] | [ ]                |
| **Compute Modules** |     |            |     |                    |
| Ingestion         | [x]   | -          | [ ] | [ ]                |
"""

MKDOCS_CLEAN = """\
site_name: Docs
site_url: https://docs.example.com/
theme:
  name: material
  features: [navigation.indexes]
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
nav:
  - Home: index.md
  - Engineering:
      - Roadmap: engineering/roadmap.md
  - Policies:
      - policies/dependency-guard.md
  - Modules:
      - modules/index.md
      - Host:
          - modules/host/index.md
          - Policy Engine:
              - Overview: modules/host/policy-engine/index.md
              - Data Model: modules/host/policy-engine/data-model.md
              - API: modules/host/policy-engine/policy-engine-api.md
          - Tenant Management:
              - Overview: modules/host/tenant-management/index.md
      - Compute:
          - modules/compute/index.md
          - Ingestion:
              - modules/compute/ingestion/index.md
"""


def clean_site() -> dict[str, str]:
    """The default layout: nav Modules -> group -> module -> Overview/Data Model/API, section
    index pages, a <module>-api.md page, groups named like the roadmap's minus " Modules"."""
    return {
        "mkdocs.yml": MKDOCS_CLEAN,
        "docs/index.md": page("Home"),
        "docs/engineering/roadmap.md": ROADMAP_CLEAN,
        "docs/policies/dependency-guard.md": page("Dependency Guard"),
        "docs/modules/index.md": page("Modules"),
        "docs/modules/host/index.md": page("Host"),
        "docs/modules/host/policy-engine/index.md": page("Policy Engine"),
        "docs/modules/host/policy-engine/data-model.md": page("Data Model"),
        "docs/modules/host/policy-engine/policy-engine-api.md": page("Policy Engine API"),
        "docs/modules/host/tenant-management/index.md": page("Tenant Management"),
        "docs/modules/host/tenant-management/data-model.md": page("Data Model", "Stub.\n"),
        "docs/modules/compute/index.md": page("Compute"),
        "docs/modules/compute/ingestion/index.md": page("Ingestion"),
    }


ROADMAP_DRIFTED = """\
# Roadmap

Enforce [Dependency Guard](../references/dependency-guard.md) before production.
The [glossary](../../glossary.md) and [modules](../modules/) exist; [web](https://x.example/a.md).

| Module              | Index | Data Model | API | Runbook |
|---------------------|-------|------------|-----|---------|
| **Host Modules**    |       |            |     |         |
| Policy Engine       | [x]   | [x]        | [x] | [x]     |
| Tenant Management   | [x]   | [ ]        | [ ] | [x]     |
| Lineage Obligations | [x]   | [ ]        | [ ] | [ ]     |
| **Compute Modules** |       |            |     |         |
| Ingestion           | [x]   | -          | [ ] | [ ]     |
| Normalization       | [ ]   | [ ]        | [ ] | [ ]     |
| KPI Build           | [ ]   | [ ]        | [ ] | [ ]     |
| Scheduler           | [ ]   | [ ]        | [ ] | [ ]     |
| **Data Storage Modules** |  |            |     |         |
| Raw Store           | [ ]   | [ ]        | [ ] | [ ]     |
| **Trust Modules**   |       |            |     |         |
| Secrets             | [ ]   | [ ]        | [ ] | [ ]     |
"""

MKDOCS_DRIFTED = """\
site_name: Docs
site_url: https://docs.example.com/
docs_dir: !ENV [DRIFT_TEST_DOCS_DIR_UNSET]
nav:
  - Home: index.md
  - Changelog: ../CHANGELOG.md
  - Sub-site: !include ./sub/mkdocs.yml
  - Modules:
      - Host:
          - Policy Engine:
              - Overview: modules/host/policy-engine/index.md
              - Data Model: modules/host/policy-engine/data-model.md
              - API: modules/host/policy-engine/api.md
              - Runbook: modules/host/policy-engine/runbook.md
          - Tenant Management:
              - modules/host/tenant-management/index.md
              - API: modules/host/tenant-management/tenant-management-apis.md
          - Normalization:
              - modules/compute/normalization/index.md
          - Legacy Gateway:
              - modules/host/legacy-gateway/index.md
      - Compute:
          - Ingestion:
              - modules/compute/ingestion/index.md
              - API: modules/compute/ingestion/API.md
              - Runbook: modules/compute/ingestion/runbook.md
          - KPI Builds:
              - modules/compute/kpi-build/index.md
      - Data-Storage:
          - Raw Store: modules/data-storage/raw-store.md
      - Experimental:
          - Labs:
              - modules/labs/index.md
"""


def drifted_site() -> dict[str, str]:
    """A site where every cell-, module-, group- and link-level kind shows once or more."""
    return {
        "mkdocs.yml": MKDOCS_DRIFTED,
        "CHANGELOG.md": "# Changes\n",
        "glossary.md": "# Glossary\n",
        "docs/index.md": page("Home"),
        "docs/engineering/roadmap.md": ROADMAP_DRIFTED,
        "docs/policies/dependency-guard.md": page("Dependency Guard"),
        "docs/modules/host/policy-engine/index.md": page("Policy Engine"),
        "docs/modules/host/policy-engine/data-model.md": page("Data Model", "Stub.\n"),
        "docs/modules/host/policy-engine/api.md": page("API"),
        # runbook.md is in the nav but missing: ticked-missing
        "docs/modules/host/tenant-management/index.md": page("Tenant Management"),
        "docs/modules/host/tenant-management/tenant-management-apis.md": page("APIs"),
        "docs/modules/host/tenant-management/data-model.md": page("Data Model"),
        "docs/modules/host/tenant-management/runbook.md": page("Runbook"),
        "docs/modules/host/legacy-gateway/index.md": page("Legacy Gateway"),
        "docs/modules/compute/normalization/index.md": page("Normalization"),
        "docs/modules/compute/ingestion/index.md": page("Ingestion"),
        "docs/modules/compute/ingestion/data-model.md": page("Data Model"),
        "docs/modules/compute/ingestion/api.md": page("API"),
        "docs/modules/compute/kpi-build/index.md": page("KPI Build", "Placeholder.\n"),
        "docs/modules/compute/scheduler/index.md": page("Scheduler"),
        "docs/modules/data-storage/raw-store.md": page("Raw Store", "TBD\n"),
        "docs/modules/labs/index.md": page("Labs"),
    }
