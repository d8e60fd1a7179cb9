"""Repeated GETs answered from the answer cache, validated by ETag, never stale or shared wrongly."""

from __future__ import annotations

import hashlib
import uuid

import pytest

FOUNDERS = ("PREFIX org: <http://www.w3.org/ns/org#> PREFIX gpai: <https://w3id.org/gpai-kg/ontology/> "
            "SELECT ?member WHERE { ?m org:role gpai:foundingMemberRole ; org:member ?member } ORDER BY ?member")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def unique(query: str) -> str:
    """The same query, as a text no other test has sent (the cache is per process and shared)."""
    return f"# {uuid.uuid4()}\n{query}"


def answers(app):
    return app.extensions["gpai_kg_answers"]


def test_a_repeated_sparql_get_is_answered_without_a_query(app, client, service, monkeypatch):
    runs = []
    real = service.run
    monkeypatch.setattr(service, "run", lambda *a, **k: runs.append(1) or real(*a, **k))   # counts, then runs
    query = {"query": unique(FOUNDERS)}
    first = client.get("/sparql", query_string=query)
    hits = answers(app).stats()["hits"]
    second = client.get("/sparql", query_string=query)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and len(first.json["results"]["bindings"]) == 15
    assert "query;dur=" in first.headers["Server-Timing"] and second.headers["Server-Timing"] == "cache;desc=hit"
    assert answers(app).stats()["hits"] == hits + 1
    assert len(runs) == 1                                   # the second answer ran no query
    for response in (first, second):
        assert response.headers["ETag"] == '"' + hashlib.sha256(first.data).hexdigest()[:32] + '"'
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert "Accept" in response.headers["Vary"]
        assert "GPAI-KG-Cacheable" not in response.headers


def test_if_none_match_gets_304_without_a_body(client):
    query = {"query": unique(FOUNDERS)}
    first = client.get("/sparql", query_string=query)
    etag = first.headers["ETag"]
    again = client.get("/sparql", query_string=query, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "public, max-age=300" and "Content-Type" not in again.headers
    other = client.get("/sparql", query_string=query, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data
    star = client.get("/sparql", query_string=query, headers={"If-None-Match": "*"})
    assert star.status_code == 304


@pytest.mark.parametrize("headers,media", [
    ({"Accept": "text/csv"}, "text/csv"),
    ({"Accept": "application/sparql-results+xml"}, "application/sparql-results+xml"),
    ({"Accept": BROWSER}, "application/xml"),
])
def test_each_negotiated_answer_is_kept_apart(client, headers, media):
    query = {"query": unique(FOUNDERS)}
    json_answer = client.get("/sparql", query_string=query)
    for _ in range(2):
        other = client.get("/sparql", query_string=query, headers=headers)
        assert other.mimetype == media and other.data != json_answer.data
        assert other.headers["ETag"] != json_answer.headers["ETag"]


def test_cors_headers_follow_the_origin(client):
    query = {"query": unique("ASK {}")}
    for _ in range(2):
        crossed = client.get("/sparql", query_string=query, headers={"Origin": "https://example.org"})
        assert crossed.headers["Access-Control-Allow-Origin"] == "*"
        assert "GPAI-KG-Results-Truncated" in crossed.headers["Access-Control-Expose-Headers"]
    assert crossed.headers["Server-Timing"] == "cache;desc=hit"


def test_volatile_queries_errors_and_posts_are_not_kept(client):
    now = {"query": unique("SELECT (NOW() AS ?t) (STRUUID() AS ?u) WHERE {}")}
    first, second = client.get("/sparql", query_string=now), client.get("/sparql", query_string=now)
    assert first.data != second.data and "ETag" not in second.headers
    assert "cache" not in second.headers.get("Server-Timing", "")
    bad = {"query": unique("SELEKT")}
    for _ in range(2):
        response = client.get("/sparql", query_string=bad)
        assert response.status_code == 400 and "ETag" not in response.headers
    post = {"query": unique("ASK {}")}
    for _ in range(2):
        response = client.post("/sparql", data=post)
        assert response.status_code == 200 and "cache" not in response.headers.get("Server-Timing", "")
        assert "ETag" not in response.headers


def test_an_answer_that_sets_the_language_cookie_is_not_kept(client):
    path = f"/page/id/country/jp?lang=de&x={uuid.uuid4().hex}"
    first = client.get(path, headers={"Accept": BROWSER})
    assert "lang=de" in first.headers["Set-Cookie"] and "ETag" not in first.headers
    # The client now holds the cookie: the same page comes without Set-Cookie, and is kept.
    second, third = client.get(path, headers={"Accept": BROWSER}), client.get(path, headers={"Accept": BROWSER})
    assert "Set-Cookie" not in second.headers and third.headers["Server-Timing"] == "cache;desc=hit"
    assert second.headers["ETag"] == third.headers["ETag"] and "Cookie" in third.headers["Vary"]


def test_pages_and_data_documents_carry_validators(client):
    for path, headers in (("/data/id/country/rs.ttl", {}), ("/page/id/country/rs", {"Accept": BROWSER})):
        first = client.get(path, headers=headers)
        assert first.status_code == 200 and first.headers["ETag"]
        again = client.get(path, headers={**headers, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""


def test_the_health_probe_reuses_its_answer_briefly(client, service, monkeypatch):
    from gpai_kg.web import meta

    calls = []
    real = service.backend.health
    monkeypatch.setattr(service.backend, "health", lambda: calls.append(1) or real())
    meta._last_health.clear()
    for _ in range(20):
        assert client.get("/health").status_code == 200
    assert len(calls) == 1
    assert client.get("/health").headers["Cache-Control"] == "no-store"


def test_identical_slow_queries_are_each_admitted_or_refused():
    """Concurrent identical SPARQL GETs are not parked behind one another: each meets admission control."""
    import threading

    from gpai_kg.web.answer_cache import UNSHARED_PATHS

    assert "/sparql" in UNSHARED_PATHS
    seen, started = [], threading.Barrier(3)

    def slow_app(environ, start_response):
        started.wait(10)               # all three are inside the app at once: none waited for another
        seen.append(environ["QUERY_STRING"])
        start_response("200 OK", [("Content-Type", "text/plain"), ("GPAI-KG-Cacheable", "1")])
        return [b"x"]

    from gpai_kg.web.answer_cache import AnswerCache

    layer = AnswerCache(slow_app)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql", "QUERY_STRING": "query=ASK%7B%7D"}
    threads = [threading.Thread(target=lambda: list(layer(dict(environ), lambda *a: None))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert len(seen) == 3


def test_identical_page_requests_share_one_rendering():
    import threading

    from gpai_kg.web.answer_cache import AnswerCache

    rendered, gate = [], threading.Event()

    def page_app(environ, start_response):
        rendered.append(1)
        gate.wait(10)                  # the first rendering is slow: the others arrive meanwhile
        start_response("200 OK", [("Content-Type", "text/html"), ("GPAI-KG-Cacheable", "1")])
        return [b"<p>page</p>"]

    layer = AnswerCache(page_app)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/page/id/country/rs", "QUERY_STRING": ""}
    bodies = []
    threads = [threading.Thread(target=lambda: bodies.append(b"".join(layer(dict(environ), lambda *a: None))))
               for _ in range(4)]
    for t in threads:
        t.start()
    threading.Timer(0.5, gate.set).start()
    for t in threads:
        t.join(20)
    assert rendered == [1] and bodies == [b"<p>page</p>"] * 4
