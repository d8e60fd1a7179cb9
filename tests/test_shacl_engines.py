"""rudof decides valid data, pyshacl explains the rest: the two must judge alike.

rudof lets data through without pyshacl looking at it, so it is held to pyshacl's results,
result by result, on every shape fixture (``test_shapes.py``, which validates each once) and on
the real data (here); shapes using anything beyond what the fixtures hold it to go to pyshacl.
"""

from __future__ import annotations

import pyshacl.errors
import pytest
from rdflib import Graph
from rdflib.namespace import SH

from gpai_kg.shacl import FAST_ENGINE_COVERS, Verdict, fast_conforms, reference, shacl
from gpai_kg.validate import validate

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def test_the_real_data_is_decided_by_rudof_and_pyshacl_agrees(project):
    validation = validate(project)
    assert validation.ok, validation.report.render()
    graphs = [validation.data, validation.derived, validation.ontology]
    assert validation.verdict == Verdict(True, "rudof")
    assert reference(graphs, validation.shapes).conforms


def test_every_term_rudof_decides_on_is_used_by_the_shapes_the_fixtures_exercise(project):
    shapes = Graph().parse(project.shapes_file)
    used = {str(p) for p in shapes.predicates() if str(p).startswith(str(SH))}
    assert FAST_ENGINE_COVERS <= used, "terms rudof may decide on that no fixture holds it to"


def test_shapes_using_more_than_rudof_is_held_to_are_decided_by_pyshacl():
    # A SPARQL-based constraint (SHACL Core), which rudof does not run: the data violates it.
    shapes = Graph().parse(data=PREFIXES + """
        ex:NoSelfLinks a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:sparql [ sh:select "SELECT $this WHERE { $this <http://example.org/link> $this }" ] .
    """, format="turtle")
    data = Graph().parse(data=PREFIXES + "ex:a a ex:Thing ; ex:link ex:a .", format="turtle")
    assert not fast_conforms([data], shapes)
    verdict = shacl([data], shapes)
    assert (verdict.conforms, verdict.engine) == (False, "pyshacl")


def test_a_sparql_target_that_selects_nothing_lets_rudof_decide():
    shapes = Graph().parse(data=PREFIXES + """
        ex:Shapes sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
        ex:Odd a sh:NodeShape ;
            sh:target [ a sh:SPARQLTarget ; sh:prefixes ex:Shapes ;
                        sh:select "SELECT ?this WHERE { ?this ex:size ?n FILTER (?n > 10) }" ] ;
            sh:property [ sh:path ex:size ; sh:maxCount 0 ] .
    """, format="turtle")
    small = Graph().parse(data=PREFIXES + "ex:a ex:size 3 .", format="turtle")
    big = Graph().parse(data=PREFIXES + "ex:a ex:size 30 .", format="turtle")
    assert shacl([small], shapes) == Verdict(True, "rudof")
    # It selects a node: rudof cannot judge it, pyshacl finds the violation.
    assert not fast_conforms([big], shapes)
    verdict = shacl([big], shapes)
    assert (verdict.conforms, verdict.engine) == (False, "pyshacl")


def test_a_target_of_another_kind_is_decided_by_pyshacl():
    shapes = Graph().parse(data=PREFIXES + """
        ex:Odd a sh:NodeShape ; sh:target [ a ex:SomeOtherTarget ] ;
            sh:property [ sh:path ex:size ; sh:maxCount 0 ] .
    """, format="turtle")
    data = Graph().parse(data=PREFIXES + "ex:a ex:size 3 .", format="turtle")
    assert not fast_conforms([data], shapes)
    with pytest.raises(pyshacl.errors.ShapeLoadError):  # the reference says what it cannot use
        shacl([data], shapes)
