"""Real SPARQL clients against the running server: SPARQLWrapper, rdflib's SPARQLStore, and
another engine's SERVICE clause (Oxigraph federating to us)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

SELECT = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label WHERE { <https://w3id.org/gpai-kg/id/country/rs> rdfs:label ?label FILTER(lang(?label) = "en") }"""
CONSTRUCT = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { <https://w3id.org/gpai-kg/id/country/rs> rdfs:label ?label }
WHERE { <https://w3id.org/gpai-kg/id/country/rs> rdfs:label ?label FILTER(lang(?label) = "en") }"""
SERBIA = URIRef("https://w3id.org/gpai-kg/id/country/rs")


def wrapper(server, query, fmt, method="GET"):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client.query()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_json(any_server, method):
    result = wrapper(any_server, SELECT, JSON, method).convert()
    assert [b["label"]["value"] for b in result["results"]["bindings"]] == ["Serbia"]


def test_sparqlwrapper_xml(any_server):
    document = wrapper(any_server, SELECT, XML).convert()  # a minidom document
    assert [n.firstChild.data for n in document.getElementsByTagName("literal")] == ["Serbia"]


@pytest.mark.parametrize("fmt,first_line", [(CSV, b"label"), (TSV, b"?label")])
def test_sparqlwrapper_csv_tsv(any_server, fmt, first_line):
    body = wrapper(any_server, SELECT, fmt).convert()
    assert body.splitlines()[0] == first_line
    assert b"Serbia" in body.splitlines()[1]


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD, XML])
def test_sparqlwrapper_graph_formats(any_server, fmt):
    result = wrapper(any_server, CONSTRUCT, fmt).convert()
    if isinstance(result, bytes):
        parse_as = {TURTLE: "turtle", N3: "turtle"}[fmt]
        result = Graph().parse(data=result, format=parse_as)
    assert set(result) == {(SERBIA, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Serbia", lang="en"))}


def test_rdflib_sparqlstore(any_server):
    graph = Graph(store=SPARQLStore(any_server.url + "/sparql", returnFormat="json"))
    rows = list(graph.query(SELECT))
    assert [str(r.label) for r in rows] == ["Serbia"]
    assert (SERBIA, None, None) in graph
    labels = {str(o) for o in graph.objects(SERBIA, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
    assert "Serbien" in labels


def test_another_engine_federates_to_us(server):
    """Oxigraph, as a client, runs SERVICE <our endpoint>: our answers are valid federation results."""
    local = ox.Store()
    query = f"""SELECT ?label WHERE {{ SERVICE <{server.url}/sparql> {{
        <https://w3id.org/gpai-kg/id/country/rs> <http://www.w3.org/2000/01/rdf-schema#label> ?label
        FILTER(lang(?label) = "ja") }} }}"""
    assert [row["label"].value for row in local.query(query)] == ["セルビア"]
