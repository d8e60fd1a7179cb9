"""The endpoint answers every typed literal as the downloads write it, on every backend.

Stores keep literals in forms of their own (Oxigraph keeps ``xsd:nonNegativeInteger`` as
``xsd:integer``, ``"015"`` as ``"15"``, ``"+00:00"`` as ``"Z"``): ``validate`` refuses such forms in
the sources, and this holds each store to it through ``/sparql``. (On the embedded store the whole
graph is compared quad for quad in ``test_build.py``.)
"""

from __future__ import annotations

import pyoxigraph as ox
import requests

PAGE = 500  # under the shared servers' max_rows: no page is cut
TYPED = """PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT DISTINCT ?value ?type WHERE {
  ?s ?p ?o FILTER (isLiteral(?o) && LANG(?o) = "" && DATATYPE(?o) != xsd:string)
  BIND (STR(?o) AS ?value) BIND (STR(DATATYPE(?o)) AS ?type)
} ORDER BY ?type ?value LIMIT %d OFFSET %d"""


def _served(server) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for offset in range(0, 100 * PAGE, PAGE):
        response = requests.post(server.url + "/sparql", data={"query": TYPED % (PAGE, offset)},
                                 headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert response.status_code == 200, response.text
        rows = response.json()["results"]["bindings"]
        found |= {(row["value"]["value"], row["type"]["value"]) for row in rows}
        if len(rows) < PAGE:
            return found
    raise AssertionError("more typed literals than the test pages through")


def test_every_typed_literal_is_served_as_the_downloads_write_it(any_server, release):
    written = {(quad.object.value, quad.object.datatype.value)
               for quad in ox.parse(path=release.file("gpai-kg.nq"), format=ox.RdfFormat.N_QUADS)
               if isinstance(quad.object, ox.Literal) and quad.object.language is None
               and quad.object.datatype.value != "http://www.w3.org/2001/XMLSchema#string"}
    assert any(t.endswith("#dateTime") for _, t in written) and any(t.endswith("#integer") for _, t in written)
    assert _served(any_server) == written
