"""nginx in front of the service with deploy/nginx/gpai-kg.conf: a shared cache that is never wrong.

The configuration in the repository is the one tested (tests/nginx_front.py changes only its three
marked lines). nginx comes from Debian (`.ci/run` installs it); without it these tests skip and say so.
"""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from conftest import serve
from gpai_kg.web.i18n import COOKIE
from nginx_front import NGINX, Nginx
from stores import CountingListener

FOUNDERS = ("PREFIX org: <http://www.w3.org/ns/org#> PREFIX gpai: <https://w3id.org/gpai-kg/ontology/> "
            "SELECT ?member WHERE { ?m org:role gpai:foundingMemberRole ; org:member ?member } ORDER BY ?member")
JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)")


@pytest.fixture(scope="module")
def front(release, tmp_path_factory):
    """The real server (trusting one proxy) behind nginx with the repository's configuration."""
    origin = serve(release, tmp_path_factory.mktemp("origin"), trusted_proxies=1, query_timeout=60)
    nginx = Nginx(tmp_path_factory.mktemp("nginx"), f"127.0.0.1:{origin.port}")
    nginx.origin = origin
    yield nginx
    nginx.stop()
    origin.stop()


def unique(query: str) -> str:
    """The same query as a text nobody has sent before (each test starts cold)."""
    return f"# {uuid.uuid4()}\n{query}"


def get(front, path: str = "/sparql", **kwargs) -> requests.Response:
    return requests.get(front.url + path, timeout=60, **kwargs)


def test_a_repeated_query_is_answered_by_nginx_with_the_origins_bytes(front):
    params = {"query": unique(FOUNDERS)}
    first = get(front, params=params, headers={"Accept": JSON})
    second = get(front, params=params, headers={"Accept": JSON})
    direct = requests.get(front.origin.url + "/sparql", params=params, headers={"Accept": JSON}, timeout=60)
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Cache-Status"] == "MISS" and second.headers["X-Cache-Status"] == "HIT"
    assert second.content == first.content == direct.content
    assert len(second.json()["results"]["bindings"]) == 15
    assert second.headers["ETag"] == first.headers["ETag"] == direct.headers["ETag"]
    assert second.headers["Cache-Control"] == "public, max-age=300"


def test_variants_by_accept_are_kept_apart(front):
    params = {"query": unique(FOUNDERS)}
    as_json = [get(front, params=params, headers={"Accept": JSON}) for _ in range(2)]
    as_xml = [get(front, params=params, headers={"Accept": XML}) for _ in range(2)]
    assert [r.headers["Content-Type"].split(";")[0] for r in as_json] == [JSON, JSON]
    assert [r.headers["Content-Type"].split(";")[0] for r in as_xml] == [XML, XML]
    assert as_xml[0].headers["X-Cache-Status"] != "HIT"      # not the JSON answer under the same URL
    assert as_xml[1].headers["X-Cache-Status"] == "HIT" and as_xml[1].content.startswith(b"<?xml")
    assert as_json[1].headers["X-Cache-Status"] == "HIT" and as_json[1].json()["head"]["vars"] == ["member"]


def test_if_none_match_is_answered_304_by_nginx(front):
    params = {"query": unique(FOUNDERS)}
    first = get(front, params=params, headers={"Accept": JSON})
    again = get(front, params=params, headers={"Accept": JSON, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_post_errors_cookies_and_volatile_queries_are_never_kept(front):
    query = unique(FOUNDERS)
    posts = [requests.post(front.url + "/sparql", data=query.encode(), timeout=60,
                           headers={"Content-Type": "application/sparql-query", "Accept": JSON}) for _ in range(2)]
    assert [r.status_code for r in posts] == [200, 200]
    assert all(r.headers.get("X-Cache-Status") != "HIT" for r in posts)

    bad = {"query": unique("SELECT * WHERE { ?s ?p }")}
    errors = [get(front, params=bad) for _ in range(2)]
    assert [r.status_code for r in errors] == [400, 400] and errors[1].headers["X-Cache-Status"] != "HIT"
    assert errors[1].json()["ok"] is False and "Cache-Control" not in errors[1].headers

    now = {"query": unique("SELECT (NOW() AS ?t) WHERE {}")}
    times = [get(front, params=now, headers={"Accept": JSON}) for _ in range(2)]
    assert times[1].headers["X-Cache-Status"] != "HIT"

    lang = f"/page/id/country/rs?lang=fr&x={uuid.uuid4().hex}"
    pages = [get(front, lang) for _ in range(2)]
    assert all(r.status_code == 200 and r.cookies.get(COOKIE) == "fr" for r in pages)
    assert pages[1].headers["X-Cache-Status"] != "HIT"      # a cookie is set: nobody else may get it


def test_pages_are_kept_per_language(front):
    path = f"/page/id/country/rs?x={uuid.uuid4().hex}"
    english = [get(front, path, headers={"Accept-Language": "en"}) for _ in range(2)]
    french = [get(front, path, headers={"Accept-Language": "fr"}) for _ in range(2)]
    assert english[1].headers["X-Cache-Status"] == "HIT" and french[1].headers["X-Cache-Status"] == "HIT"
    assert english[1].headers["Content-Language"] == "en" and french[1].headers["Content-Language"] == "fr"
    assert '<html lang="fr"' in french[1].text and '<html lang="en"' in english[1].text


def test_service_calls_through_the_front_are_refused_and_reach_nobody(front):
    """The origin checks as before: the hardening issue's two SSRF reproducers, through nginx."""
    listener = CountingListener()
    query = f"SELECT * WHERE {{ BIND(<urn:a\\u0041#> AS ?z) SERVICE <{listener.base}/x> {{ ?a ?b ?c }} }}"
    for _ in range(2):
        answer = get(front, params={"query": query})
        assert answer.status_code == 400 and answer.json()["ok"] is False
        assert answer.headers["X-Cache-Status"] != "HIT"
    path = "/id/x%3E%20%3Fp%20%3Fo%20%7D%20UNION%20%7B%20SERVICE%20%3C" + listener.base.replace(":", "%3A").replace(
        "/", "%2F") + "%2Fp%3E%20%7B%20%3Fa%20%3Fb%20%3Fc%20%7D%20%7D%20%7D%20%23"
    assert get(front, path, allow_redirects=False).status_code == 404
    time.sleep(0.5)
    assert listener.connections == 0


def test_a_kept_answer_serves_cross_origin_clients_too(front):
    """CORS is the same for every origin (`*`, no credentials), so one kept answer serves all."""
    params = {"query": unique(FOUNDERS)}
    plain = get(front, params=params, headers={"Accept": JSON})
    cross = get(front, params=params, headers={"Accept": JSON, "Origin": "https://example.org"})
    assert plain.headers["X-Cache-Status"] == "MISS" and cross.headers["X-Cache-Status"] == "HIT"
    assert plain.headers["Access-Control-Allow-Origin"] == cross.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in cross.headers
