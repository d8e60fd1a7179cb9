"""Links to Wikidata checked against a local stand-in; federation in both directions.

The stand-in is Oxigraph's own server over tests/fixtures/wikidata/stand-in.ttl, written in
Wikidata's RDF model with deliberate disagreements. Nothing here reaches the internet.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from conftest import CLI, ROOT, OxigraphServer, RunningServer, free_port
from gpai_kg.queries import read_queries

BASE = "https://w3id.org/gpai-kg/id/"
WIKIDATA = "https://query.wikidata.org/sparql"


def link(*args, dist, timeout=120):
    return subprocess.run([CLI, "link", *args, "--dist-dir", str(dist)], capture_output=True, text=True,
                          timeout=timeout)


class Proxy:
    """Stands in front of the Wikidata stand-in: answers 429 (Retry-After: 1) to the first
    request, forwards the others, and records each request's User-Agent."""

    def __init__(self, target: str, refuse_first: int = 1, status: int = 429, retry_after: str | None = "1") -> None:
        self.seen: list[tuple[int, str]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                agent = self.headers.get("User-Agent", "")
                if len(proxy.seen) < refuse_first:
                    proxy.seen.append((status, agent))
                    self.send_response(status)
                    if retry_after is not None:
                        self.send_header("Retry-After", retry_after)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                answer = requests.post(target, data=body, timeout=30, headers={
                    "Content-Type": self.headers["Content-Type"], "Accept": self.headers.get("Accept", "*/*")})
                proxy.seen.append((answer.status_code, agent))
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers["Content-Type"])
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(wikidata):
    running = Proxy(wikidata.url)
    yield running
    running.close()


@pytest.fixture(scope="module")
def dist(release):
    return release.path.parent.parent


# --- link check ----------------------------------------------------------------------------------

EXPECTED_DISAGREEMENTS = [
    {"resource": BASE + "country/ar", "qid": "Q414", "property": "P463", "ours": "2022-11-22",
     "theirs": ["2023-05-01T00:00:00Z"],
     "message": "joined GPAI 2022-11-22 (day), but Wikidata P580 says 2023-05-01T00:00:00Z"},
    {"resource": BASE + "country/be", "qid": "Q31", "property": "P463", "ours": "2021-11", "theirs": None,
     "message": "member of GPAI since 2021-11, but Wikidata has no P463 GPAI statement"},
    {"resource": BASE + "country/tr", "qid": "Q43", "property": "P298", "ours": "TUR", "theirs": ["TUK"],
     "message": "isoAlpha3 TUR but Wikidata P298 says TUK"},
]


def test_link_check_reports_exactly_what_disagrees(proxy, dist, store, tmp_path):
    started = time.monotonic()
    done = link("check", "--endpoint", proxy.url, "--out", str(tmp_path), "--cache", str(tmp_path / "cache"),
                dist=dist)
    assert done.returncode == 1, done.stderr                      # something disagrees
    report = json.loads((tmp_path / "link-report.json").read_text())
    assert report["endpoint"] == proxy.url
    assert report["gpai"] == {"qid": "Q999000001", "found": "found by its English label; not linked in our data"}
    assert report["disagreements"] == EXPECTED_DISAGREEMENTS
    assert report["unresolved"] == [{"resource": BASE + "country/nl", "qid": "Q29999"}]
    assert report["label_differences"] == [{"resource": BASE + "country/cz", "qid": "Q213", "language": "fr",
                                            "ours": "Tchéquie", "theirs": "République tchèque"}]
    agreed = {(a["resource"], a["property"]) for a in report["agreements"]}
    assert (BASE + "country/rs", "P463") in agreed and (BASE + "country/rs", "P1566") in agreed
    assert (BASE + "country/tr", "P297") in agreed and (BASE + "country/be", "P298") in agreed
    assert (BASE + "country/be", "P463") not in agreed
    # Every country we link but the Netherlands, whose item is missing;
    # 45 members (with the EU) but the Netherlands, Argentina and Belgium.
    countries = int(next(iter(store.query(
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://w3id.org/gpai-kg/ontology/Country> ; "
        "<http://www.w3.org/2004/02/skos/core#exactMatch> ?q FILTER(STRSTARTS(STR(?q), \"http://www.wikidata.org/\")) }",
        use_default_graph_as_union=True)))["n"].value)
    assert countries > 70 and sum(1 for r, p in agreed if p == "P297") == countries - 1
    assert sum(1 for r, p in agreed if p == "P463") == 45 - 3
    unlinked = {u["resource"] for u in report["unlinked"]}
    assert BASE + "organisation/gpai" in unlinked and BASE + "country/rs" not in unlinked
    assert report["summary"] == {"agreements": len(report["agreements"]), "disagreements": 3,
                                 "label_differences": 1, "unresolved": 1, "unlinked": len(report["unlinked"])}
    markdown = (tmp_path / "link-report.md").read_text()
    assert "## Disagreements (3)" in markdown and "isoAlpha3 TUR but Wikidata P298 says TUK" in markdown
    assert "country/nl> → Q29999: no such entity" in markdown
    # Polite: one 429 honoured (Retry-After: 1), batched (52 items in 2 queries, plus GPAI's label), named.
    assert [status for status, _ in proxy.seen] == [429, 200, 200, 200]
    assert all(agent.startswith("gpai-kg/") and "https://w3id.org/gpai-kg/" in agent for _, agent in proxy.seen)
    assert time.monotonic() - started >= 1
    assert "3 disagreements" in done.stdout


