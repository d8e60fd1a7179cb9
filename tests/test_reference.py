"""The curated members agree with ../shared/reference/members.csv, fact by fact."""

from __future__ import annotations

import csv

import pytest

from conftest import ROOT
from gpai_kg.store import run_query

REFERENCE = ROOT.parent / "shared" / "reference" / "members.csv"
pytestmark = pytest.mark.skipif(not REFERENCE.is_file(), reason="../shared/reference is not beside the checkout")

QUERY = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX gpai: <https://w3id.org/gpai-kg/ontology/>
SELECT ?member ?alpha2 ?alpha3 ?date ?precision ?founder ?wikidata ?geonames WHERE {
  ?m a gpai:PartnershipMembership ; org:member ?member ;
     org:memberDuring/time:hasBeginning ?start .
  ?start time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?date ; gpai:datePrecision ?precision .
  BIND(EXISTS { ?m org:role gpai:foundingMemberRole } AS ?founder)
  OPTIONAL { ?member gpai:isoAlpha2 ?alpha2 ; gpai:isoAlpha3 ?alpha3 }
  OPTIONAL { ?member skos:exactMatch ?wikidata FILTER(STRSTARTS(STR(?wikidata), "http://www.wikidata.org/entity/")) }
  OPTIONAL { ?member skos:exactMatch ?geonames FILTER(STRSTARTS(STR(?geonames), "https://sws.geonames.org/")) }
}"""


@pytest.fixture(scope="module")
def members(store):
    rows = {}
    for s in run_query(store, QUERY):
        key = s["alpha2"].value if s["alpha2"] else s["member"].value.rsplit("/", 1)[1].upper()
        rows[key] = {k: (s[k].value if s[k] is not None else "") for k in
                     ("date", "precision", "founder", "wikidata", "geonames", "alpha3")}
    return rows


def reference_rows():
    with open(REFERENCE, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_same_members(members):
    expected = {row["iso_alpha2"] or "EU" for row in reference_rows()}
    assert len(expected) == 45
    assert set(members) == expected


@pytest.mark.parametrize("row", reference_rows() if REFERENCE.is_file() else [],
                         ids=lambda r: r["iso_alpha2"] or "EU")
def test_member_facts(members, row):
    got = members[row["iso_alpha2"] or "EU"]
    assert got["date"] == row["joined_date"]
    assert got["precision"].endswith("unit" + row["joined_precision"].capitalize())
    assert got["founder"] == ("true" if row["founding_member"] == "yes" else "false")
    assert got["wikidata"] == "http://www.wikidata.org/entity/" + row["wikidata_qid"]
    if row["geonames_id"]:
        assert got["geonames"] == f"https://sws.geonames.org/{row['geonames_id']}/"
    if row["iso_alpha3"]:
        assert got["alpha3"] == row["iso_alpha3"]


def test_malaysia_invited_but_not_a_member(store):
    ask = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX gpai: <https://w3id.org/gpai-kg/ontology/>
ASK { ?i a gpai:Invitation ; gpai:invitee <https://w3id.org/gpai-kg/id/country/my> .
      FILTER NOT EXISTS { ?m a gpai:PartnershipMembership ; org:member <https://w3id.org/gpai-kg/id/country/my> } }"""
    assert bool(run_query(store, ask))
