"""`gpai-kg serve FILES…`: any RDF files, each triples file as a named graph named after it."""

from __future__ import annotations

import subprocess

import pytest
import requests

from conftest import CLI, SHARED_LIMITS, RunningServer, embedded_only

TURTLE = """@prefix ex: <http://example.org/> .
ex:alice ex:knows ex:bob ."""
NTRIPLES = "<http://example.org/bob> <http://example.org/knows> <http://example.org/carol> .\n"
NQUADS = "<http://example.org/carol> <http://example.org/knows> <http://example.org/dan> <http://example.org/g> .\n"
BASE = "http://127.0.0.1:7000/kg/"


@pytest.fixture(scope="module")
def files_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("files")
    (tmp / "people.ttl").write_text(TURTLE)
    (tmp / "more.nt").write_text(NTRIPLES)
    (tmp / "quads.nq").write_text(NQUADS)
    running = RunningServer([str(tmp / "people.ttl"), str(tmp / "more.nt"), str(tmp / "quads.nq")], tmp,
                            base_iri=BASE)
    yield running
    running.stop()


def test_each_file_is_a_named_graph_and_the_default_graph_their_union(files_server):
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    rows = requests.get(files_server.url + "/sparql", params={"query": query}, timeout=30).json()
    graphs = {b["g"]["value"]: int(b["n"]["value"]) for b in rows["results"]["bindings"]}
    assert graphs == {BASE + "graph/more.nt": 1, BASE + "graph/people.ttl": 1, "http://example.org/g": 1}
    path = """PREFIX ex: <http://example.org/> SELECT ?who WHERE { ex:alice ex:knows+ ?who } ORDER BY ?who"""
    rows = requests.get(files_server.url + "/sparql", params={"query": path}, timeout=30).json()
    assert [b["who"]["value"] for b in rows["results"]["bindings"]] == [
        "http://example.org/bob", "http://example.org/carol", "http://example.org/dan"]


def test_files_are_offered_as_dumps(files_server):
    response = requests.get(files_server.url + "/dumps/people.ttl", timeout=30)
    assert response.text == TURTLE
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert requests.get(files_server.url + "/health", timeout=30).json()["source"] == "files"


def test_a_broken_file_stops_the_server_with_a_readable_line(tmp_path):
    (tmp_path / "broken.ttl").write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n")
    done = subprocess.run([CLI, "serve", str(tmp_path / "broken.ttl"), "--store-dir", str(tmp_path / "s")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "broken.ttl" in done.stderr and "Traceback" not in done.stderr


def test_an_unknown_format_or_missing_file_is_refused(tmp_path):
    (tmp_path / "data.xyz").write_text("x")
    for path, words in ((tmp_path / "data.xyz", "unknown RDF format"), (tmp_path / "missing.ttl", "no such file")):
        done = subprocess.run([CLI, "serve", str(path), "--store-dir", str(tmp_path / "s")],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, done.stderr
        assert words in done.stderr


def test_serve_without_a_release_says_what_to_do(tmp_path):
    done = subprocess.run([CLI, "serve", "--dist-dir", str(tmp_path / "empty")], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert "run `gpai-kg build` first" in done.stderr


def test_a_release_built_for_another_base_is_refused(release, tmp_path):
    done = subprocess.run([CLI, "serve", "--dist-dir", str(release.path.parent.parent), "--base-iri",
                           "http://127.0.0.1:9/kg/", "--store-dir", str(tmp_path / "s")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "gpai-kg: error: the release was built with its IRIs under https://w3id.org/gpai-kg/id/, but base_iri "
        "is http://127.0.0.1:9/kg/: build and serve with the same base_iri")


def test_the_on_disk_store_answers_like_the_in_memory_one(release, server, tmp_path):
    """Above memory_store_max_triples the query workers read RocksDB: same answers."""
    embedded_only(server, "compares the embedded store on disk with the one in memory")
    on_disk = RunningServer(["--dist-dir", str(release.path.parent.parent)], tmp_path, memory_store_max_triples=0,
                            **SHARED_LIMITS)
    try:
        assert requests.get(on_disk.url + "/health", timeout=10).json()["store"] == "disk"
        query = {"query": "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o } ORDER BY ?s ?o",
                 "format": "tsv"}
        ours = requests.get(on_disk.url + "/sparql", params=query, timeout=30)
        assert ours.status_code == 200 and len(ours.text.splitlines()) > 500
        assert ours.text == requests.get(server.url + "/sparql", params=query, timeout=30).text
    finally:
        on_disk.stop()
