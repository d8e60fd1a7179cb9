"""The web face for people, without a browser: languages, links that show, documents that read well.

What Chromium itself must see (axe, the Nu checker, widths) is in test_pages_in_browser.py; this file
checks the HTTP answers and HTML behind it, in process.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from babel.messages.pofile import read_po
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from conftest import ROOT
from gpai_kg.web.i18n import BABEL_LOCALES, lookup

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FIREFOX_ZH = "zh-CN,zh;q=0.8,zh-TW;q=0.7,zh-HK;q=0.5,en-US;q=0.3,en;q=0.2"
TRANSLATIONS = ROOT / "server" / "gpai_kg" / "web" / "translations"
BASE = "https://w3id.org/gpai-kg/"


def html(response) -> str:
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


# --- The reader's language -------------------------------------------------------------------------

@pytest.mark.parametrize("header,lang", [
    ("zh-CN", "zh-hans"), ("zh-Hans-CN", "zh-hans"), ("zh-SG", "zh-hans"), (FIREFOX_ZH, "zh-hans"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-hans"), ("zh-TW,en;q=0.5", "en"),   # Traditional is not offered
    ("de-CH,en;q=0.5", "de"), ("ja-JP,en;q=0.5", "ja"), ("es-419", "es"), ("fr-CA", "fr"),
    ("ko,en;q=0.1", "en"), ("*", "en"), ("x-klingon", "en"), ("", "en"),
])
def test_accept_language_is_matched_as_bcp47_lookup(client, header, lang):
    response = client.get("/", headers={"Accept": BROWSER, "Accept-Language": header})
    text = html(response)
    assert response.headers["Content-Language"].lower() == lang
    assert re.search(r'<html lang="([^"]+)"', text).group(1).lower() == lang
    assert "Accept-Language" in response.headers["Vary"]


def test_lookup_reads_likely_scripts():
    assert [lookup(t) for t in ("zh", "zh-Hant", "zh-HK", "pt-BR", "de-AT", "ja")] == [
        "zh-hans", None, None, None, "de", "ja"]


def test_the_interface_speaks_the_chosen_language_and_keeps_it(app):
    client = app.test_client()
    first = client.get("/?lang=fr", headers={"Accept": BROWSER})
    text = html(first)
    assert "Serbie" in text and ">Serbia<" not in text                     # the data's labels
    assert "Parcourir" in text                                             # the interface's words
    assert "lang=fr" in first.headers["Set-Cookie"]
    # The next click carries no ?lang=: the cookie keeps the choice, over the browser's header.
    second = client.get("/browse/members", headers={"Accept": BROWSER, "Accept-Language": "de"})
    assert second.headers["Content-Language"] == "fr" and "Serbie" in html(second)
    switched = client.get("/browse/members?lang=ja", headers={"Accept": BROWSER})
    assert switched.headers["Content-Language"] == "ja" and "セルビア" in html(switched)
    assert client.get("/", headers={"Accept": BROWSER}).headers["Content-Language"] == "ja"


def test_an_unknown_lang_parameter_falls_back_quietly(client):
    response = client.get("/?lang=xx-evil%3Cscript%3E", headers={"Accept": BROWSER, "Accept-Language": "de"})
    text = html(response)
    assert response.headers["Content-Language"] == "de"
    assert "xx-evil" not in text and "lang=xx" not in response.headers.get("Set-Cookie", "")


def test_every_page_links_its_other_languages(client):
    text = html(client.get("/page/id/country/rs?lang=de", headers={"Accept": BROWSER}))
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', text))
    assert set(alternates) >= {"en", "fr", "es", "de", "ja", "zh-Hans"}
    assert alternates["ja"].endswith("/page/id/country/rs?lang=ja")


# --- The catalogues ----------------------------------------------------------------------------------

def _catalogue(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale.replace("_Hans", ""))


@pytest.mark.parametrize("locale", [b for b in BABEL_LOCALES.values() if b != "en"])
def test_every_interface_word_is_translated(locale):
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    catalogue = _catalogue(locale)
    missing = [m.id for m in catalogue if m.id and (not m.string or (isinstance(m.string, tuple)
                                                                     and not all(m.string)))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not missing and not fuzzy, (missing, fuzzy)
    assert template <= {m.id for m in catalogue}, template - {m.id for m in catalogue}
    # Placeholders survive translation, so that no page fails to render in one language only.
    for message in catalogue:
        if message.id and isinstance(message.id, str):
            assert set(re.findall(r"%\(\w+\)[sd]", message.id)) == set(re.findall(r"%\(\w+\)[sd]", message.string)), message.id


def test_the_template_holds_every_word_the_code_marks(tmp_path):
    """`make translations` was run after the last change to the interface's words."""
    from babel.messages.frontend import CommandLineInterface

    out = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(TRANSLATIONS.parent / "babel.cfg"),
                                "-k", "_l", "-k", "N_", "-k", "lazy_gettext", "--no-location", "--sort-output",
                                "--omit-header", "-o", str(out), str(TRANSLATIONS.parent),
                                str(ROOT / "server" / "gpai_kg" / "describe.py")])
    with out.open("rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        kept = {m.id for m in read_po(f) if m.id}
    assert extracted == kept, (extracted - kept, kept - extracted)


# --- Links that show rather than download ------------------------------------------------------------

def test_a_browser_opening_the_endpoint_gets_the_query_page(client):
    response = client.get("/sparql", headers={"Accept": BROWSER})
    assert response.status_code == 303 and response.headers["Location"].endswith("/query")
    # A program gets the service description (SPARQL 1.1 Service Description), as before.
    machine = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert machine.status_code == 200 and machine.mimetype == "text/turtle"
    assert "ServiceDescription" in machine.get_data(as_text=True) or "sd:" in machine.get_data(as_text=True)


@pytest.mark.parametrize("fmt,shown,parse", [
    ("json", "application/json", json.loads),
    ("xml", "application/xml", lambda t: re.search("<sparql", t)),
])
def test_results_links_show_in_the_browser(client, fmt, shown, parse):
    response = client.get("/sparql", query_string={"query": "ASK {}", "format": fmt}, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.mimetype == shown and response.headers["Content-Disposition"] == "inline"
    assert parse(response.get_data(as_text=True))
    assert "Accept" in response.headers["Vary"]
    # A program asking the same gets the SPARQL media type.
    program = client.get("/sparql", query_string={"query": "ASK {}", "format": fmt}, headers={"Accept": "*/*"})
    assert program.mimetype.startswith("application/sparql-results+")


@pytest.mark.parametrize("ext,shown,fmt", [
    ("ttl", "text/plain", ox.RdfFormat.TURTLE), ("nt", "text/plain", ox.RdfFormat.N_TRIPLES),
    ("jsonld", "application/json", ox.RdfFormat.JSON_LD), ("rdf", "application/xml", ox.RdfFormat.RDF_XML),
])
def test_data_documents_show_in_the_browser(client, ext, shown, fmt):
    response = client.get(f"/data/id/country/rs.{ext}", headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == shown
    assert response.headers["Content-Disposition"] == "inline"
    assert len(list(ox.parse(response.data, fmt, base_iri=BASE))) > 20


def test_the_dataset_description_and_dumps_have_pages(client):
    void = html(client.get("/.well-known/void", headers={"Accept": BROWSER}))
    assert "/.well-known/void.ttl" in void or "void" in void.lower()
    dumps = html(client.get("/dumps/", headers={"Accept": BROWSER}))
    assert dumps.count("<tr") >= 6 and "gpai-kg.ttl" in dumps
    listing = client.get("/dumps/", headers={"Accept": "application/json"})
    assert listing.mimetype == "application/json"
    assert {d["name"] for d in listing.json["dumps"]} >= {"gpai-kg.ttl", "gpai-kg.nq"}


def test_errors_say_they_vary_by_accept(client):
    # (A data document's format is its extension, not negotiated: its 404 does not vary.)
    for path, accept in (("/id/country/rs", "image/png"), ("/page/id/country/zz", BROWSER),
                         ("/id/country/zz", "text/turtle")):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code in (404, 406)
        assert "Accept" in response.headers["Vary"], path


# --- Data documents that read well ------------------------------------------------------------------

def test_a_data_document_has_no_repeated_triples_and_starts_with_its_resource(client):
    text = client.get("/data/id/country/rs.nt").get_data(as_text=True)
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == len(set(lines)) > 20
    turtle = client.get("/data/id/country/rs.ttl").get_data(as_text=True)
    body = [line for line in turtle.splitlines() if line and not line.startswith("@prefix")]
    assert body[0].startswith("country:rs ")
    declared = re.findall(r"@prefix (\w*):", turtle)
    used = {p for p in declared if re.search(rf"(?<![\w@]){p}:", "\n".join(body))}
    assert set(declared) == used                                  # only the prefixes it uses


def test_the_ontology_version_iri_resolves(client):
    ontology = Graph().parse(ROOT / "ontology" / "gpai.ttl")
    version = str(next(ontology.objects(URIRef(BASE + "ontology"), URIRef("http://www.w3.org/2002/07/owl#versionIRI"))))
    path = "/" + version[len(BASE):]
    assert client.get(path, headers={"Accept": BROWSER}).status_code == 303
    document = client.get(path, headers={"Accept": "text/turtle"}).headers["Location"]
    assert document.endswith("/data/ontology.ttl")
    served = ox.parse(client.get(document).data, ox.RdfFormat.TURTLE, base_iri=BASE)
    assert ox.NamedNode(version) in {t.object for t in served}
    assert client.get("/ontology/version/0.0.1", headers={"Accept": BROWSER}).status_code == 404


def test_ontology_terms_are_labelled_in_six_languages():
    ontology = Graph().parse(ROOT / "ontology" / "gpai.ttl")
    country = URIRef(BASE + "ontology/Country")
    labels = {o.language.lower() for o in ontology.objects(country, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
    assert labels == {"en", "fr", "es", "de", "ja", "zh-hans"}


def test_ontology_page_uses_the_readers_language(client):
    text = html(client.get("/page/ontology?lang=de", headers={"Accept": BROWSER}))
    assert re.search(r'<a href="[^"]*Country[^"]*" lang="de">Land</a>', text)


# --- The dataset's description -----------------------------------------------------------------------

def test_void_names_publisher_creator_contact_and_period(client):
    void = Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data,
                         format="turtle")
    dataset = URIRef(BASE + "dataset")
    publisher = void.value(dataset, DCTERMS.publisher)
    assert publisher == void.value(dataset, DCTERMS.creator) and void.value(publisher, FOAF.name)
    assert void.value(publisher, RDF.type) == FOAF.Agent
    assert void.value(dataset, DCAT.contactPoint) is not None
    period = void.value(dataset, DCTERMS.temporal)
    start, end = str(void.value(period, DCAT.startDate)), str(void.value(period, DCAT.endDate))
    assert "1900" < start < end <= "2100"
    assert len(set(void.objects(dataset, DCAT.keyword))) >= 5


def test_home_page_dataset_markup_is_complete(client):
    text = html(client.get("/", headers={"Accept": BROWSER}))
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1))
    for field in ("name", "description", "license", "creator", "publisher", "keywords", "temporalCoverage",
                  "spatialCoverage", "distribution", "url"):
        assert data.get(field), field
    urls = [d["contentUrl"] for d in data["distribution"]]
    assert not [u for u in urls if u.endswith(("SHA256SUMS", "void.ttl"))]
    assert all(d.get("encodingFormat") for d in data["distribution"])


def test_sources_are_named_by_what_they_are():
    labels = Path(ROOT / "data" / "sources.ttl").read_text(encoding="utf-8")
    assert not re.search(r'"Seed \d+', labels)


# --- Pages -------------------------------------------------------------------------------------------

def test_the_browse_index_lists_every_class_with_counts(client):
    text = html(client.get("/browse/", headers={"Accept": BROWSER}))
    counts = dict(re.findall(r'<th scope="row"><a href="/browse/(\w+)">[^<]+</a></th><td class="num">([\d,]+)<', text))
    assert {"members", "countries", "events", "people", "projects", "outputs", "sources"} <= set(counts)
    assert int(counts["members"].replace(",", "")) >= 45


def test_events_are_listed_newest_first(client):
    text = html(client.get("/browse/events", headers={"Accept": BROWSER}))
    dates = re.findall(r"<time datetime=\"(\d{4}(?:-\d\d)?(?:-\d\d)?)\"", text)
    assert len(dates) > 3 and dates == sorted(dates, reverse=True)


def test_the_charts_page_has_an_accessible_map_and_tables(client):
    text = html(client.get("/charts?lang=es", headers={"Accept": BROWSER}))
    svg = re.search(r'<svg[^>]*role="img"[^>]*>.*?</svg>', text, re.S).group(0)
    assert "<title" in svg and "<desc" in svg
    assert text.count("<table") >= 1 and "<caption" in text


def test_long_pages_list_each_source_once(client):
    text = html(client.get("/page/id/organisation/gpai", headers={"Accept": BROWSER}))
    # Memberships point to numbered notes; each source is written out once, at the foot.
    notes = re.findall(r'id="(source-\d+)"', text)
    assert notes and len(notes) == len(set(notes))
    assert set(re.findall(r'href="#(source-\d+)"', text)) <= set(notes)
    assert len(text) < 200_000


def test_media_types_are_case_insensitive(client):
    page = client.get("/id/country/rs", headers={"Accept": "Text/HTML"})
    assert page.status_code == 303 and page.headers["Location"].endswith("/page/id/country/rs")
    data = client.get("/id/country/rs", headers={"Accept": "Text/Turtle"})
    assert data.status_code == 303 and data.headers["Location"].endswith("/data/id/country/rs.ttl")
    results = client.get("/sparql", query_string={"query": "ASK {}"},
                         headers={"Accept": "Application/SPARQL-Results+JSON"})
    assert results.status_code == 200 and results.mimetype == "application/sparql-results+json"


def test_external_properties_show_their_labels(client):
    text = html(client.get("/page/id/country/rs", headers={"Accept": BROWSER}))
    assert re.search(r'<a href="http://www.w3.org/ns/org#memberOf"[^>]*>member of</a> '
                     r'<small class="note">org:memberOf</small>', text)


def test_the_home_page_says_what_its_triple_counts_count(client):
    text = html(client.get("/", headers={"Accept": BROWSER}))
    void = Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data,
                         format="turtle")
    data_triples = int(void.value(URIRef(BASE + "dataset"), URIRef("http://rdfs.org/ns/void#triples")))
    sentence = re.search(r"[^>]*triples in all[^<]*", text).group(0)
    assert f"{data_triples:,} of data" in sentence and "ontology" in sentence and "shapes" in sentence
