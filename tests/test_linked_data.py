"""The linked-data face over HTTP: 303s, data documents, pages, languages, VoID, CORS."""

from __future__ import annotations

import json
import re
from pathlib import Path

import html5lib
import pyoxigraph as ox
import pytest
import requests
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, ORG, OWL, RDF, RDFS, SKOS, VOID

from conftest import ROOT
from gpai_kg.describe import DESCRIPTION
from gpai_kg.namespaces import LINK_TARGETS
from gpai_kg.queries import read_queries

BASE = "https://w3id.org/gpai-kg/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SERBIA = "id/country/rs"


def get(server, path, accept=None, **params):
    headers = {"Accept": accept} if accept is not None else {}
    session = requests.Session()
    if accept is None:
        session.headers.pop("Accept", None)   # no Accept header at all
    return session.get(server.url + path, params=params, headers=headers, allow_redirects=False, timeout=30)


def html_of(response) -> str:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"].startswith("text/html")
    return response.text


# --- 303 See Other -----------------------------------------------------------------------------

REDIRECTS = [
    (SERBIA, None, {}, "/page/id/country/rs"),
    (SERBIA, BROWSER, {}, "/page/id/country/rs"),
    (SERBIA, "*/*", {}, "/data/id/country/rs.ttl"),
    (SERBIA, "text/turtle", {}, "/data/id/country/rs.ttl"),
    (SERBIA, "application/n-triples", {}, "/data/id/country/rs.nt"),
    (SERBIA, "application/ld+json", {}, "/data/id/country/rs.jsonld"),
    (SERBIA, "application/rdf+xml", {}, "/data/id/country/rs.rdf"),
    (SERBIA, "application/rdf+xml;q=0.9, text/html;q=0.5", {}, "/data/id/country/rs.rdf"),
    (SERBIA, BROWSER, {"format": "nt"}, "/data/id/country/rs.nt"),
    (SERBIA, "*/*", {"format": "html"}, "/page/id/country/rs"),
    ("id/organisation/gpai", BROWSER, {}, "/page/id/organisation/gpai"),
    ("ontology", BROWSER, {}, "/page/ontology"),
    ("ontology/Country", "text/turtle", {}, "/data/ontology/Country.ttl"),
    ("shapes/CountryShape", BROWSER, {}, "/page/shapes/CountryShape"),
]


@pytest.mark.parametrize("path,accept,params,location", REDIRECTS)
def test_resource_iris_answer_303_by_content_negotiation(server, path, accept, params, location):
    response = get(server, "/" + path, accept, **params)
    assert response.status_code == 303
    assert response.headers["Location"].split("?")[0] == location
    assert "Accept" in response.headers["Vary"]
    assert f'</page/{path}>; rel="alternate"; type="text/html"' in response.headers["Link"]
    assert f'</data/{path}.ttl>; rel="alternate"; type="text/turtle"' in response.headers["Link"]
    assert requests.get(server.url + response.headers["Location"], timeout=30).status_code == 200


def test_the_dataset_iri_leads_to_the_home_page_or_the_void(server):
    assert get(server, "/dataset", BROWSER).headers["Location"] == "/"
    assert get(server, "/dataset", "text/turtle").headers["Location"].startswith("/.well-known/void")


def test_nothing_acceptable_is_a_406_listing_html_too(server):
    response = get(server, "/" + SERBIA, "image/png")
    assert response.status_code == 406
    assert "text/html" in response.json()["offered"] and "text/turtle" in response.json()["offered"]


@pytest.mark.parametrize("path", ["/id/country/zz", "/id/nothing", "/ontology/NoSuchClass", "/page/id/country/zz"])
def test_unknown_iris_are_a_clear_404_page(server, path):
    response = get(server, path, BROWSER)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert any(why in response.text for why in ("nothing is known about", "no page", "no resource at"))
    assert "Traceback" not in response.text
    html5lib.HTMLParser(strict=True).parse(response.text)
    as_json = get(server, path, "*/*")
    assert as_json.status_code == 404 and as_json.json()["ok"] is False


@pytest.mark.parametrize("path", ["/data/id/country/zz.ttl", "/data/id/country/rs.exe", "/data/elsewhere/x.ttl"])
def test_unknown_data_documents_are_404(server, path):
    response = get(server, path, "*/*")
    assert response.status_code == 404 and response.json()["status"] == 404


# --- Data documents ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def serbia_document(server):
    response = get(server, f"/data/{SERBIA}.ttl", "*/*")
    assert response.headers["Content-Type"].startswith("text/turtle")
    return Graph().parse(data=response.text, format="turtle")


