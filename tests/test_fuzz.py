"""A hostile client, bounded: Hypothesis over every route, method, parameter and header.

Whatever it sends, the server answers without a 5xx (a query stopped at its time limit, 503
with ``limit: time``, is the one documented exception) and never calls anyone: a loopback
listener, named in the requests as SERVICE endpoints, graphs and paths, counts connections.
"""

from __future__ import annotations


import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stores import CountingListener




@pytest.fixture(scope="module")
def listener():
    running = CountingListener()
    yield running
    running.sock.close()


def hostile_text(base: str) -> st.SearchStrategy[str]:
    pieces = [f"SERVICE <{base}/s> {{ ?a ?b ?c }}", f"SERVICE SILENT <{base}/t> {{}}", "<urn:a\\u0041#>",
              "# comment\n", "\\u000A", "\\u0023", "'", '"', "<", ">", "{", "}", "(", ")", "?s ?p ?o .",
              f"FROM <{base}/g>", "PREFIX x: <" + base + "/> ", "x:y", "\\#", "LOAD", "INSERT DATA", "é",
              "\x00", "\ufeff", "%3E", "SELECT * WHERE", "ASK", "CONSTRUCT WHERE", "LIMIT 5", "{" * 80]
    return st.lists(st.sampled_from(pieces) | st.text(max_size=8), max_size=10).map(" ".join)


ROUTES = ["/", "/sparql", "/query", "/browse/members", "/browse/{x}", "/id/country/rs", "/id/{x}", "/id/country/{x}",
          "/page/id/country/rs", "/page/{x}", "/data/id/country/rs.ttl", "/data/id/{x}.nt", "/data/{x}",
          "/ontology", "/ontology/{x}", "/shapes/{x}", "/dataset", "/dataset/{x}", "/.well-known/void", "/dumps/",
          "/dumps/{x}", "/releases/test/{x}", "/releases/{x}/gpai-kg.nt", "/health", "/-/version.json",
          "/-/settings.json", "/static/{x}", "/{x}", "/api/search", "/search", "/api/search/types", "/reconcile",
          "/reconcile/suggest/entity", "/reconcile/suggest/{x}", "/reconcile/flyout/entity", "/reconcile/preview",
          "/reconcile/view", "/reconcile/properties", "/openapi.json", "/api"]


@st.composite
def requests_(draw, base: str):
    text = draw(hostile_text(base))
    segment = draw(st.sampled_from([f"{base}/p", "..%2F..%2Fetc%2Fpasswd", "x%3E%20%3Fp%20%3Fo%20%7D", "rs",
                                    "%00", "%0A", "a" * 3000, "é", "Country"]) | st.text(max_size=12))
    path = draw(st.sampled_from(ROUTES)).replace("{x}", requests.utils.quote(segment, safe="/%"))
    params = draw(st.dictionaries(st.sampled_from(["query", "format", "timeout", "default-graph-uri",
                                                   "named-graph-uri", "lang", "page", "update", "q", "type",
                                                   "limit", "queries", "extend", "prefix", "id", "cursor"]),
                                  st.sampled_from([text, f"{base}/g", "json", "html", "-1", "1e309", "nan",
                                                   "0.000001", "fr", "zh-CN", "999999", '{"q0": {"query": "serb"}}',
                                                   '{"ids": ["x"], "properties": [{"id": "label"}]}',
                                                   "https://w3id.org/gpai-kg/id/country/rs"]), max_size=4))
    headers = draw(st.dictionaries(
        st.sampled_from(["Accept", "Accept-Language", "Content-Type", "Range", "If-Match", "If-None-Match",
                         "If-Range", "Origin", "X-Forwarded-For", "Access-Control-Request-Method"]),
        st.sampled_from(["*/*", "text/html", "application/sparql-query", "application/x-www-form-urlencoded",
                         "text/turtle;q=0.1", "bytes=-1024", "bytes=0-0,5-9", "bytes=zz", "*", '"x"', "W/\"x\"",
                         "zh-Hans-CN,zh;q=0.9", "https://example.org", base, "PUT", "", "\u00e9"]), max_size=4))
    method = draw(st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]))
    body = draw(st.sampled_from([None, text.encode("utf-8", "surrogatepass"), b"query=" + text.encode("utf-8", "ignore"),
                                 b"\xff\xfe"]))
    return method, path, params, headers, body


def test_hostile_requests_get_no_5xx_and_reach_nobody(server, listener):
    seen = []

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
    @given(requests_(listener.base))
    def one(request):
        method, path, params, headers, body = request
        try:
            response = requests.request(method, server.url + path, params=params, data=body, timeout=60,
                                        headers={k: v.encode("utf-8").decode("latin-1") for k, v in headers.items()},
                                        allow_redirects=False)
        except requests.exceptions.InvalidHeader:
            return  # the client library refused to send it
        seen.append(response.status_code)
        if response.status_code >= 500:
            assert response.status_code == 503 and response.json().get("limit") == "time", (
                method, path, params, headers, response.status_code, response.text[:300])

    one()
    assert listener.connections == 0
    assert len(seen) >= 300 and len(set(seen)) >= 4, sorted(set(seen))  # it reached the server, varied answers
