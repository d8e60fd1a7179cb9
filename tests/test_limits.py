"""Limits and isolation: rows and size caps; no request leaves the process.

Time limits are in tests/test_time_limits.py, the memory cap in tests/test_pool.py.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from conftest import RunningServer

def get(server, query, **params):
    return requests.get(server.url + "/sparql", params={"query": query, **params}, timeout=60)


def test_results_are_cut_at_max_rows_and_say_so(any_server):
    response = get(any_server, "SELECT * WHERE { ?s ?p ?o }")
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 1000
    assert response.headers["GPAI-KG-Results-Truncated"] == "max-rows=1000"
    graph = get(any_server, "CONSTRUCT WHERE { ?s ?p ?o }", format="ntriples")
    assert len(graph.text.splitlines()) == 1000
    assert graph.headers["GPAI-KG-Results-Truncated"] == "max-rows=1000"
    small = get(any_server, "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    assert "GPAI-KG-Results-Truncated" not in small.headers


def test_an_oversized_query_is_refused(server):
    query = "ASK { " + " ".join(f'?s ?p "{i}" .' for i in range(2000)) + " }"
    assert len(query) > 20_000
    response = requests.post(server.url + "/sparql", data=query.encode(),
                             headers={"Content-Type": "application/sparql-query"}, timeout=30)
    assert response.status_code == 400
    assert response.json()["limit"] == "size" and "at most 20000" in response.json()["error"]


# --- No outbound requests -------------------------------------------------------------------

class _Listener:
    """A local HTTP server standing in for a remote SPARQL endpoint; it counts every request."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                hits.append(self.path)
                body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
                    {"x": {"type": "literal", "value": "from the stand-in"}}]}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/sparql"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def listener():
    listening = _Listener()
    yield listening
    listening.close()


OUTBOUND = [
    ("service", "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", 400),
    ("service-silent", "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}", 400),
    ("service-lower-case", "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}", 400),
    ("service-prefixed", "PREFIX r: <{base}> SELECT * WHERE {{ SERVICE r:sparql {{ ?s ?p ?o }} }}", 400),
    ("service-variable", "SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}", 400),
    ("service-in-subquery", "ASK {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}", 400),
    # FROM may name only graphs the dataset holds: no engine is ever asked to fetch one.
    ("from-http", "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", 400),
    ("from-named-file", "SELECT * FROM NAMED <file:///etc/passwd> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", 400),
    ("describe-remote", "DESCRIBE <{url}>", 200),
    ("load", "LOAD <{url}>", 403),
    ("load-silent-into", "LOAD SILENT <{url}> INTO GRAPH <urn:x>", 403),
]


@pytest.mark.parametrize("case", OUTBOUND, ids=[c[0] for c in OUTBOUND])
def test_no_request_leaves_the_process(server, listener, case):
    _, template, status = case
    query = template.format(url=listener.url, base=listener.url.rsplit("/", 1)[0] + "/")
    response = get(server, query)
    assert response.status_code == status, response.text
    if status == 200:
        assert "from the stand-in" not in response.text
    time.sleep(0.2)
    assert listener.hits == []


def test_service_in_a_string_or_comment_is_not_a_call(server, listener):
    query = f'# SERVICE <{listener.url}>\nSELECT ?x WHERE {{ BIND("SERVICE <{listener.url}> {{}}" AS ?x) }}'
    response = get(server, query)
    assert response.status_code == 200
    assert listener.hits == []


def test_allow_listed_service_is_called(release, tmp_path, listener):
    running = RunningServer(["--dist-dir", str(release.path.parent.parent)], tmp_path,
                            service_allow=listener.url, threads=1)
    try:
        response = get(running, f"SELECT ?x WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?x }} }}")
        assert response.status_code == 200, response.text
        assert response.json()["results"]["bindings"] == [{"x": {"type": "literal", "value": "from the stand-in"}}]
        assert len(listener.hits) == 1
        other = get(running, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/elsewhere> { ?s ?p ?o } }")
        assert other.status_code == 400
    finally:
        running.stop()
