"""The competency questions in queries/examples/, run against the built release, exact answers."""

from __future__ import annotations



from conftest import ROOT
from gpai_kg.queries import read_queries
from gpai_kg.store import run_query

EXAMPLES = {q.name: q for q in read_queries(ROOT / "queries" / "examples")}
ID = "https://w3id.org/gpai-kg/id/"
TIME = "http://www.w3.org/2006/time#"


def rows(store, name: str) -> list[dict[str, str]]:
    solutions = run_query(store, EXAMPLES[name].text)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def column(store, name: str, var: str) -> list[str]:
    return [r.get(var) for r in rows(store, name)]


def test_every_example_has_a_title_and_description_and_runs(store):
    assert len(EXAMPLES) >= 9
    for query in EXAMPLES.values():
        assert query.title != query.name and query.description, query.path
        if not query.services:  # federated ones run against a Wikidata stand-in: test_linking.py
            assert rows(store, query.name), f"{query.name} returns no rows"


def test_founding_members(store):
    members = column(store, "founding-members", "member")
    expected = {f"{ID}country/{c}" for c in
                "au ca fr de in it jp mx nz kr sg si gb us".split()} | {f"{ID}organisation/eu"}
    assert len(members) == 15
    assert set(members) == expected


def test_members_on_dates(store):
    got = {r["date"]: (int(r["members"]), int(r["countries"])) for r in rows(store, "members-on-date")}
    assert got == {"2021-12-31": (25, 24), "2023-06-30": (29, 28), "2025-01-01": (45, 44)}


def test_serbia_joined_with_three_others(store):
    result = rows(store, "serbia-joined")
    assert {r["joined"] for r in result} == {"2022-11-22"}
    assert {r["precision"] for r in result} == {TIME + "unitDay"}
    assert [r["sameDay"] for r in result] == [f"{ID}country/{c}" for c in ("ar", "sn", "tr")]


def test_oecd_hosts_the_secretariat(store):
    result = rows(store, "secretariat-host")
    assert [(r["secretariat"], r["host"], r["from"]) for r in result] == [
        (f"{ID}body/secretariat-2020", f"{ID}organisation/oecd", "2020-06-15"),
        (f"{ID}body/secretariat-2024", f"{ID}organisation/oecd", "2024-07-01"),
    ]


def test_centres_of_expertise_with_cities(store):
    result = rows(store, "centres-of-expertise")
    assert [(r["centre"].rsplit("/", 1)[1], r["cityName"], r["opened"], r["precision"]) for r in result] == [
        ("centre-paris", "Paris", "2020", TIME + "unitYear"),
        ("centre-montreal", "Montreal", "2020-07-09", TIME + "unitDay"),
        ("centre-tokyo", "Tokyo", "2024-07-01", TIME + "unitDay"),
    ]
    assert [r["hostName"] for r in result] == [
        "Inria",
        "International Centre of Expertise in Montréal for the Advancement of Artificial Intelligence",
        "National Institute of Information and Communications Technology",
    ]


def test_summits_by_year(store):
    result = [(int(r["year"]), r["cityName"], r["countryName"]) for r in rows(store, "summits-by-year")]
    assert result == [
        (2020, "Montreal", "Canada"),
        (2021, "Paris", "France"),
        (2022, "Tokyo", "Japan"),
        (2023, "New Delhi", "India"),
        (2024, "New Delhi", "India"),
        (2024, "Belgrade", "Serbia"),
    ]


def test_sources_behind_argentinas_membership(store):
    sources = column(store, "argentina-membership-sources", "source")
    assert sources == [f"{ID}source/{k}" for k in (
        "bazaartimes-turkiye", "gpai-community", "igf-2022-open-forum-29",
        "mfa-gov-tr-350", "serbianmonitor-serbia-member")]
    urls = column(store, "argentina-membership-sources", "url")
    assert "https://www.mfa.gov.tr/no_-350_-turkiye-nin-gpai-uyeligi-hk.en.mfa" in urls


def test_member_count_claims_side_by_side(store):
    result = rows(store, "member-count-claims")
    by_claim = {}
    for r in result:
        by_claim.setdefault(r["claim"].rsplit("/", 1)[1], r)
    assert len(by_claim) == 23
    # Every figure the seeds give is there, as they give it.
    seeds = sorted((k.split("--")[0], int(r["claimed"])) for k, r in by_claim.items() if k.startswith("seed-"))
    assert seeds == [("seed-000", 29), ("seed-001", 15), ("seed-001", 25), ("seed-003", 15),
                     ("seed-003", 25), ("seed-003", 29), ("seed-004", 15), ("seed-004", 44)]
    # Claims dated by their source sit beside the count computed from the memberships.
    computed = {k: (int(r["claimed"]), int(r["computed"])) for k, r in by_claim.items() if "computed" in r}
    assert computed["seed-004--15-members"] == (15, 15)
    assert computed["soumu-white-paper-r07--14-countries"] == (14, 14)
    assert computed["mzv-cz-czech-republic-joins--25-members"] == (25, 25)
    assert computed["tanjug-130564--44-countries"] == (44, 44)
    # ... and where they disagree, the graph shows it instead of hiding it.
    assert computed["seed-001--15-members"] == (15, 19)
    assert computed["oecd-2024-07-03-integrated-partnership--44-countries"] == (44, 28)
    # A claim citing two sources appears once per source.
    assert {r["source"].rsplit("/", 1)[1] for r in result
            if r["claim"].endswith("tanjug-130564--44-countries")} == {"tanjug-130564", "ai-gov-rs-1419"}


def test_gpai_names_in_chinese_and_french(store):
    result = rows(store, "gpai-names")
    names = {(r["language"].lower(), r["name"]) for r in result}
    assert names == {("fr", "Partenariat mondial sur l'intelligence artificielle"),
                     ("zh-hans", "全球人工智能合作伙伴关系")}
    assert "PMIA" in {r.get("acronym") for r in result}
