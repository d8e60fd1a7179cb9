"""An external store: `gpai-kg load` into it, and `gpai-kg serve --store` when it fails or is slow.

The same protocol and linked-data tests run on every backend through the parametrised
``server`` fixture (conftest.py); this module tests what only an external store has: loading,
credentials, refusals, and a store that is down, slow or holds something else.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from conftest import CLI, RunningServer, load_into, start_store
from gpai_kg.web.meta import HEALTH_TTL
from stores import OxigraphStore, free_port

GRAPH = "https://w3id.org/gpai-kg/graph/"
OURS = [GRAPH + "data", GRAPH + "ontology", GRAPH + "shapes"]


def counts(store, graphs=OURS) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    rows = requests.post(store.query_url, data={"query": query}, timeout=30,
                         headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    found = {r["g"]["value"]: int(r["n"]["value"]) for r in rows}
    return {g: found.get(g, 0) for g in graphs}


def release_counts(release) -> dict[str, int]:
    lines = (release.path / "gpai-kg.nq").read_text(encoding="utf-8").splitlines()
    return {g: sum(1 for line in lines if line.endswith(f"<{g}> .")) for g in OURS}


@pytest.fixture()
def oxigraph(tmp_path):
    store = OxigraphStore(tmp_path)
    yield store
    store.stop()


def dist_of(release) -> Path:
    return release.path.parent.parent


# --- gpai-kg load ------------------------------------------------------------------------------

def test_load_replaces_each_graph_and_leaves_others_alone(oxigraph, release):
    other = "http://example.org/someone-elses-graph"
    put = requests.put(oxigraph.graph_store_url, params={"graph": other}, timeout=10,
                       data="<http://example.org/a> <http://example.org/b> <http://example.org/c> .",
                       headers={"Content-Type": "application/n-triples"})
    assert put.status_code in (201, 204)
    stale = "<http://example.org/stale> <http://example.org/b> <http://example.org/c> ."
    requests.put(oxigraph.graph_store_url, params={"graph": GRAPH + "data"}, data=stale, timeout=10,
                 headers={"Content-Type": "application/n-triples"}).raise_for_status()

    first = load_into(oxigraph, dist_of(release))
    assert first.returncode == 0, first.stderr
    assert counts(oxigraph) == release_counts(release)
    assert "as counted by the store" in first.stdout and "release test is valid" in first.stderr
    second = load_into(oxigraph, dist_of(release))  # a reload replaces, never adds
    assert second.returncode == 0, second.stderr
    assert counts(oxigraph) == release_counts(release)
    assert counts(oxigraph, [other]) == {other: 1}
    ask = requests.post(oxigraph.query_url, data={"query": "ASK { <http://example.org/stale> ?p ?o }"},
                        headers={"Accept": "application/sparql-results+json"}, timeout=10).json()
    assert ask["boolean"] is False


def copy_release(release, tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    shutil.copytree(release.path, dist / "releases" / "test")
    (dist / "latest").symlink_to(Path("releases") / "test")
    return dist


def rewrite_checksums(folder: Path) -> None:
    from gpai_kg.build import _write_checksums

    (folder / "SHA256SUMS").unlink()
    _write_checksums(folder)


def test_load_refuses_a_changed_release_and_sends_nothing(oxigraph, release, tmp_path):
    dist = copy_release(release, tmp_path)
    dump = dist / "releases" / "test" / "gpai-kg.nq"
    dump.write_text(dump.read_text(encoding="utf-8") + f'<http://example.org/x> <http://example.org/y> "z" <{GRAPH}data> .\n',
                    encoding="utf-8")
    done = load_into(oxigraph, dist)
    assert done.returncode == 1
    assert "gpai-kg.nq does not match its checksum in SHA256SUMS" in done.stderr
    assert done.stderr.count("gpai-kg: error:") == 1
    assert counts(oxigraph) == {g: 0 for g in OURS}  # nothing was sent


def test_load_refuses_a_release_that_does_not_conform_to_its_shapes(oxigraph, release, tmp_path):
    dist = copy_release(release, tmp_path)
    folder = dist / "releases" / "test"
    dump = folder / "gpai-kg.nq"
    serbia_labels = "<https://w3id.org/gpai-kg/id/country/rs> <http://www.w3.org/2000/01/rdf-schema#label>"
    lines = dump.read_text(encoding="utf-8").splitlines(keepends=True)
    dump.write_text("".join(line for line in lines if not line.startswith(serbia_labels)), encoding="utf-8")
    rewrite_checksums(folder)  # checksums right, content invalid: only the shapes can tell
    done = load_into(oxigraph, dist)
    assert done.returncode == 1, done.stderr
    assert "does not conform to the release's own shapes" in done.stderr and "country/rs" in done.stderr
    assert counts(oxigraph) == {g: 0 for g in OURS}


def test_load_refuses_a_folder_that_is_no_release(oxigraph, release, tmp_path):
    dist = copy_release(release, tmp_path)
    (dist / "releases" / "test" / "SHA256SUMS").unlink()
    done = load_into(oxigraph, dist)
    assert done.returncode == 1 and "has no SHA256SUMS" in done.stderr


class Proxy:
    """A loopback HTTP proxy in front of a store, with a hook to change what passes."""

    def __init__(self, target: str, on_request=None) -> None:
        self.target = target.rstrip("/")
        self.on_request = on_request or (lambda method, path, body: body)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = proxy.on_request(self.command, self.path, self.rfile.read(length))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                upstream = requests.request(self.command, proxy.target + self.path, data=body, headers=headers,
                                            timeout=60)
                self.send_response(upstream.status_code)
                for key, value in upstream.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(upstream.content)))
                self.end_headers()
                self.wfile.write(upstream.content)

            do_GET = do_POST = do_PUT = _forward

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()


def test_load_names_the_graph_the_store_did_not_take_whole(oxigraph, release):
    def drop_a_triple_of_the_ontology(method, path, body):
        if method == "PUT" and "ontology" in parse_qs(urlsplit(path).query).get("graph", [""])[0]:
            return b"".join(body.splitlines(keepends=True)[1:])
        return body

    proxy = Proxy(oxigraph.query_url.rsplit("/", 1)[0], drop_a_triple_of_the_ontology)
    try:
        done = subprocess.run([CLI, "load", "--dist-dir", str(dist_of(release)), "--store", oxigraph.query_url,
                               "--graph-store", proxy.url + "/store"], capture_output=True, text=True, timeout=300)
    finally:
        proxy.stop()
    expected = release_counts(release)[GRAPH + "ontology"]
    assert done.returncode == 1
    assert (f"graph <{GRAPH}ontology> holds {expected - 1:,} triples, {expected:,} were sent" in done.stderr), done.stderr
    assert "graph/data>" not in done.stderr.split("error:")[1]  # only the graph that differs is named


def test_load_when_the_store_is_down_exits_3(release):
    port = free_port()
    done = subprocess.run([CLI, "load", "--dist-dir", str(dist_of(release)), "--store", f"http://127.0.0.1:{port}/query",
                           "--graph-store", f"http://127.0.0.1:{port}/store"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3
    assert f"the store at http://127.0.0.1:{port}/store does not answer: connection refused" in done.stderr


def test_load_needs_both_endpoints(release):
    done = subprocess.run([CLI, "load", "--dist-dir", str(dist_of(release)), "--store", "http://127.0.0.1:9/query"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--graph-store URL" in done.stderr


def test_credentials_are_never_arguments(release):
    for flag in ("--password", "--user"):
        done = subprocess.run([CLI, "load", flag, "x"], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and "No such option" in done.stderr
    done = subprocess.run([CLI, "load", "--dist-dir", str(dist_of(release)), "--store", "http://dba:dba@127.0.0.1:9/q",
                           "--graph-store", "http://127.0.0.1:9/s"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "must not carry credentials" in done.stderr


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    store = start_store("virtuoso", tmp_path_factory.mktemp("virtuoso-auth"))
    yield store
    store.stop()


def test_credentials_come_from_the_environment(virtuoso, release):
    dist = dist_of(release)
    anonymous = load_into(virtuoso, dist, env={})
    assert anonymous.returncode == 3
    assert "answered HTTP 401: set GPAI_KG_STORE_USER and GPAI_KG_STORE_PASSWORD" in anonymous.stderr
    wrong = load_into(virtuoso, dist, env={"GPAI_KG_STORE_USER": "dba", "GPAI_KG_STORE_PASSWORD": "wrong"})
    assert wrong.returncode == 3 and "refused the credentials" in wrong.stderr
    half = load_into(virtuoso, dist, env={"GPAI_KG_STORE_USER": "dba"})
    assert half.returncode == 2 and "GPAI_KG_STORE_PASSWORD is not set" in half.stderr
    assert counts(virtuoso) == {g: 0 for g in OURS}
    right = load_into(virtuoso, dist)  # dba/dba from the environment, by digest authentication
    assert right.returncode == 0, right.stderr
    assert counts(virtuoso) == release_counts(release)


# --- gpai-kg serve --store ---------------------------------------------------------------------

def test_serve_refuses_a_store_without_the_release(oxigraph, release, tmp_path):
    done = subprocess.run([CLI, "serve", "--dist-dir", str(dist_of(release)), "--store", oxigraph.query_url,
                           "--port", str(free_port())], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert f"the store at {oxigraph.query_url} does not hold release test: <{GRAPH}data> holds 0 triples" in done.stderr
    assert "gpai-kg load" in done.stderr


def test_serve_refuses_files_and_a_store_together(release, tmp_path):
    done = subprocess.run([CLI, "serve", str(release.path / "gpai-kg.nt"), "--store", "http://127.0.0.1:9/query",
                           "--port", str(free_port())], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "not both" in done.stderr


def test_a_store_that_goes_down_gives_502_and_health_says_so(oxigraph, release, tmp_path):
    assert load_into(oxigraph, dist_of(release)).returncode == 0
    server = RunningServer(["--dist-dir", str(dist_of(release))], tmp_path, store=oxigraph.query_url)
    try:
        assert requests.get(server.url + "/health", timeout=10).json()["backend"]["answers"] is True
        oxigraph.stop()
        response = requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30)
        assert response.status_code == 502
        body = response.json()
        assert body["ok"] is False and body["status"] == 502 and body["title"] == "Bad Gateway"
        assert f"the store at {oxigraph.query_url} does not answer: connection refused" == body["error"]
        page = requests.get(server.url + "/page/id/country/rs", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 502 and "does not answer" in page.text  # a page for people, same message
        time.sleep(HEALTH_TTL + 0.1)   # the probe's answer is reused for HEALTH_TTL seconds
        health = requests.get(server.url + "/health", timeout=30)
        assert health.status_code == 503
        assert health.json()["ok"] is False and health.json()["backend"]["answers"] is False
        assert "does not answer" in health.json()["backend"]["error"]
        assert requests.get(server.url + "/dumps/gpai-kg.nt", timeout=30).status_code == 200  # files still served
    finally:
        server.stop()


def test_a_slow_store_gives_504_at_our_time_limit(oxigraph, release, tmp_path):
    assert load_into(oxigraph, dist_of(release)).returncode == 0
    released = threading.Event()

    def slow_when_asked(method, path, body):
        if b"SLOW" in body:
            released.wait(60)  # a store that does not answer until the test is over
        return body

    proxy = Proxy(oxigraph.query_url.rsplit("/", 1)[0], slow_when_asked)
    server = RunningServer(["--dist-dir", str(dist_of(release))], tmp_path, store=proxy.url + "/query",
                           query_timeout=2)
    try:
        started = time.monotonic()
        response = requests.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o FILTER(?o != \"SLOW\") }"}, timeout=30)
        elapsed = time.monotonic() - started
        assert response.status_code == 504
        assert response.json()["limit"] == "time" and "time limit of 2 s" in response.json()["error"]
        assert elapsed < 2 + 20  # abandoned at our limit, not waited for (the store never answers)
        fast = requests.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert fast.status_code == 200 and fast.json()["boolean"] is True  # the service goes on
    finally:
        released.set()
        server.stop()
        proxy.stop()


def test_a_partial_answer_is_never_passed_off_as_whole(tmp_path):
    """Virtuoso's "anytime" answer: rows found before its own limit, marked only by X-SQL-State."""
    from gpai_kg.errors import GatewayTimeout
    from gpai_kg.store_client import StoreClient

    class Anytime(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            body = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("X-SQL-State", "S1TAT")
            self.send_header("X-SQL-Message", "RC...: Returning incomplete results, query interrupted by result timeout.")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Anytime)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        client = StoreClient(f"http://127.0.0.1:{httpd.server_port}/sparql")
        with pytest.raises(GatewayTimeout, match="partial answer \\(S1TAT: .*incomplete results"):
            client.select("SELECT ?s WHERE { ?s ?p ?o }")
    finally:
        httpd.shutdown()
