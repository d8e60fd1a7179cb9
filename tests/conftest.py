"""Shared fixtures: the project as checked out, and a release built from it by the real build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gpai_kg.build import build
from gpai_kg.config import Settings
from gpai_kg.project import Project
from gpai_kg.store import open_release

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONTEXT = FIXTURES / "context.ttl"

_HEADER = re.compile(r"^#\s*(\w+):\s*(.+?)\s*$")


def fixture_header(path: Path) -> dict[str, list[str]]:
    """The ``# Key: value`` lines opening a fixture file (Invalid, Shape, Check, Also)."""
    header: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            header.setdefault(match.group(1).lower(), []).append(match.group(2))
    return header


def project_at(root: Path, dist: Path | None = None, **settings) -> tuple[Project, Settings]:
    values = Settings.load({"project_dir": root, "dist_dir": dist, **settings}, environ={})
    return Project.from_settings(values), values


@pytest.fixture(scope="session")
def project() -> Project:
    return project_at(ROOT)[0]


@pytest.fixture(scope="session")
def release(tmp_path_factory):
    """The real sources built into a temporary dist folder."""
    dist = tmp_path_factory.mktemp("dist")
    proj, settings = project_at(ROOT, dist, release="test")
    return build(proj, settings)


@pytest.fixture(scope="session")
def store(release):
    return open_release(release.path)
