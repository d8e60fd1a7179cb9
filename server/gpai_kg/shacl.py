"""SHACL validation in two engines: rudof decides, pyshacl explains.

pyshacl is the reference engine and writes the report curators read (each shape's own
``sh:message``, nested details), but on rdflib it takes seconds for our graph, most of it
building results for ``sh:or``/``sh:xone``/qualified branches it then discards. rudof (Rust,
the ``pyrudof`` package) decides conformance of the same graph in a tenth of the time. So:

1. If the shapes use only constructs in :data:`FAST_ENGINE_COVERS` (the ones our tests hold
   rudof to, fixture by fixture, in ``tests/test_shapes.py``), rudof decides. SHACL-AF
   SPARQL targets, which rudof does not evaluate, are run here on Oxigraph: a shape whose
   target selects nothing has no focus node and holds; one that selects a node is left to
   pyshacl.
2. Otherwise, or when rudof finds a violation, pyshacl validates and its verdict and report
   are the answer. Valid data, every build's case, never waits for pyshacl.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pyrudof
from rdflib import Graph
from rdflib.namespace import RDF

from .loader import union
from .namespaces import SH
from .queries import ntriples, ntriples_store

#: The SHACL terms rudof may decide on: those our shapes use, each covered by a valid and an
#: invalid fixture that both engines must judge alike. A shapes graph using any other ``sh:``
#: predicate (``sh:sparql``, ``sh:severity``, ``sh:deactivated``, …) is decided by pyshacl.
FAST_ENGINE_COVERS = frozenset(str(SH[name]) for name in (
    "class", "datatype", "hasValue", "in", "inversePath", "languageIn", "lessThanOrEquals",
    "maxCount", "message", "minCount", "minInclusive", "node", "nodeKind", "not", "or", "path", "pattern",
    "property", "qualifiedMaxCount", "qualifiedMinCount", "qualifiedValueShape", "targetClass",
    "targetNode", "targetObjectsOf", "targetSubjectsOf", "uniqueLang", "xone", "zeroOrMorePath",
    # SHACL-AF SPARQL targets (evaluated here, below) and the prefixes their queries declare
    "target", "select", "prefixes", "declare", "prefix", "namespace",
))

_PREFIX_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Verdict:
    """Whether data conforms; with pyshacl's results graph and text when pyshacl ran."""

    conforms: bool
    engine: str                      # "rudof" or "pyshacl"
    results: Graph | None = None     # pyshacl's results graph (or its error, if it could not run)
    text: str = ""


def shacl(data: Sequence[Graph], shapes: Graph) -> Verdict:
    """Validate the union of the ``data`` graphs against ``shapes``."""
    if fast_conforms(data, shapes):
        return Verdict(True, "rudof")
    return reference(data, shapes)


def reference(data: Sequence[Graph], shapes: Graph) -> Verdict:
    """pyshacl's verdict and report on the union of the ``data`` graphs."""
    import pyshacl  # here: its import alone (0.16 s) is a fifth of what valid data now costs

    # pyshacl adds triples to the shapes graph it is given: hand it a copy.
    conforms, results, text = pyshacl.validate(union(data), shacl_graph=union([shapes]), inference="none",
                                               advanced=True, allow_warnings=True, meta_shacl=False)
    return Verdict(bool(conforms), "pyshacl", results, str(text))


def fast_conforms(data: Sequence[Graph], shapes: Graph) -> bool:
    """True when rudof may decide and finds that the ``data`` graphs conform; False: "ask pyshacl"."""
    sparql_targets = _sparql_targets(shapes)
    if sparql_targets is None or not _covered(shapes):
        return False
    # rudof reads the graphs' own N-Triples: a dump of the Oxigraph store would not do, as Oxigraph
    # keeps integers of derived types (xsd:nonNegativeInteger, …) as xsd:integer.
    triples = ntriples(*data)
    store = ntriples_store(triples)
    if any(_selects_anything(store, query) for query in sparql_targets):
        return False
    return bool(rudof_report(triples, shapes).conforms)


def rudof_report(triples: bytes, shapes: Graph) -> pyrudof.ShaclValidationReport:
    """rudof's report on N-Triples ``triples`` (it does not run SHACL-AF SPARQL targets)."""
    with tempfile.TemporaryDirectory(prefix="gpai-kg-shacl-") as tmp:
        data_file, shapes_file = Path(tmp, "data.nt"), Path(tmp, "shapes.nt")
        data_file.write_bytes(triples)
        shapes_file.write_bytes(shapes.serialize(format="nt", encoding="utf-8"))
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        # Paths, not text: rudof takes text that looks like a URL for one, and fetches it.
        rudof.read_data(data_file, format=pyrudof.RDFFormat.NTriples, reader_mode=pyrudof.ReaderMode.Strict)
        rudof.read_shacl(shapes_file, format=pyrudof.ShaclFormat.NTriples, reader_mode=pyrudof.ReaderMode.Strict)
        return rudof.validate_shacl()


def _covered(shapes: Graph) -> bool:
    used = {str(p) for p in shapes.predicates() if str(p).startswith(str(SH))}
    return used <= FAST_ENGINE_COVERS


def _sparql_targets(shapes: Graph) -> list[str] | None:
    """The SELECT queries of the shapes' SHACL-AF targets, prefixes declared; None if one is another kind."""
    queries = []
    for target in set(shapes.objects(None, SH.target)):
        select = shapes.value(target, SH.select)
        if (target, RDF.type, SH.SPARQLTarget) not in shapes or select is None:
            return None
        prologue = []
        for ontology in shapes.objects(target, SH.prefixes):
            for declaration in shapes.objects(ontology, SH.declare):
                prefix = str(shapes.value(declaration, SH.prefix) or "")
                namespace = str(shapes.value(declaration, SH.namespace) or "")
                if not _PREFIX_NAME.fullmatch(prefix):
                    return None
                try:
                    prologue.append(f"PREFIX {prefix}: {ox.NamedNode(namespace)}\n")
                except ValueError:
                    return None
        queries.append("".join(prologue) + str(select))
    return queries


def _selects_anything(store: ox.Store, query: str) -> bool:
    try:
        solutions = store.query(query)
    except SyntaxError:
        return True  # not ours to judge: pyshacl reports the broken target
    return isinstance(solutions, ox.QuerySolutions) and next(iter(solutions), None) is not None


__all__ = ["FAST_ENGINE_COVERS", "Verdict", "fast_conforms", "reference", "rudof_report", "shacl"]
