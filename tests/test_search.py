"""Search by name (/api/search and gpai_kg.search_index): the searches of issue 15, ranking, types, bad input."""

from __future__ import annotations

import os
import sqlite3

import pytest

from gpai_kg.search_index import SearchIndex, prepare_index, release_quads
from gpai_kg.search_text import key, match_expression, tokens

ID = "https://w3id.org/gpai-kg/id/"
SERBIA, TURKIYE, GPAI = ID + "country/rs", ID + "country/tr", ID + "organisation/gpai"


def search(client, q, **params):
    response = client.get("/api/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


@pytest.mark.parametrize("q, first", [
    ("tür", TURKIYE), ("TÜR", TURKIYE), ("serb", SERBIA), ("Serbie", SERBIA), ("serbien", SERBIA),
    ("全球", GPAI), ("PMIA", GPAI), ("pmia", GPAI), ("RS", SERBIA), ("SRB", SERBIA), ("Q403", SERBIA),
    ("セルビア", SERBIA), ("ＳＥＲＢ", SERBIA), ("ｾﾙﾋﾞｱ", SERBIA), ("688", SERBIA), ("6290252", SERBIA),
    ("https://www.wikidata.org/wiki/Q403", SERBIA), (SERBIA, SERBIA), ("global partnership", GPAI),
])
def test_the_searches_of_the_issue_find_what_they_say(client, q, first):
    results = search(client, q)
    assert results and results[0]["iri"] == first, [r["iri"] for r in results]


def test_serb_finds_serbia_by_its_names_in_other_languages(client):
    assert search(client, "serb", lang="fr")[0]["label"] == "Serbie"
    assert search(client, "serb", lang="de")[0]["label"] == "Serbien"
    for name in ("Serbie", "Serbien", "Serbia"):
        assert search(client, name)[0]["iri"] == SERBIA


def test_results_say_what_matched_and_give_a_label_in_the_language_asked(client):
    top = search(client, "全球", lang="en")[0]
    assert top["label"] == "Global Partnership on Artificial Intelligence" and top["lang"] == "en"
    assert top["matched"] == {"text": "全球人工智能合作伙伴关系", "lang": "zh-hans", "kind": "label",
                              "level": "prefix"}
    assert top["description"] and top["page"] == "/page/id/organisation/gpai"
    serbia = search(client, "SRB", lang="ja")[0]
    assert serbia["label"] == "セルビア" and serbia["matched"]["kind"] == "id" and serbia["member"] is True
    assert serbia["type"] == {"iri": "https://w3id.org/gpai-kg/ontology/Country", "label": "国"}
    source = search(client, "Serbian Monitor: la Serbia", lang="fr")[0]   # a class of another vocabulary
    assert source["type"] == {"iri": "http://www.w3.org/ns/prov#Entity", "label": "Entité"}


def test_ranking_exact_then_prefix_then_words_and_members_before_sources(client):
    results = search(client, "serb", limit=20)
    levels = [r["matched"]["level"] for r in results]
    order = {"exact": 0, "prefix": 1, "words": 2}
    assert levels == sorted(levels, key=order.get)
    kinds = [r["type"]["iri"] for r in results]
    assert kinds.index(ID.replace("id/", "ontology/") + "Country") < kinds.index("http://www.w3.org/ns/prov#Entity")
    words = search(client, "partnership", limit=20)
    first_word = next(r for r in words if r["matched"]["level"] == "words")
    assert first_word["iri"] == GPAI  # a word inside its name: GPAI before the sources that say it
    exact = search(client, "OECD")[0]
    assert exact["iri"] == ID + "organisation/oecd" and exact["matched"]["level"] == "exact"


@pytest.mark.parametrize("types, expected", [
    ("countries", {SERBIA}), ("members", {SERBIA}), ("gpai:Country", {SERBIA}),
    ("https://w3id.org/gpai-kg/ontology/Country", {SERBIA}),
])
def test_type_filters(client, types, expected):
    assert {r["iri"] for r in search(client, "serb", type=types, limit=50)} == expected


def test_type_filter_sources_leaves_countries_out(client):
    found = search(client, "serb", type="sources", limit=50)
    assert found and all(r["type"]["iri"] == "http://www.w3.org/ns/prov#Entity" for r in found)
    assert search(client, "serb", type="countries,sources", limit=50)[0]["iri"] == SERBIA
    assert search(client, "serb", type="http://example.org/NoSuchClass") == []


@pytest.mark.parametrize("params, says", [
    ({}, "q"), ({"q": "   "}, "q"), ({"q": "x" * 10_000}, "characters"), ({"q": "serb\x00"}, "NUL"),
    ({"q": "serb", "limit": "0"}, "limit"), ({"q": "serb", "limit": "51"}, "limit"),
    ({"q": "serb", "limit": "ten"}, "limit"), ({"q": "serb", "limit": "-1"}, "limit"),
    ({"q": "serb", "lang": "xx"}, "lang"), ({"q": "serb", "type": "nations"}, "type"),
])
def test_bad_requests_get_a_json_400(client, params, says):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 400
    body = response.get_json()
    assert body["ok"] is False and body["status"] == 400 and body["title"] == "Bad Request" and says in body["error"]


@pytest.mark.parametrize("q", [
    '"', '""', '"serb', "serb*", "*", "^serb", "^", "serb NEAR(x y)", "NEAR(serb, 2)", "words:serb",
    "kinds:c1", "kinds : (m)", "{words kinds}: serb", "serb OR x", "serb AND", "NOT serb", "(serb", ")",
    "serb -x", "+serb", "'; DROP TABLE name; --", "\\", "%", "_", "serb\ttab", "s" * 200, "é" * 200,
    "全" * 200, "a b c d e f g h i j k l m n o p q r s t u v w x y z", "\u202e\u200b", "🙂",
])
def test_hostile_queries_are_only_text(client, q):
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200
    assert isinstance(response.get_json()["results"], list)


def test_fts_syntax_in_a_query_matches_as_words(client):
    """NEAR, quotes and column filters are words to us: "serb*" finds what serb finds."""
    assert search(client, 'serb*')[0]["iri"] == search(client, '"serb"')[0]["iri"] == SERBIA
    assert search(client, "words:serb") == []   # the words "words" and "serb": no name has both


def test_search_answers_cross_origin_and_can_be_cached(client):
    response = client.get("/api/search?q=serb", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in response.headers["Cache-Control"] and {"Accept-Language", "Cookie"} <= set(response.vary)
    again = client.get("/api/search?q=serb", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304   # the answer cache keeps it: an autocomplete's repeated keystrokes
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/api/search/types").get_json()["types"][0]["name"] == "members"


def test_folding_and_tokens():
    assert key("Türkiye") == key("TURKIYE") == key("ｔｕｒｋｉｙｅ") == "turkiye"
    assert tokens("セルビア共和国") == list("セルビア共和国")
    assert match_expression(tokens('a" OR b')) == '"a" "or" "b"*'
    assert match_expression(tokens("全球 AI"), anchored=True) == '^ "全 球 ai"*'


def test_two_character_cjk_queries_need_per_character_tokens(tmp_path):
    """Why not FTS5's trigram tokenizer: it cannot match a query of fewer than three characters."""
    db = sqlite3.connect(tmp_path / "t.sqlite")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='trigram')")
    db.execute("INSERT INTO t VALUES ('全球人工智能合作伙伴关系'), ('セルビア')")
    assert db.execute("SELECT count(*) FROM t WHERE t MATCH ?", ('"全球"',)).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM t WHERE t MATCH ?", ('"セルビア"',)).fetchone()[0] == 1


def test_the_index_is_built_once_per_release_and_reused(release, tmp_path):
    calls = []

    def quads():
        calls.append(1)
        return release_quads([(release.path / "gpai-kg.nq", __import__("pyoxigraph").RdfFormat.N_QUADS)])

    from gpai_kg.namespaces import Namespaces
    first, hold = prepare_index("sums-1", quads, tmp_path, Namespaces())
    again, hold2 = prepare_index("sums-1", quads, tmp_path, Namespaces())
    assert first == again and calls == [1]
    other, hold3 = prepare_index("sums-2", quads, tmp_path, Namespaces())
    assert other != first and calls == [1, 1]
    for fd in (hold, hold2, hold3):
        os.close(fd)
    index = SearchIndex(other)
    assert index.search("serb")[0].iri == SERBIA


def test_a_search_past_its_time_limit_is_stopped(service):
    from gpai_kg.errors import QueryLimitExceeded

    with pytest.raises(QueryLimitExceeded):
        service.search_index.search("a b c", limit=25, fuzzy=True, deadline=0.0)


# --- The results page, and the box in every page's header ---------------------------------------------

def test_the_results_page_lists_what_the_api_finds_with_links_in_the_language_chosen(client):
    import html5lib

    response = client.get("/search", query_string={"q": "serb", "lang": "fr"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = html5lib.parse(response.get_data(as_text=True), namespaceHTMLElements=False)
    first = page.find(".//ol[@class='search-results']/li/a")
    assert first.text == "Serbie" and first.get("href") == "/page/id/country/rs?lang=fr"
    assert page.find(".//input[@id='site-search-q']").get("value") == "serb"   # the box keeps the query
    empty = client.get("/search?lang=en").get_data(as_text=True)
    assert "search-results" not in empty and "in the box above" in empty


@pytest.mark.parametrize("params, says", [({"q": "x" * 201}, "200 characters"), ({"q": "serb\x00"}, "NUL"),
                                          ({"q": "serb", "type": "nations"}, "unknown type")])
def test_the_results_page_refuses_bad_input_as_a_page_for_people_and_json_for_programs(client, params, says):
    page = client.get("/search", query_string=params, headers={"Accept": "text/html"})
    assert page.status_code == 400 and page.mimetype == "text/html" and says in page.get_data(as_text=True)
    data = client.get("/search", query_string=params, headers={"Accept": "application/json"})
    assert data.status_code == 400 and says in data.get_json()["error"]


@pytest.mark.parametrize("url", ["/", "/browse/members", "/page/id/country/rs", "/query", "/search?q=x", "/api",
                                 "/page/id/country/nowhere"])
def test_every_page_has_the_search_box_as_a_combobox(client, url):
    import html5lib

    response = client.get(url, headers={"Accept": "text/html"})
    page = html5lib.parse(response.get_data(as_text=True), namespaceHTMLElements=False)
    box = page.find(".//header//form[@role='search']//input[@id='site-search-q']")
    assert box is not None and box.get("role") == "combobox" and box.get("aria-expanded") == "false"
    assert page.find(f".//*[@id='{box.get('aria-controls')}']").get("role") == "listbox"
    label = page.find(".//label[@for='site-search-q']")
    assert label is not None and label.text.strip()
    assert any(s.get("src", "").endswith("/static/search.js") for s in page.iter("script"))


def test_search_through_the_real_server_on_every_backend(any_server):
    """The index is built from the release's files, so it answers the same whatever store runs the queries."""
    import requests

    response = requests.get(any_server.url + "/api/search", params={"q": "serb", "lang": "de"}, timeout=60)
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.json()["results"][0]["label"] == "Serbien"