def test_data_document_is_the_bounded_description(serbia_document, store):
    g, rs = serbia_document, URIRef(BASE + SERBIA)
    assert Literal("Serbie", lang="fr") in set(g.objects(rs, RDFS.label))
    membership = URIRef(BASE + "id/membership/gpai--rs")
    assert (membership, ORG.member, rs) in g                                          # memberships
    assert (membership, URIRef(BASE + "ontology/admittedAt"), URIRef(BASE + "id/event/2022-tokyo-summit")) in g
    start = g.value(g.value(membership, ORG.memberDuring), URIRef("http://www.w3.org/2006/time#hasBeginning"))
    assert str(g.value(start, URIRef("http://www.w3.org/2006/time#inXSDDate"))) == "2022-11-22"  # blank nodes
    source = URIRef(BASE + "id/source/serbianmonitor-serbia-member")
    assert g.value(source, RDFS.label) is not None                                   # labels of sources
    assert g.value(URIRef(BASE + "id/organisation/gpai"), RDFS.label) is not None  # labels of links
    local = Graph().parse(data=ox.serialize(store.query(DESCRIPTION.fill(r=ox.NamedNode(str(rs))), use_default_graph_as_union=True),
                                            format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert isomorphic(g, local)


@pytest.mark.parametrize("ext,parser,media", [("nt", "nt", "application/n-triples"),
                                              ("jsonld", "json-ld", "application/ld+json"),
                                              ("rdf", "xml", "application/rdf+xml")])
def test_every_data_format_says_the_same(any_server, serbia_document, ext, parser, media):
    response = get(any_server, f"/data/{SERBIA}.{ext}", "*/*")
    assert response.headers["Content-Type"].startswith(media)
    assert f'<{BASE}{SERBIA}>; rel="describes"' in response.headers["Link"]
    assert isomorphic(Graph().parse(data=response.content, format=parser), serbia_document)


def test_a_description_over_the_row_cap_says_it_is_cut(server):
    response = get(server, "/data/id/organisation/gpai.nt", "*/*")
    assert response.headers["GPAI-KG-Results-Truncated"] == "max-rows=1000"
    assert len(response.text.splitlines()) == 1000
    assert "longer than the service" in html_of(get(server, "/page/id/organisation/gpai", BROWSER))


# --- HTML pages -----------------------------------------------------------------------------------

def h1(text: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S).group(1).strip()


@pytest.mark.parametrize("accept_language,params,expected,lang", [
    (None, {}, "Serbia", "en"),
    ("fr-CH, fr;q=0.9, en;q=0.8", {}, "Serbie", "fr"),
    ("ja", {}, "セルビア", "ja"),
    ("zh-CN, zh;q=0.9", {}, "塞尔维亚", "zh-hans"),
    ("ko", {}, "Serbia", "en"),                          # no Korean labels: English
    ("fr", {"lang": "de"}, "Serbien", "de"),             # the switcher wins
])
def test_pages_speak_the_readers_language(server, accept_language, params, expected, lang):
    headers = {"Accept": BROWSER}
    if accept_language:
        headers["Accept-Language"] = accept_language
    response = requests.get(f"{server.url}/page/{SERBIA}", params=params, headers=headers, timeout=30)
    text = html_of(response)
    assert h1(text) == expected
    assert response.headers["Content-Language"].lower() == lang
    assert "Accept-Language" in response.headers["Vary"]
    assert re.search(rf'<h1 lang="{lang}">', text)


def test_a_country_page_shows_memberships_sources_and_links(server):
    response = get(server, f"/page/{SERBIA}", BROWSER)
    text = html_of(response)
    assert 'href="/id/organisation/gpai"' in text                          # local links
    assert "<time>2022-11-22</time> <small class=\"note\">to the day</small>" in text   # with its precision
    assert 'href="/id/source/serbianmonitor-serbia-member"' in text        # its sources
    assert 'href="http://www.wikidata.org/entity/Q403"' in text            # external links
    assert 'href="https://sws.geonames.org/6290252/"' in text
    assert '<link rel="alternate" type="text/turtle" href="/data/id/country/rs.ttl">' in text
    assert '</data/id/country/rs.jsonld>; rel="alternate"' in response.headers["Link"]
    assert 'lang="ja"' in text and 'lang="zh-hans"' in text               # names in every language


def test_long_lists_are_paged(server):
    first = html_of(get(server, "/page/id/organisation/gpai", BROWSER))
    match = re.search(r"page 1 of (\d+) \((\d+) in all\)", first)
    assert match and int(match.group(1)) >= 2
    second = html_of(get(server, "/page/id/organisation/gpai", BROWSER, page=2))
    assert "page 2 of" in second
    rows = re.compile(r'<section><h2 id="incoming-h">.*?</section>', re.S)
    assert rows.search(first).group(0) != rows.search(second).group(0)


def test_the_ontology_documents_every_term_it_defines(server):
    ontology = Graph().parse(ROOT / "ontology" / "gpai.ttl")
    text = html_of(get(server, "/page/ontology", BROWSER))
    terms = {s for s in ontology.subjects(RDFS.isDefinedBy, None)
             if set(ontology.objects(s, RDF.type)) & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}}
    assert len(terms) > 20
    for term in terms:
        assert f'href="/{term[len(BASE):]}"' in text, term


def test_a_class_page_shows_its_shapes_and_instances(server):
    text = html_of(get(server, "/page/ontology/Country", BROWSER))
    assert h1(text) == "Country"
    assert "A sovereign state" in text                                      # its comment
    assert 'href="/shapes/CountryShape"' in text                            # the shape targeting it
    assert 'href="/id/country/ar"' in text                                  # its instances link here


def test_a_property_page_shows_domain_range_shapes_and_examples(server):
    text = html_of(get(server, "/page/ontology/isoAlpha2", BROWSER))
    assert "rdfs:domain" in text and "rdfs:range" in text
    assert 'href="/shapes/CountryShape"' in text
    examples = re.search(r'<section><h2 id="examples-h">.*?</section>', text, re.S).group(0)
    assert len(re.findall(r"<tr>", examples.split("<tbody>")[1])) == 5


PAGES = ["/", "/query", "/browse/members", "/browse/bodies", "/browse/events", "/browse/people",
         "/browse/sources", "/browse/claims", f"/page/{SERBIA}", "/page/id/organisation/gpai", "/page/ontology",
         "/page/ontology/Summit", "/page/shapes/CountryShape", "/page/id/event/2022-tokyo-summit"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_well_formed_html_with_languages(server, path):
    text = html_of(get(server, path, BROWSER, lang="ja"))
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    document = parser.parse(text)                       # raises on any parse error
    assert document.get("lang") == "ja"                 # the interface speaks Japanese too
    assert document.find(".//main") is not None and document.find(".//title").text
    parents = {child: parent for parent in document.iter() for child in parent}

    def language(element):
        while element is not None and element.get("lang") is None:
            element = parents.get(element)
        return None if element is None else element.get("lang")

    for element in document.iter():
        if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", element.text or ""):   # CJK text says its language
            assert language(element) in ("ja", "zh-hans", "zh-Hans") or element.tag in ("script", "pre", "code"), element.text
    for link in document.iter("a"):
        href = link.get("href", "")
        assert not href.startswith(BASE), f"{path} links off the local server: {href}"


def test_index_pages_list_their_class_and_page(any_server):
    text = html_of(get(any_server, "/browse/sources", BROWSER))
    match = re.search(r"page 1 of (\d+) \((\d+) in all\)", text)
    assert match and int(match.group(2)) > 50
    assert text.count('href="/id/source/') == 50
    assert get(any_server, "/browse/nothing", BROWSER).status_code == 404


# --- The home page ----------------------------------------------------------------------------------

def test_home_page_chart_and_table_come_from_the_service(server):
    text = html_of(get(server, "/", BROWSER))
    members = requests.post(server.url + "/sparql", data={"query": (ROOT / "queries/views/members.rq").read_text()},
                            timeout=30).json()["results"]["bindings"]
    members = [m for m in members if m["name"]["xml:lang"] == "en"]     # a row per name: one per member here
    assert len(members) == 45
    days = {m["earliest"]["value"] for m in members}
    svg = re.search(r'<svg[^>]*aria-labelledby="timeline-title.*?</svg>', text, re.S).group(0)
    assert svg.count("<circle") == len(days)                              # one step per join day
    assert "45 members" in re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)
    assert svg.count('class="mark"') >= 5                                  # the summits
    table = re.search(r'<table class="members">.*?</table>', text, re.S).group(0)
    assert table.count("<tr>") == 1 + 45


def test_home_page_embeds_schema_org_dataset(server):
    text = html_of(get(server, "/", BROWSER))
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1))
    assert data["@type"] == "Dataset" and data["license"].startswith("https://creativecommons.org/")
    urls = [d["contentUrl"] for d in data["distribution"]]
    assert any(u.endswith("/dumps/gpai-kg.ttl") for u in urls)
    assert requests.head(urls[0], timeout=30).status_code == 200