def test_answers_are_cached_between_runs(proxy, dist, tmp_path):
    cache = tmp_path / "cache"
    first = link("check", "--endpoint", proxy.url, "--out", str(tmp_path / "a"), "--cache", str(cache), dist=dist)
    asked = len(proxy.seen)
    second = link("check", "--endpoint", proxy.url, "--out", str(tmp_path / "b"), "--cache", str(cache), dist=dist)
    assert len(proxy.seen) == asked                               # nothing asked again
    assert (tmp_path / "a" / "link-report.json").read_text() == (tmp_path / "b" / "link-report.json").read_text()
    assert first.returncode == second.returncode == 1
    link("check", "--endpoint", proxy.url, "--out", str(tmp_path / "c"), "--no-cache", dist=dist)
    assert len(proxy.seen) > asked


def test_an_unreachable_endpoint_is_one_readable_line(dist, tmp_path):
    done = link("check", "--endpoint", f"http://127.0.0.1:{free_port()}/sparql", "--out", str(tmp_path),
                "--no-cache", dist=dist)
    assert done.returncode == 3
    assert done.stderr.strip().splitlines()[-1].startswith("gpai-kg: error: cannot reach http://127.0.0.1:")
    assert not (tmp_path / "link-report.json").exists()


def test_without_retry_after_the_client_backs_off_then_gives_up(wikidata):
    from gpai_kg.wikidata import EndpointError, WikidataClient

    busy = Proxy(wikidata.url, refuse_first=3, status=503, retry_after=None)
    try:
        waits = []
        client = WikidataClient(busy.url, retries=3, sleep=waits.append)
        assert client.select("SELECT ?x WHERE { VALUES ?x { 1 } }") == [
            {"x": {"type": "literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "1"}}]
        assert waits == [1.0, 2.0, 4.0]                             # exponential, then through
        waits.clear()
        client = WikidataClient(busy.url, retries=2, sleep=waits.append)
        busy.seen.clear()
        with pytest.raises(EndpointError, match="answered HTTP 503"):   # refused 3 times, tried 3 times
            client.select("ASK {}")
        assert waits == [1.0, 2.0]
    finally:
        busy.close()


# --- link propose ---------------------------------------------------------------------------------

def test_link_propose_writes_a_review_file_the_build_accepts(wikidata, dist, tmp_path):
    out = tmp_path / "review" / "proposals.ttl"
    done = link("propose", "--endpoint", wikidata.url, "--out", str(out), "--no-cache", dist=dist)
    assert done.returncode == 0, done.stderr
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import PROV, RDFS, SKOS
    g = Graph().parse(out)
    wd = "http://www.wikidata.org/entity/"
    assert (URIRef(BASE + "organisation/gpai"), SKOS.exactMatch, URIRef(wd + "Q999000001")) in g
    assert (URIRef(BASE + "organisation/inria"), SKOS.exactMatch, URIRef(wd + "Q999000002")) in g
    assert not list(g.triples((URIRef(BASE + "organisation/internet-society"), SKOS.exactMatch, None)))
    assert "several items carry this label: Q999000003, Q999000004" in out.read_text()
    paris = URIRef(BASE + "place/paris")
    assert {(o, o.language) for o in g.objects(paris, RDFS.label)} == {
        (Literal("París", lang="es"), "es"), (Literal("パリ", lang="ja"), "ja")}
    assert (URIRef(BASE + "country/rs"), SKOS.exactMatch, URIRef("http://dbpedia.org/resource/Serbia")) in g
    source = URIRef(BASE + f"source/wikidata-proposals-{time.strftime('%Y-%m-%d')}")
    assert str(g.value(source, URIRef("https://schema.org/url"))) == wikidata.url
    assert all((s, PROV.wasDerivedFrom, source) in g for s in set(g.subjects()) if s != source)
    # Never overwrites, never writes into data/.
    before = out.read_bytes()
    again = link("propose", "--endpoint", wikidata.url, "--out", str(out), "--no-cache", dist=dist)
    assert again.returncode == 1 and "exists" in again.stderr and out.read_bytes() == before
    into_data = link("propose", "--endpoint", wikidata.url, "--out", str(ROOT / "data" / "x.ttl"), dist=dist)
    assert into_data.returncode == 1 and "in data/" in into_data.stderr
    assert not (ROOT / "data" / "x.ttl").exists()
    # A curator moves it into data/: the sources validate with it.
    project = tmp_path / "project"
    for folder in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(ROOT / folder, project / folder)
    shutil.move(out, project / "data" / "wikidata-proposals.ttl")
    valid = subprocess.run([CLI, "validate", "--project-dir", str(project)], capture_output=True, text=True,
                           timeout=120)
    assert valid.returncode == 0, valid.stdout + valid.stderr


# --- Federation, both ways -----------------------------------------------------------------------

FEDERATED = [q for q in read_queries(ROOT / "queries" / "examples") if q.services]


@pytest.fixture(scope="module")
def federating(release, wikidata, tmp_path_factory):
    """Our service with federation on, its Wikidata endpoint being the stand-in."""
    running = RunningServer(["--dist-dir", str(release.path.parent.parent)], tmp_path_factory.mktemp("fed"),
                            wikidata_endpoint=wikidata.url, federation=True)
    yield running
    running.stop()


def test_there_are_federated_examples():
    assert len(FEDERATED) >= 2 and all(q.services == (WIKIDATA,) for q in FEDERATED)


@pytest.mark.parametrize("example", FEDERATED, ids=lambda q: q.name)
def test_federated_examples_join_our_members_with_wikidata(federating, wikidata, server, example):
    query = example.text.replace(WIKIDATA, wikidata.url)
    response = requests.post(federating.url + "/sparql", data={"query": query}, timeout=60)
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    names = [r["name"]["value"] for r in rows]
    assert sorted(names) == ["France", "Japan", "Serbia"]
    if "population" in example.name:
        assert names == ["Japan", "France", "Serbia"]
    refused = requests.post(server.url + "/sparql", data={"query": query}, timeout=60)
    assert refused.status_code == 400 and "not allowed" in refused.json()["error"]


def test_oxigraph_server_federates_into_us(server, tmp_path):
    """Another engine, Oxigraph's own server, runs SERVICE <our /sparql> and gets our members."""
    other = OxigraphServer(tmp_path)
    try:
        query = f"""PREFIX org: <http://www.w3.org/ns/org#>
            SELECT ?member WHERE {{ SERVICE <{server.url}/sparql> {{
              ?m org:organization <{BASE}organisation/gpai> ; org:role <https://w3id.org/gpai-kg/ontology/foundingMemberRole> ;
                 org:member ?member }} }} ORDER BY ?member"""
        response = requests.post(other.url, data=query.encode(), timeout=60, headers={
            "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        assert response.status_code == 200, response.text
        members = [r["member"]["value"] for r in response.json()["results"]["bindings"]]
        assert len(members) == 15 and BASE + "country/fr" in members and BASE + "country/rs" not in members
    finally:
        other.stop()


# --- Linksets as data ----------------------------------------------------------------------------

def test_each_linkset_is_a_dump_described_in_void(server, release):
    import re

    from rdflib import Graph, URIRef
    from rdflib.namespace import VOID

    from gpai_kg.namespaces import LINK_TARGETS

    void = Graph().parse(release.path / "void.ttl")
    patterns = {"wikidata": r"^http://www\.wikidata\.org/entity/Q\d+$",
                "geonames": r"^https://sws\.geonames\.org/\d+/$",
                "dbpedia": r"^http://dbpedia\.org/resource/[^ ]+$"}
    for name in LINK_TARGETS:
        response = requests.get(f"{server.url}/dumps/linkset-{name}.nt", timeout=30)
        assert response.headers["Content-Type"].startswith("application/n-triples")
        links = [line.split(" ")[2].strip("<>") for line in response.text.splitlines()]
        assert links and all(re.match(patterns[name], link) for link in links), name
        linkset = URIRef(f"https://w3id.org/gpai-kg/dataset/linkset/{name}")
        assert int(void.value(linkset, VOID.triples)) == len(links)
        assert str(void.value(linkset, VOID.dataDump)).endswith(f"/linkset-{name}.nt")
