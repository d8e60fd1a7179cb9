"""The SPARQL 1.1 Service Description answered to GET /sparql without a query.

``sd:endpoint`` is the URL the client used, so the description is right behind any host
name. It lists the result formats, the features (the default graph is the union of the
named graphs) and the dataset's named graphs with their sizes.
"""

from __future__ import annotations

from flask import Response, current_app, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

from ..config import allowed_services
from ..formats import GRAPH_FORMATS, negotiate
from ..namespaces import SD, Namespaces

W3C_FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMAT_IRIS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                      "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML")
RDFLIB_FORMAT = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


def service_description() -> Response:
    fmt = negotiate(GRAPH_FORMATS, request.accept_mimetypes, request.args.get("format"))
    graph = describe(request.base_url)
    body = graph.serialize(format=RDFLIB_FORMAT[fmt.name], encoding="utf-8")
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


def describe(endpoint: str) -> Graph:
    service = current_app.extensions["gpai_kg"]
    settings = current_app.config["GPAI_KG_SETTINGS"]
    ns = Namespaces(settings.base_iri)
    g = ns.bind(Graph())
    me = URIRef(endpoint)
    g.add((me, RDF.type, SD.Service))
    g.add((me, SD.endpoint, me))
    g.add((me, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((me, SD.feature, SD.UnionDefaultGraph))
    if allowed_services(settings):
        g.add((me, SD.feature, SD.BasicFederatedQuery))
    for name in RESULT_FORMAT_IRIS:
        g.add((me, SD.resultFormat, URIRef(W3C_FORMATS + name)))
    dataset = BNode()
    g.add((me, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    if service.release_version:
        g.add((dataset, DCTERMS.source, ns.dataset))
        g.add((dataset, DCTERMS.hasVersion, Literal(service.release_version)))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(service.triples)))
    for iri, triples in sorted(service.graphs.items()):
        named, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(iri)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(triples)))
    return g