# --- The query UI and its gallery -----------------------------------------------------------------

EXAMPLES = read_queries(ROOT / "queries" / "examples")


def test_the_gallery_lists_every_example_with_a_run_link(server):
    text = html_of(get(server, "/query", BROWSER))
    assert "vendor/yasgui/yasgui.min.js" in text and "cdn" not in text.lower()
    for example in EXAMPLES:
        assert f'id="example-{example.name}"' in text
        assert example.title.replace("'", "&#39;") in text
    federated = re.findall(r'id="example-([a-z-]+)" data-needs="federation"', text)
    assert sorted(federated) == sorted(q.name for q in EXAMPLES if q.services) != []
    assert requests.get(server.url + "/static/vendor/yasgui/yasgui.min.js", timeout=30).ok
    assert "MIT License" in requests.get(server.url + "/static/vendor/yasgui/LICENSE", timeout=30).text


@pytest.mark.parametrize("example", [q for q in EXAMPLES if not q.services], ids=lambda q: q.name)
def test_every_example_query_returns_rows(server, example):
    response = requests.post(server.url + "/sparql", data={"query": example.text}, timeout=30)
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) > 0


# --- VoID and DCAT -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def void(server):
    response = get(server, "/.well-known/void", "*/*")
    assert response.headers["Content-Type"].startswith("text/turtle")
    return Graph().parse(data=response.text, format="turtle")


