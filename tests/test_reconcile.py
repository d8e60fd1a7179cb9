"""The W3C Reconciliation Service API 0.2 at /reconcile: every answer validated against the specification's
JSON schemas (tests/fixtures/reconciliation-api-0.2/), a batch of realistic spreadsheet rows with their expected
matches, and every bad input answered with a JSON 4xx."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path

import html5lib
import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from conftest import FIXTURES, ROOT
from gpai_kg.reconcile import BATCH_SIZE

SPEC = FIXTURES / "reconciliation-api-0.2"
BATCH = json.loads((FIXTURES / "reconciliation" / "spreadsheet-batch.json").read_text(encoding="utf-8"))
ID = "https://w3id.org/gpai-kg/id/"
COUNTRY = "https://w3id.org/gpai-kg/ontology/Country"


def _registry() -> Registry:
    resources = []
    for path in sorted((SPEC / "schemas").glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"].rstrip("#"), Resource.from_contents(schema, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validator(name: str) -> Draft7Validator:
    schema = json.loads((SPEC / "schemas" / f"{name}.json").read_text(encoding="utf-8"))
    return Draft7Validator(schema, registry=REGISTRY)


def valid(name: str, document) -> None:
    errors = sorted(validator(name).iter_errors(document), key=str)
    assert not errors, f"{name}: " + "; ".join(e.message for e in errors[:5])


# --- The specification's own examples: our use of its schemas is right -----------------------------

EXAMPLES = [(folder.name, path) for folder in sorted((SPEC / "examples").iterdir()) for path in
            sorted(folder.glob("*/*.json"))]
SCHEMA_OF = {"manifest": "manifest", "reconciliation-query-batch": "reconciliation-query-batch",
             "reconciliation-result-batch": "reconciliation-result-batch",
             "suggest-entities-response": "suggest-entities-response",
             "suggest-properties-response": "suggest-properties-response",
             "suggest-types-response": "suggest-types-response", "data-extension-query": "data-extension-query",
             "data-extension-response": "data-extension-response",
             "data-extension-property-proposal": "data-extension-property-proposal"}


@pytest.mark.parametrize("kind, path", [e for e in EXAMPLES if e[0] in SCHEMA_OF], ids=lambda v: getattr(v, "name", v))
def test_the_schemas_accept_the_valid_examples_and_refuse_the_invalid(kind, path):
    document = json.loads(path.read_text(encoding="utf-8"))
    errors = list(validator(SCHEMA_OF[kind]).iter_errors(document))
    assert (not errors) == (path.parent.name == "valid"), [e.message for e in errors]


def test_the_copy_of_the_specification_is_the_shared_one():
    shared = ROOT.parent / "shared" / "standards" / "reconciliation-api-0.2"
    if not shared.is_dir():
        pytest.skip("../shared/standards/reconciliation-api-0.2 is not beside this checkout")
    for sub in ("schemas", "examples"):
        for path in (shared / sub).rglob("*.json"):
            assert filecmp.cmp(path, SPEC / sub / path.relative_to(shared / sub), shallow=False), path


# --- The manifest --------------------------------------------------------------------------------

def test_the_manifest_validates_and_points_at_our_services(client):
    response = client.get("/reconcile", headers={"Origin": "https://openrefine.example"})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    manifest = response.get_json()
    valid("manifest", manifest)
    assert manifest["versions"] == ["0.2"] and manifest["identifierSpace"] == ID
    assert {t["id"] for t in manifest["defaultTypes"]} >= {COUNTRY, "http://xmlns.com/foaf/0.1/Person"}
    for kind in ("entity", "type", "property"):
        assert manifest["suggest"][kind]["service_path"] == f"/suggest/{kind}"
    assert manifest["extend"]["propose_properties"]["service_path"] == "/properties"
    assert "{{id}}" in manifest["preview"]["url"] and "{{id}}" in manifest["view"]["url"]


def test_cors_preflight_allows_openrefine_in_a_browser(client):
    response = client.options("/reconcile", headers={"Origin": "https://x.example",
                                                     "Access-Control-Request-Method": "POST"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert set(response.headers["Access-Control-Allow-Methods"].split(", ")) <= {"GET", "HEAD", "POST", "OPTIONS"}


# --- Reconciliation --------------------------------------------------------------------------------

def reconcile(client, batch: dict, method: str = "post") -> dict:
    if method == "post":
        response = client.post("/reconcile", data={"queries": json.dumps(batch)})
    else:
        response = client.get("/reconcile", query_string={"queries": json.dumps(batch)})
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    valid("reconciliation-result-batch", result)
    assert set(result) == set(batch)
    return result


def test_the_spreadsheet_batch_gets_its_expected_matches(client):
    """No wrong match ever (precision 1); a row left unmatched has the right entity as its first candidate, for a
    person to confirm in OpenRefine; and nearly every row that has an entity is matched (recall)."""
    batch = {f"row{i}": row["query"] for i, row in enumerate(BATCH)}
    valid("reconciliation-query-batch", batch)
    result = {}
    ids = list(batch)
    for start in range(0, len(ids), BATCH_SIZE):  # in batches of the manifest's batchSize, as OpenRefine sends
        result.update(reconcile(client, {qid: batch[qid] for qid in ids[start:start + BATCH_SIZE]}))
    true_positive = false_positive = 0
    wrong, missed = [], []
    for i, row in enumerate(BATCH):
        candidates = result[f"row{i}"]["result"]
        assert [c["score"] for c in candidates] == sorted((c["score"] for c in candidates), reverse=True)
        matched = [c["id"] for c in candidates if c["match"]]
        assert len(matched) <= 1
        got = matched[0] if matched else None
        if got is not None and got == row["expect"]:
            true_positive += 1
        elif got is not None:
            false_positive += 1
            wrong.append((row["row"], row["expect"], got))
        elif row["expect"] is not None:
            missed.append(row["row"])
            assert candidates and candidates[0]["id"] == row["expect"], row
    expected = sum(r["expect"] is not None for r in BATCH)
    precision = true_positive / max(1, true_positive + false_positive)
    recall = true_positive / expected
    print(f"\nspreadsheet batch: {len(BATCH)} rows, {expected} with an entity; {true_positive} matched right, "
          f"{false_positive} wrong, {len(missed)} left to a person: precision {precision:.3f}, recall {recall:.3f}")
    assert not wrong, wrong
    assert precision == 1.0 and recall >= 0.95, missed
    assert set(missed) <= {r["row"] for r in BATCH if "left to a person" in r["row"]}, missed


def test_get_and_post_give_the_same_answer(client):
    batch = {"q0": {"query": "Serbie", "type": COUNTRY}, "q1": {"query": "Türkei"}}
    assert reconcile(client, batch, "get") == reconcile(client, batch, "post")


def test_candidates_carry_types_features_and_descriptions(client):
    result = reconcile(client, {"q": {"query": "Yoshua Bengio", "properties": [{"pid": "organisation", "v": "GPAI"}]}})
    best = result["q"]["result"][0]
    assert best["id"] == ID + "person/yoshua-bengio" and best["match"] is True and best["score"] == 100
    assert best["type"] == [{"id": "http://xmlns.com/foaf/0.1/Person", "name": "Person"}]
    assert {"id": "prop:organisation", "value": True} in best["features"] and best["description"]
    limited = reconcile(client, {"q": {"query": "gpai", "limit": 2}})
    assert len(limited["q"]["result"]) == 2


@pytest.mark.parametrize("path", sorted((SPEC / "examples" / "reconciliation-query-batch" / "valid").glob("*.json")),
                         ids=lambda p: p.name)
def test_the_specifications_valid_query_batches_are_answered(client, path):
    batch = json.loads(path.read_text(encoding="utf-8"))
    for query in batch.values():  # its properties are GND's; ours have other ids
        query.pop("properties", None)
        query.pop("type", None)
        query.setdefault("query", "Serbia")
    reconcile(client, batch)


@pytest.mark.parametrize("path", sorted((SPEC / "examples" / "reconciliation-query-batch" / "invalid").glob("*.json")),
                         ids=lambda p: p.name)
def test_the_specifications_invalid_query_batches_get_a_400(client, path):
    response = client.post("/reconcile", data={"queries": path.read_text(encoding="utf-8")})
    assert response.status_code == 400 and response.get_json()["ok"] is False


@pytest.mark.parametrize("queries, status, says", [
    ("not json", 400, "JSON"), ("[]", 400, "object"), ('"x"', 400, "object"), ("", 400, "empty"),
    ('{"q": "Serbia"}', 400, "object"), ('{"q": {}}', 400, "query or properties"),
    ('{"q": {"query": ""}}', 400, "query or properties"), ('{"q": {"query": 5}}', 400, "string"),
    ('{"q": {"query": "x", "limit": 0}}', 400, "limit"), ('{"q": {"query": "x", "limit": "5"}}', 400, "limit"),
    ('{"q": {"query": "x", "limit": 1.5}}', 400, "limit"), ('{"q": {"query": "x", "type": 5}}', 400, "type"),
    ('{"q": {"query": "x", "type_strict": "some"}}', 400, "type_strict"),
    ('{"q": {"query": "x", "props": []}}', 400, "props"),
    ('{"q": {"query": "x", "properties": [{"pid": "nope", "v": "x"}]}}', 400, "unknown property"),
    ('{"q": {"query": "x", "properties": [{"pid": "isoAlpha2"}]}}', 400, "pid"),
    ('{"q": {"query": "x", "properties": [{"pid": "isoAlpha2", "v": [null]}]}}', 400, "value"),
    ('{"q": {"query": "x", "properties": {}}}', 400, "properties"),
    (json.dumps({f"q{i}": {"query": "x"} for i in range(51)}), 413, "at most 50"),
    ("[" * 10_000, 400, "JSON"), ("[" * 100_000, 413, "larger than this service accepts"),
])
def test_bad_batches_get_a_json_4xx(client, queries, status, says):
    response = client.post("/reconcile", data={"queries": queries})
    assert response.status_code == status
    body = response.get_json()
    assert body["ok"] is False and body["status"] == status and says in body["error"], body


def test_a_post_without_queries_or_extend_is_a_400(client):
    assert client.post("/reconcile", data={}).status_code == 400
    both = client.post("/reconcile", data={"queries": "{}", "extend": "{}"})
    assert both.status_code == 400 and "not both" in both.get_json()["error"]


@pytest.mark.parametrize("text", ['"', "NEAR(a b)", "serb*", "^x", "words:x", "\x00", "x" * 10_000, "' OR 1=1 --",
                                  "}", "全" * 500])
def test_hostile_query_strings_are_only_text(client, text):
    result = reconcile(client, {"q": {"query": text}, "r": {"query": "Serbia", "type": [COUNTRY, "nonsense"]}})
    assert result["r"]["result"][0]["id"] == ID + "country/rs"


def test_an_unknown_type_matches_nothing(client):
    assert reconcile(client, {"q": {"query": "Serbia", "type": "http://example.org/Nothing"}})["q"]["result"] == []


# --- Suggest, flyout, preview, view -----------------------------------------------------------------

def test_suggest_entities(client):
    response = client.get("/reconcile/suggest/entity?prefix=serb")
    body = response.get_json()
    valid("suggest-entities-response", body)
    assert body["result"][0]["id"] == ID + "country/rs" and body["result"][0]["notable"][0]["id"] == COUNTRY
    typed = client.get("/reconcile/suggest/entity", query_string={"prefix": "serb", "type": "sources"}).get_json()
    assert typed["result"] and all(r["notable"][0]["id"].endswith("Entity") for r in typed["result"])
    more = client.get("/reconcile/suggest/entity?prefix=serb&cursor=1").get_json()["result"]
    assert more[0] == body["result"][1]
    assert client.get("/reconcile/suggest/entity?prefix=").get_json() == {"result": []}


def test_suggest_types_and_properties(client):
    types = client.get("/reconcile/suggest/type?prefix=coun").get_json()
    valid("suggest-types-response", types)
    assert COUNTRY in {t["id"] for t in types["result"]}
    properties = client.get("/reconcile/suggest/property?prefix=iso").get_json()
    valid("suggest-properties-response", properties)
    assert [p["id"] for p in properties["result"]] == ["isoAlpha2", "isoAlpha3", "isoNumeric"]
    assert client.get("/reconcile/suggest/property?prefix=join").get_json()["result"][0]["id"] == "gpaiJoined"


@pytest.mark.parametrize("kind, item", [("entity", ID + "country/rs"), ("type", COUNTRY), ("property", "gpaiJoined")])
def test_flyouts(client, kind, item):
    body = client.get(f"/reconcile/flyout/{kind}", query_string={"id": item}).get_json()
    assert body["id"] == item and body["html"].startswith("<p>")


def test_preview_is_a_small_html_card(client):
    response = client.get("/reconcile/preview", query_string={"id": ID + "country/be", "lang": "fr"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = html5lib.parse(response.get_data(as_text=True), namespaceHTMLElements=False)
    assert page.find(".//h1/a").text == "Belgique"
    text = response.get_data(as_text=True)
    facts = dict(zip((e.text for e in page.iter("dt")), (e.text for e in page.iter("dd"))))
    assert facts == {"Code ISO (2 lettres)": "BE", "Code ISO (3 lettres)": "BEL", "Élément Wikidata": "Q31",
                     "Adhésion au PMIA": "2021-11", "Précision de la date": "mois", "Membre fondateur": "non"}, facts
    assert "membre du PMIA" in text and page.find(".").get("lang") == "fr"
    assert "<script" not in text and "http" not in text.replace(ID, "").replace("http-equiv", "")


def test_view_sends_to_the_page(client):
    response = client.get("/reconcile/view", query_string={"id": ID + "country/rs"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/page/id/country/rs")


@pytest.mark.parametrize("url, status", [
    ("/reconcile/suggest/entity", 400), ("/reconcile/suggest/entity?prefix=x&cursor=-1", 400),
    ("/reconcile/suggest/entity?prefix=x&cursor=99999", 400), ("/reconcile/suggest/entity?prefix=x&type=nations", 400),
    ("/reconcile/suggest/entity?prefix=" + "x" * 300, 400), ("/reconcile/suggest/places?prefix=x", 404),
    ("/reconcile/flyout/entity", 400), ("/reconcile/flyout/entity?id=nope", 404), ("/reconcile/flyout/type?id=x", 404),
    ("/reconcile/flyout/property?id=x", 404), ("/reconcile/flyout/nothing?id=x", 404),
    ("/reconcile/preview", 400), ("/reconcile/preview?id=https://example.org/x", 404),
    ("/reconcile/view?id=https://example.org/x", 404), ("/reconcile/view?id=" + "x" * 3000, 400),
    ("/reconcile/properties?limit=0", 400), ("/reconcile/properties?type=nations", 400),
])
def test_bad_service_requests_get_a_json_4xx(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    body = response.get_json()
    assert body["ok"] is False and body["status"] == status


# --- Data extension ---------------------------------------------------------------------------------

def extend(client, ids, properties, method="post"):
    query = {"ids": ids, "properties": properties}
    valid("data-extension-query", query)
    data = {"extend": json.dumps(query)}
    response = client.post("/reconcile", data=data) if method == "post" else client.get("/reconcile", query_string=data)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    valid("data-extension-response", body)
    return body


def test_data_extension_gives_join_dates_with_their_precision_codes_qids_and_sources(client):
    props = ["gpaiJoined", "gpaiJoinedPrecision", "gpaiJoinedDate", "gpaiFounding", "gpaiMember", "isoAlpha2",
             "isoAlpha3", "isoNumeric", "wikidata", "geonames", "gpaiMembershipSources", "sources", "memberOf"]
    body = extend(client, [ID + "country/be", ID + "country/fr", ID + "country/rs", "not-ours"],
                  [{"id": p} for p in props])
    assert [m["id"] for m in body["meta"]] == props
    assert next(m for m in body["meta"] if m["id"] == "wikidata")["service"].startswith("https://")
    be, fr, rs = (body["rows"][ID + f"country/{c}"] for c in ("be", "fr", "rs"))
    assert be["gpaiJoined"] == [{"str": "2021-11"}] and be["gpaiJoinedPrecision"] == [{"str": "month"}]
    assert be["gpaiJoinedDate"] == [{"date": "2021-11-01T00:00:00Z"}] and be["gpaiFounding"] == [{"str": "false"}]
    assert fr["gpaiJoined"] == [{"str": "2020-06-15"}] and fr["gpaiFounding"] == [{"str": "true"}]
    assert rs["gpaiJoined"] == [{"str": "2022-11-22"}] and rs["gpaiJoinedPrecision"] == [{"str": "day"}]
    assert rs["isoAlpha2"] == [{"str": "RS"}] and rs["isoAlpha3"] == [{"str": "SRB"}]
    assert rs["isoNumeric"] == [{"str": "688"}]
    assert rs["wikidata"] == [{"id": "Q403", "name": "Serbia"}] and rs["geonames"] == [{"str": "6290252"}]
    assert rs["gpaiMember"] == [{"str": "true"}]
    assert all(v["id"].startswith(ID + "source/") and v["name"] for v in be["gpaiMembershipSources"])
    assert {"id": ID + "organisation/gpai", "name": "Global Partnership on Artificial Intelligence"} in rs["memberOf"]
    assert all(v == [] for v in body["rows"]["not-ours"].values())


def test_data_extension_settings_language_and_limit(client):
    body = extend(client, [ID + "country/de"], [{"id": "label", "settings": {"lang": "ja"}},
                                                 {"id": "sources", "settings": {"limit": "1"}}], method="get")
    row = body["rows"][ID + "country/de"]
    assert row["label"] == [{"str": "ドイツ"}] and len(row["sources"]) == 1


def test_property_proposals(client):
    body = client.get("/reconcile/properties", query_string={"type": COUNTRY, "limit": 4}).get_json()
    valid("data-extension-property-proposal", body)
    assert body["type"] == COUNTRY and body["limit"] == 4 and body["properties"][0]["id"] == "isoAlpha2"
    people = client.get("/reconcile/properties", query_string={"type": "http://xmlns.com/foaf/0.1/Person"}).get_json()
    ids = [p["id"] for p in people["properties"]]
    assert "organisation" in ids and "gpaiJoined" not in ids
    valid("data-extension-property-proposal", client.get("/reconcile/properties").get_json())


@pytest.mark.parametrize("extend, says", [
    ("nope", "JSON"), ("[]", "object"), ('{"ids": []}', "object"), ('{"ids": "x", "properties": []}', "object"),
    ('{"ids": [1], "properties": []}', "strings"), ('{"ids": [], "properties": [{"id": "nope"}]}', "unknown property"),
    ('{"ids": [], "properties": ["label"]}', "objects"),
    ('{"ids": [], "properties": [{"id": "label", "settings": {"lang": "xx"}}]}', "lang"),
    ('{"ids": [], "properties": [{"id": "label", "settings": {"limit": "many"}}]}', "limit"),
    ('{"ids": [], "properties": [{"id": "label", "settings": {"limit": -1}}]}', "limit"),
    ('{"ids": [], "properties": [{"id": "label", "settings": []}]}', "settings"),
    (json.dumps({"ids": ["x"] * 201, "properties": []}), "at most"),
])
def test_bad_extension_queries_get_a_json_400(client, extend, says):
    response = client.post("/reconcile", data={"extend": extend})
    assert response.status_code == 400
    assert says in response.get_json()["error"]


def test_reconciliation_and_extension_on_every_backend(any_server):
    """Property constraints and data extension run SPARQL through the backend: the same answers on each."""
    import requests

    batch = {"q0": {"query": "Yoshua Bengio", "properties": [{"pid": "organisation", "v": "GPAI"}]},
             "q1": {"query": "Turkey", "properties": [{"pid": "isoAlpha2", "v": "TR"}]}}
    response = requests.post(any_server.url + "/reconcile", data={"queries": json.dumps(batch)}, timeout=120)
    assert response.status_code == 200
    result = response.json()
    valid("reconciliation-result-batch", result)
    assert [result[q]["result"][0]["match"] for q in batch] == [True, True]
    query = {"ids": [ID + "country/be"], "properties": [{"id": "gpaiJoined"}, {"id": "gpaiJoinedPrecision"},
                                                         {"id": "gpaiMembershipSources"}]}
    body = requests.get(any_server.url + "/reconcile", params={"extend": json.dumps(query)}, timeout=120).json()
    valid("data-extension-response", body)
    row = body["rows"][ID + "country/be"]
    assert row["gpaiJoined"] == [{"str": "2021-11"}] and row["gpaiJoinedPrecision"] == [{"str": "month"}]
    assert row["gpaiMembershipSources"]
