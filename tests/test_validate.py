"""The real sources are valid, and every fact that must cite a source does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import XSD

from gpai_kg.loader import parse_turtle
from gpai_kg.store import run_query
from gpai_kg.validate import validate

CLI = str(Path(sys.executable).with_name("gpai-kg"))


def test_real_data_has_no_violations(project):
    result = validate(project)
    assert result.ok, result.report.render()
    assert result.report.problems == []
    assert result.report.stats["files"] == len(project.data_files()) >= 10


def test_literals_stay_as_written_even_after_pyshacl_has_run(project):
    # pyshacl sets rdflib's module-wide switch back to "rewrite literals" after each run.
    pyshacl.validate(Graph(), shacl_graph=Graph())
    events = parse_turtle(project.data_dir / "events.ttl")
    assert Literal("2022-11-29T10:45:00Z", datatype=XSD.dateTime, normalize=False) in set(events.objects())
    assert validate(project).ok


def test_cli_validate_reports_json(project):
    done = subprocess.run([CLI, "validate", "--format", "json", "--project-dir", str(project.root)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["problems"] == []
    assert report["stats"]["triples"] > 4000


@pytest.mark.parametrize("cls", [
    "org:Membership", "schema:Event", "org:Post", "gpai:MemberCountClaim", "gpai:Invitation",
    "gpai:Participation", "gpai:Declaration", "org:ChangeEvent", "gpai:Country", "org:OrganizationalUnit",
])
def test_every_fact_of_a_kind_cites_a_source(store, cls):
    prologue = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX gpai: <https://w3id.org/gpai-kg/ontology/>
"""
    query = prologue + f"""
SELECT (COUNT(DISTINCT ?x) AS ?all) (COUNT(DISTINCT ?sourced) AS ?with) WHERE {{
  ?x a/rdfs:subClassOf* {cls} .
  OPTIONAL {{ ?x prov:wasDerivedFrom ?s . ?s a prov:Entity . BIND(?x AS ?sourced) }}
}}"""
    (row,) = list(run_query(store, query))
    total, sourced = int(row["all"].value), int(row["with"].value)
    assert total > 0
    assert sourced == total, f"{total - sourced} of {total} {cls} without a described source"


def test_nothing_from_the_unconfirmed_or_the_ai_act(store):
    # Only seed 002's own description may mention the AI Act: it says why nothing rests on it.
    query = """SELECT ?s ?o WHERE { GRAPH <https://w3id.org/gpai-kg/graph/data> {
      ?s ?p ?o FILTER(isLiteral(?o) && REGEX(STR(?o), "UNCONFIRMED|\\\\bAI Act\\\\b|general-purpose AI", "i"))
      FILTER(?s != <https://w3id.org/gpai-kg/id/source/seed-002>) } }"""
    assert [(s["s"].value, s["o"].value) for s in run_query(store, query)] == []