def test_void_conforms_to_its_shapes(void):
    shapes = Graph().parse(Path(__file__).parent / "shapes" / "void-dcat.ttl")
    conforms, _, report = validate(void, shacl_graph=shapes)
    assert conforms, report


def test_void_counts_match_the_data(void, release):
    data = Graph().parse(release.path / "gpai-kg.nt")
    dataset = URIRef(BASE + "dataset")
    assert int(void.value(dataset, VOID.triples)) == len(data)
    for name, target in LINK_TARGETS.items():
        linkset = URIRef(f"{BASE}dataset/linkset/{name}")
        expected = sum(1 for o in data.objects(None, SKOS.exactMatch) if str(o).startswith(target.uri_space))
        assert int(void.value(linkset, VOID.triples)) == expected > 0
    service = void.value(None, DCAT.servesDataset, dataset)
    assert str(void.value(service, DCAT.endpointURL)) == BASE + "sparql"


def test_void_in_other_formats_and_its_download_urls(server, void):
    other = Graph().parse(data=get(server, "/.well-known/void", "application/ld+json").content, format="json-ld")
    assert isomorphic(other, void)
    dump = next(u for u in void.objects(None, VOID.dataDump) if str(u).endswith("/gpai-kg.ttl"))
    local = requests.get(server.url + "/" + str(dump)[len(BASE):], timeout=30)
    assert local.status_code == 200
    assert local.content == requests.get(server.url + "/dumps/gpai-kg.ttl", timeout=30).content
    assert get(server, "/releases/1999-01-01/gpai-kg.ttl", "*/*").status_code == 404


# --- CORS -------------------------------------------------------------------------------------------------

ORIGIN = {"Origin": "https://example.org"}


@pytest.mark.parametrize("path,params,status", [
    ("/sparql", {"query": "ASK {}"}, 200),
    ("/sparql", {"query": "SELEKT"}, 400),                     # errors too
    (f"/data/{SERBIA}.ttl", {}, 200),
    ("/dumps/gpai-kg.ttl", {}, 200),
    ("/.well-known/void", {}, 200),
    ("/" + SERBIA, {}, 303),
    ("/data/id/country/zz.ttl", {}, 404),
])
def test_the_read_api_allows_cross_origin_reads(server, path, params, status):
    response = requests.get(server.url + path, params=params, headers=ORIGIN, allow_redirects=False, timeout=30)
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_cors_preflight_for_a_sparql_post(server):
    response = requests.options(server.url + "/sparql", headers={
        **ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Content-Type"},
        timeout=30)
    assert response.status_code == 200
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()
    exposed = requests.get(server.url + "/sparql", params={"query": "ASK {}"}, headers=ORIGIN, timeout=30)
    assert "GPAI-KG-Results-Truncated" in exposed.headers["Access-Control-Expose-Headers"]


def test_pages_and_data_documents_are_rendered_once(client):
    """The release does not change while it is served: the second answer comes from the cache, the same."""
    for path, headers in (("/page/id/country/jp?lang=fr", {}), ("/data/id/country/jp.ttl", {}),
                          ("/browse/events", {"Accept-Language": "de"}), ("/", {})):
        first, second = client.get(path, headers=headers), client.get(path, headers=headers)
        assert first.status_code == second.status_code == 200
        assert "cache" not in first.headers.get("Server-Timing", "") and second.headers["Server-Timing"] == "cache;desc=hit"
        assert first.data == second.data and first.headers["Content-Type"] == second.headers["Content-Type"]
    other = client.get("/page/id/country/jp?lang=ja")
    assert "cache" not in other.headers.get("Server-Timing", "") and other.data != client.get("/page/id/country/jp?lang=fr").data


def test_errors_are_never_cached(client):
    for _ in range(2):
        response = client.get("/page/id/country/zz")
        assert response.status_code == 404 and "cache" not in response.headers.get("Server-Timing", "")
