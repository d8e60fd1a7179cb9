"""Paired shape fixtures: every valid one passes every layer; every invalid one trips its shape.

Each fixture is validated together with ``fixtures/context.ttl`` (GPAI, its host, a source,
France, Paris) by the same function the CLI and the build use; and on each, rudof (which lets
valid data through alone) must find exactly the results pyshacl finds (see ``gpai_kg.shacl``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH

from conftest import CONTEXT, FIXTURES, fixture_header
from gpai_kg.loader import union
from gpai_kg.namespaces import GPAISH
from gpai_kg.shacl import fast_conforms, reference, rudof_report
from gpai_kg.validate import node_shape_for, validate

SHAPE_FIXTURES = FIXTURES / "shapes"
VALID = sorted(SHAPE_FIXTURES.glob("*-valid.ttl"))
INVALID = sorted(SHAPE_FIXTURES.glob("*-invalid-*.ttl"))


def _ids(paths):
    return [p.stem for p in paths]


def targeted_node_shapes(shapes_file: Path) -> set[str]:
    """Node shapes that select focus nodes themselves (helpers used via sh:node are covered through them)."""
    g = Graph().parse(shapes_file)
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
    return {str(s).removeprefix(str(GPAISH)) for s in g.subjects(RDF.type, SH.NodeShape)
            if any((s, t, None) in g for t in targets)}


def _term(node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _pyshacl_results(results: Graph, shapes: Graph, data: Graph) -> list[tuple[str, str]]:
    """pyshacl's top-level results as (focus, path); not those of shapes with SPARQL targets,
    which rudof does not run (``gpai_kg.shacl`` runs their targets itself)."""
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, result) in results:
            continue
        focus = results.value(result, SH.focusNode)
        if (node_shape_for(results.value(result, SH.sourceShape), focus, shapes, data), SH.target, None) in shapes:
            continue
        path = results.value(result, SH.resultPath)
        found.append((_term(focus), str(path) if isinstance(path, URIRef) else ""))
    return sorted(found)


def _rudof_results(report) -> list[tuple[str, str]]:
    """rudof's results as (focus, path); a sequence or other complex path, written "(a / b)", as ""."""
    return sorted((entry.focus_node, entry.path if re.fullmatch(r"[a-z][a-z0-9+.-]*:[^\s()<>]*", entry.path or "")
                   else "") for entry in report)


def assert_the_engines_agree(validation) -> None:
    full = union([validation.data, validation.derived, validation.ontology])
    expected = validation.verdict if validation.verdict.engine == "pyshacl" else reference([full], validation.shapes)
    rudof = rudof_report(full.serialize(format="nt", encoding="utf-8"), validation.shapes)
    assert _rudof_results(rudof) == _pyshacl_results(expected.results, validation.shapes, full)
    # The whole decision, SPARQL targets included: rudof never passes what pyshacl refuses.
    assert fast_conforms([full], validation.shapes) == expected.conforms


def test_context_is_valid(project):
    result = validate(project, [CONTEXT])
    assert result.ok, result.report.render()


def test_every_shape_has_a_valid_and_an_invalid_fixture(project):
    shapes = targeted_node_shapes(project.shapes_file)
    valid = {p.name.removesuffix("-valid.ttl") for p in VALID}
    invalid = {p.name.split("-invalid-")[0] for p in INVALID}
    assert shapes - valid == set(), "shapes without a valid fixture"
    assert shapes - invalid == set(), "shapes without an invalid fixture"
    assert (valid | invalid) - shapes == set(), "fixtures for shapes that do not exist"


@pytest.mark.parametrize("path", VALID, ids=_ids(VALID))
def test_valid_fixture_passes(project, path):
    result = validate(project, [CONTEXT, path])
    assert result.ok, result.report.render()
    assert not result.report.problems, result.report.render()  # not even a warning
    assert_the_engines_agree(result)


@pytest.mark.parametrize("path", INVALID, ids=_ids(INVALID))
def test_invalid_fixture_trips_its_shape(project, path):
    header = fixture_header(path)
    assert header.get("invalid"), f"{path.name} must say why it is invalid (# Invalid: …)"
    (shape,) = header["shape"]
    result = validate(project, [CONTEXT, path])
    report = result.report
    assert not report.ok
    shape_rules = {p.rule for p in report.violations if p.layer == "shapes"}
    assert shape_rules == {shape}, report.render()
    check_rules = {p.rule for p in report.violations if p.layer == "checks"}
    assert check_rules <= set(header.get("also", [])), report.render()
    # Actionable: each problem names its file, the resource and says what to do; at least one
    # points into the fixture (a duplicate also names the resource it collides with).
    ours = [p for p in report.violations if p.layer == "shapes"]
    assert all(p.file and p.focus and p.message for p in ours), report.render()
    assert any(p.file.endswith(path.name) for p in ours), report.render()
    assert_the_engines_agree(result)
