"""Dumps: the release's files, byte for byte, with the headers downloads need."""

from __future__ import annotations

import gzip

import pytest
import requests

DUMPS = [
    ("gpai-kg.ttl", "text/turtle; charset=utf-8"),
    ("gpai-kg.ttl.gz", "application/gzip"),
    ("gpai-kg.nt", "application/n-triples; charset=utf-8"),
    ("gpai-kg.jsonld", "application/ld+json; charset=utf-8"),
    ("gpai-kg.nq", "application/n-quads; charset=utf-8"),
    ("ontology.ttl", "text/turtle; charset=utf-8"),
    ("shapes.ttl", "text/turtle; charset=utf-8"),
    ("void.ttl", "text/turtle; charset=utf-8"),
]


@pytest.mark.parametrize("name,content_type", DUMPS)
def test_dump_is_the_release_file(server, release, name, content_type):
    response = requests.get(f"{server.url}/dumps/{name}", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.content == release.file(name).read_bytes()
    assert int(response.headers["Content-Length"]) == release.file(name).stat().st_size
    assert response.headers["Content-Disposition"] == f"attachment; filename=\"{name}\""
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert response.headers["Accept-Ranges"] == "bytes"


def test_gzip_dump_is_not_decoded_by_clients(server, release):
    response = requests.get(f"{server.url}/dumps/gpai-kg.ttl.gz", timeout=30)
    assert "Content-Encoding" not in response.headers
    assert gzip.decompress(response.content) == release.file("gpai-kg.ttl").read_bytes()


def test_revalidation_gives_304(server):
    first = requests.get(f"{server.url}/dumps/gpai-kg.nt", timeout=30)
    again = requests.get(f"{server.url}/dumps/gpai-kg.nt", headers={"If-None-Match": first.headers["ETag"]}, timeout=30)
    assert again.status_code == 304 and again.content == b""
    since = requests.get(f"{server.url}/dumps/gpai-kg.nt",
                         headers={"If-Modified-Since": first.headers["Last-Modified"]}, timeout=30)
    assert since.status_code == 304


def test_range_requests(server, release):
    data = release.file("gpai-kg.nt").read_bytes()
    response = requests.get(f"{server.url}/dumps/gpai-kg.nt", headers={"Range": "bytes=100-199"}, timeout=30)
    assert response.status_code == 206
    assert response.content == data[100:200]
    assert response.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    unsatisfiable = requests.get(f"{server.url}/dumps/gpai-kg.nt",
                                 headers={"Range": f"bytes={len(data) + 10}-"}, timeout=30)
    assert unsatisfiable.status_code == 416


def test_head_has_headers_and_no_body(server, release):
    response = requests.head(f"{server.url}/dumps/gpai-kg.ttl", timeout=30)
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["Content-Length"]) == release.file("gpai-kg.ttl").stat().st_size


def test_index_lists_the_dumps(server):
    listing = requests.get(f"{server.url}/dumps/", timeout=30).json()
    names = {d["name"] for d in listing["dumps"]}
    assert {name for name, _ in DUMPS} <= names
    for dump in listing["dumps"]:
        assert dump["url"] == f"{server.url}/dumps/{dump['name']}"


@pytest.mark.parametrize("name", ["nothing.ttl", "..%2Fgpai-kg.ttl", "%2E%2E%2F%2E%2E%2Fpyproject.toml"])
def test_unknown_dump_is_a_json_404(server, name):
    response = requests.get(f"{server.url}/dumps/{name}", timeout=30)
    assert response.status_code == 404
    assert response.json()["ok"] is False
