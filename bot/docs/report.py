"""Findings for people and tools: text (80 columns), JSON, GitHub annotations; exit codes."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from .drift import ERROR, INFO, WARNING, DriftReport, Finding

WIDTH = 80
_GITHUB_LEVEL = {ERROR: "error", WARNING: "warning", INFO: "notice"}


def exit_code(report: DriftReport, strict: bool = False) -> int:
    """0 clean; 1 errors, or warnings with `strict` (like ``check --strict``)."""
    counts = report.counts()
    if counts[ERROR] or (strict and counts[WARNING]):
        return 1
    return 0


def _where(report: DriftReport, f: Finding) -> str:
    parts = []
    if f.roadmap_line:
        parts.append(f"{report.roadmap}:{f.roadmap_line}")
    if f.nav_line:
        parts.append(f"{f.nav_file or report.mkdocs}:{f.nav_line}")
    elif f.nav_file and not f.roadmap_line:
        parts.append(f.nav_file)
    return "  ".join(parts)


def summary(report: DriftReport) -> str:
    c = report.counts()
    e, w, i = c[ERROR], c[WARNING], c[INFO]
    return f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}, {i} info"


def text(report: DriftReport) -> str:
    """Severity, kind and places on one line; the message and suggestion wrapped under it."""
    lines: list[str] = []
    for f in report.findings:
        lines.append(f"{f.severity:<8} {f.kind:<22} {_where(report, f)}".rstrip())
        lines.extend(
            textwrap.wrap(
                f.message,
                WIDTH,
                initial_indent="    ",
                subsequent_indent="    ",
                break_on_hyphens=False,
            )
        )
        if f.suggestion:
            lines.extend(
                textwrap.wrap(
                    f"→ {f.suggestion}",
                    WIDTH,
                    initial_indent="    ",
                    subsequent_indent="      ",
                    break_on_hyphens=False,
                )
            )
    root = f", nav root {report.nav_root!r}" if report.nav_root else ""
    lines.append(f"{report.roadmap} against {report.mkdocs}{root}:")
    lines.append(summary(report))
    return "\n".join(lines)


def as_json(report: DriftReport) -> dict[str, Any]:
    return {
        "roadmap": report.roadmap,
        "mkdocs": report.mkdocs,
        "docs_dir": report.docs_dir,
        "nav_root": report.nav_root,
        "commit": report.commit,
        "counts": report.counts(),
        "findings": [
            {
                "kind": f.kind,
                "severity": f.severity,
                "message": f.message,
                "group": f.group,
                "module": f.module,
                "column": f.column,
                "roadmap_line": f.roadmap_line,
                "page": f.page,
                "nav_line": f.nav_line,
                "nav_file": f.nav_file,
                "url": f.url,
                "suggestion": f.suggestion,
            }
            for f in report.findings
        ],
    }


def json_text(report: DriftReport) -> str:
    return json.dumps(as_json(report), indent=2, ensure_ascii=False)


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def github(report: DriftReport) -> str:
    """``::error file=…,line=…,title=…::message`` per finding, on the roadmap or mkdocs.yml."""
    out = []
    for f in report.findings:
        if f.roadmap_line:
            file, line = report.roadmap, f.roadmap_line
        elif f.nav_line:
            file, line = f.nav_file or report.mkdocs, f.nav_line
        else:
            file, line = f.nav_file or report.mkdocs, None
        props = f"file={_escape_property(file)}"
        if line:
            props += f",line={line}"
        props += f",title={_escape_property(f.kind)}"
        message = f.message + (f" → {f.suggestion}" if f.suggestion else "")
        out.append(f"::{_GITHUB_LEVEL[f.severity]} {props}::{_escape_data(message)}")
    return "\n".join(out)
