"""The quality checks (queries/checks/*-violation.rq): each catches what it is written for."""

from __future__ import annotations

import pytest

from conftest import CONTEXT, FIXTURES, fixture_header
from gpai_kg.queries import read_queries
from gpai_kg.validate import validate

CHECK_FIXTURES = sorted((FIXTURES / "checks").glob("*.ttl"))


def test_every_check_has_a_failing_fixture(project):
    checks = {q.name for q in read_queries(project.checks_dir, "*-violation.rq")}
    assert checks == {p.stem for p in CHECK_FIXTURES}


def test_every_check_has_a_title_and_description(project):
    for check in read_queries(project.checks_dir, "*-violation.rq"):
        assert check.title != check.name and check.description, check.path


@pytest.mark.parametrize("path", CHECK_FIXTURES, ids=[p.stem for p in CHECK_FIXTURES])
def test_check_catches_its_fixture(project, path):
    (check,) = fixture_header(path)["check"]
    report = validate(project, [CONTEXT, path]).report
    caught = [p for p in report.violations if p.rule == check]
    assert caught, report.render()
    assert all(p.layer == "checks" and p.focus for p in caught)
