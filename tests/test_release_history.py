"""Releases that say what changed: the release history, diffs, each resource's history, stable IRIs.

Two releases are built from two versions of the data: the project as it is (release ``test``,
the session's release), then a copy edited as a curator would (release ``v2``): a member joined,
a membership's start refined from the month to the day, a label changed, an IRI replaced by
another (``dcterms:isReplacedBy``), a claim withdrawn (``owl:deprecated``), and the ontology's
version bumped.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV

from conftest import CLI, ROOT, RunningServer, project_at
from gpai_kg.build import build
from gpai_kg.errors import BuildError
from gpai_kg.namespaces import ADMS, CANONICAL_BASE, DCAT3, NS
from gpai_kg.rdf_patch import PatchError, apply_patch, read_patch
from gpai_kg.releases import kept_releases, predecessor

ID = CANONICAL_BASE + "id/"
MEMBER_JOINED = ID + "membership/g20--es"
REFINED = ID + "membership/gpai--be"
RELABELLED = ID + "place/charlevoix"
REPLACED, REPLACEMENT = ID + "place/institut-de-france", ID + "place/institut-de-france-paris"
DEPRECATED = ID + "claim/seed-003--15-members"
NOTES = "Spain joins the G20 list; Belgium's date is now the day."


# --- Two versions of the data --------------------------------------------------------------------

def copy_project(to: Path) -> Path:
    for name in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(ROOT / name, to / name)
    return to


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def second_version(root: Path, *, mark_withdrawn: bool = True) -> Path:
    """The curator's edits; without ``mark_withdrawn``, two IRIs vanish without a word."""
    data = root / "data"
    with open(data / "context-memberships.ttl", "a", encoding="utf-8") as out:  # a member joined
        out.write('\nmembership:g20--es a org:Membership ;\n'
                  '    rdfs:label "Membership of Spain in the G20"@en ;\n'
                  '    org:member country:es ;\n    org:organization organisation:g20 ;\n'
                  '    org:role gpai:memberRole ;\n'
                  '    org:memberDuring [ a time:Interval ; time:hasBeginning [ a time:Instant ;\n'
                  '        time:inXSDDate "2026-01-15"^^xsd:date ; gpai:datePrecision time:unitDay ] ] ;\n'
                  '    prov:wasDerivedFrom source:dfat-g20-representation .\n')
    _edit(data / "memberships.ttl",  # a date refined from the month to the day
          'org:member country:be ;\n    org:organization organisation:gpai ;\n    org:role gpai:memberRole ;\n'
          '    org:memberDuring [ a time:Interval ;\n            time:hasBeginning [ a time:Instant ; '
          'time:inXSDgYearMonth "2021-11"^^xsd:gYearMonth ; gpai:datePrecision time:unitMonth ;',
          'org:member country:be ;\n    org:organization organisation:gpai ;\n    org:role gpai:memberRole ;\n'
          '    org:memberDuring [ a time:Interval ;\n            time:hasBeginning [ a time:Instant ; '
          'time:inXSDDate "2021-11-12"^^xsd:date ; gpai:datePrecision time:unitDay ;')
    _edit(data / "places.ttl", 'rdfs:label "Charlevoix"@en ,', 'rdfs:label "Charlevoix, Quebec"@en ,')  # a label
    for name in ("places.ttl", "events.ttl", "labels.ttl"):  # an IRI replaced, wherever it is used
        path = data / name
        path.write_text(re.sub(r"place:institut-de-france(?![-\w])", "place:institut-de-france-paris",
                               path.read_text(encoding="utf-8")), encoding="utf-8")
    claims = (data / "claims.ttl").read_text(encoding="utf-8")  # a claim withdrawn
    start, end = claims.index("claim:seed-003--15-members a"), claims.index("claim:seed-001--15-members a")
    (data / "claims.ttl").write_text(claims[:start] + claims[end:], encoding="utf-8")
    _edit(root / "ontology" / "gpai.ttl", 'owl:versionInfo "1.2.0" ;\n    owl:versionIRI '
          '<https://w3id.org/gpai-kg/ontology/version/1.2.0> ;', 'owl:versionInfo "1.3.0" ;\n    owl:versionIRI '
          '<https://w3id.org/gpai-kg/ontology/version/1.3.0> ;')
    if mark_withdrawn:
        with open(data / "places.ttl", "a", encoding="utf-8") as out:
            out.write("\n@prefix dcterms: <http://purl.org/dc/terms/> .\n"
                      "place:institut-de-france dcterms:isReplacedBy place:institut-de-france-paris .\n")
        with open(data / "claims.ttl", "a", encoding="utf-8") as out:
            out.write("\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                      "claim:seed-003--15-members owl:deprecated true .\n")
    return root


@dataclass
class Releases:
    dist: Path
    old: Path
    new: Path


def copy_dist(release, to: Path) -> Path:
    shutil.copytree(release.path.parent.parent, to, symlinks=True)
    return to


@pytest.fixture(scope="module")
def releases(release, tmp_path_factory) -> Releases:
    """Release ``test`` (the data as it is), then ``v2`` (the data edited) built after it."""
    dist = copy_dist(release, tmp_path_factory.mktemp("history") / "dist")
    root = second_version(copy_project(tmp_path_factory.mktemp("project-v2")))
    project, settings = project_at(root, dist, release="v2")
    new = build(project, settings, notes=NOTES)
    assert new.previous == "test"
    return Releases(dist, dist / "releases" / "test", new.path)


def run(*args: str, dist: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPAI_KG_")}
    where = ["--dist-dir", str(dist)] if dist else []
    return subprocess.run([CLI, *args, *where], capture_output=True, text=True, env=env, timeout=300)


def one_line_error(done: subprocess.CompletedProcess, *words: str) -> str:
    assert done.returncode != 0, done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gpai-kg: error: "), done.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


# --- 1. The release history ----------------------------------------------------------------------

def test_a_release_names_the_one_before_it_and_says_what_changed(releases):
    void = Graph().parse(releases.new / "void.ttl")
    me, before = NS.release("v2"), NS.release("test")
    assert void.value(me, DCAT3.previousVersion) == before
    assert void.value(me, PROV.wasRevisionOf) == before
    assert void.value(NS.dataset, DCAT3.hasCurrentVersion) == me
    notes = str(void.value(me, ADMS.versionNotes))
    assert notes.startswith(NOTES + " Changes since release test: 1 member joined, 1 membership dated differently")
    # The ontology changed version: the release says which version it revises.
    assert void.value(NS.ontology_iri, OWL.versionIRI) == URIRef(CANONICAL_BASE + "ontology/version/1.3.0")
    assert void.value(NS.ontology_iri, OWL.priorVersion) == URIRef(CANONICAL_BASE + "ontology/version/1.2.0")
    # The change set is a dataset of its own, each file with its size and checksum.
    changes = NS.changes("v2")
    assert void.value(me, DCTERMS.relation) == changes
    files = {str(u).rsplit("/", 1)[1] for u in void.objects(changes, DCAT.distribution)}
    assert files == {"changes.added.nt", "changes.removed.nt", "changes.rdfp", "changes.md", "changes.json"}
    sums = dict(reversed(line.split("  ")) for line in (releases.new / "SHA256SUMS").read_text().splitlines())
    assert files <= set(sums)


def test_the_first_release_names_none_and_is_kept(releases):
    void = Graph().parse(releases.old / "void.ttl")
    assert void.value(NS.release("test"), DCAT3.previousVersion) is None
    assert not list(releases.old.glob("changes.*"))
    assert os.readlink(releases.dist / "latest") == "releases/v2"
    assert [r.version for r in kept_releases(releases.dist)] == ["v2", "test"]


def test_releases_lists_them_newest_first(releases):
    done = run("releases", "--format", "json", dist=releases.dist)
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)["releases"]
    assert [(r["version"], r["previous"], r["latest"], r["checksums"]) for r in listed] == [
        ("v2", "test", True, "ok"), ("test", None, False, "ok")]
    table = run("releases", dist=releases.dist)
    assert table.returncode == 0 and table.stdout.splitlines()[1].startswith("v2 (latest)")


def test_a_release_that_another_follows_is_never_rebuilt(releases):
    with pytest.raises(BuildError, match="release v2 follows it"):
        predecessor(releases.dist, "test")
    assert predecessor(releases.dist, "v2").version == "test"  # a rebuild keeps its place
    assert predecessor(releases.dist, "v3").version == "v2"


# --- 2. The diff -------------------------------------------------------------------------------

PREFIXES = """
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix time: <http://www.w3.org/2006/time#> . @prefix schema: <https://schema.org/> .
@prefix gpai: <https://w3id.org/gpai-kg/ontology/> . @prefix id: <https://w3id.org/gpai-kg/id/> .
"""
NOTE = "Curator's translation: no source read gives this French name."

#: Every triple the edits add, derived ones included (the instants' bounds, org:memberOf).
ADDED = PREFIXES + f"""
<{DEPRECATED}> owl:deprecated true .
<{ID}country/es> org:memberOf <{ID}organisation/g20> .
<{ID}event/2021-paris-summit> schema:location <{REPLACEMENT}> .
<{MEMBER_JOINED}> a org:Membership ; rdfs:label "Membership of Spain in the G20"@en ;
    org:member <{ID}country/es> ; org:organization <{ID}organisation/g20> ; org:role gpai:memberRole ;
    prov:wasDerivedFrom <{ID}source/dfat-g20-representation> ;
    org:memberDuring [ a time:Interval ; time:hasBeginning [ a time:Instant ; time:inXSDDate "2026-01-15"^^xsd:date ;
        gpai:datePrecision time:unitDay ; gpai:notBefore "2026-01-15"^^xsd:date ;
        gpai:notAfter "2026-01-15"^^xsd:date ] ] .
<{REFINED}> org:memberDuring [ a time:Interval ; time:hasBeginning [ a time:Instant ;
    time:inXSDDate "2021-11-12"^^xsd:date ; gpai:datePrecision time:unitDay ;
    prov:wasDerivedFrom <{ID}source/israeldefense-52647> ;
    gpai:notBefore "2021-11-12"^^xsd:date ; gpai:notAfter "2021-11-12"^^xsd:date ] ] .
<{RELABELLED}> rdfs:label "Charlevoix, Quebec"@en .
<{REPLACEMENT}> a schema:Place ; rdfs:label "Institut de France"@en , "Institut de France"@fr ;
    schema:containedInPlace <{ID}place/paris> ; prov:wasDerivedFrom <{ID}source/gpai-paris-summit-2021> .
<{REPLACED}> dcterms:isReplacedBy <{REPLACEMENT}> .
[] a rdf:Statement ; rdf:subject <{REPLACEMENT}> ; rdf:predicate rdfs:label ; rdf:object "Institut de France"@fr ;
    gpai:inferred true ; skos:editorialNote "{NOTE}"@en .
"""

#: Every triple they remove: the claim and the replaced place with all they said, the old interval.
REMOVED = PREFIXES + f"""
<{DEPRECATED}> a gpai:MemberCountClaim , gpai:CountClaim , gpai:Claim , prov:Entity ;
    rdfs:label "IGF 2022 Open Forum #29 page: founded with 15 members"@en ; gpai:claimAbout <{ID}organisation/gpai> ;
    gpai:claimedCount "15"^^xsd:integer ; gpai:countedUnit gpai:members ;
    gpai:statedAs "Founded in 2020 with 15 Members"@en ; prov:wasDerivedFrom <{ID}source/seed-003> ;
    gpai:refersTo [ a time:Instant ; time:inXSDgYear "2020"^^xsd:gYear ; gpai:datePrecision time:unitYear ;
        gpai:notBefore "2020-01-01"^^xsd:date ; gpai:notAfter "2020-12-31"^^xsd:date ] .
<{ID}event/2021-paris-summit> schema:location <{REPLACED}> .
<{REFINED}> org:memberDuring [ a time:Interval ; time:hasBeginning [ a time:Instant ;
    time:inXSDgYearMonth "2021-11"^^xsd:gYearMonth ; gpai:datePrecision time:unitMonth ;
    prov:wasDerivedFrom <{ID}source/israeldefense-52647> ;
    gpai:notBefore "2021-11-01"^^xsd:date ; gpai:notAfter "2021-11-30"^^xsd:date ] ] .
<{RELABELLED}> rdfs:label "Charlevoix"@en .
<{REPLACED}> a schema:Place ; rdfs:label "Institut de France"@en , "Institut de France"@fr ;
    schema:containedInPlace <{ID}place/paris> ; prov:wasDerivedFrom <{ID}source/gpai-paris-summit-2021> .
[] a rdf:Statement ; rdf:subject <{REPLACED}> ; rdf:predicate rdfs:label ; rdf:object "Institut de France"@fr ;
    gpai:inferred true ; skos:editorialNote "{NOTE}"@en .
"""


def test_the_diff_is_exactly_the_edits(releases):
    added = Graph().parse(releases.new / "changes.added.nt", format="nt")
    removed = Graph().parse(releases.new / "changes.removed.nt", format="nt")
    assert (len(added), len(removed)) == (39, 38)
    assert isomorphic(added, Graph().parse(data=ADDED, format="turtle"))
    assert isomorphic(removed, Graph().parse(data=REMOVED, format="turtle"))


def _quads(text: str) -> set[str]:
    """N-Quads as a set of lines, blank nodes canonicalised (RDFC-1.0) over the whole dataset."""
    dataset = ox.Dataset(ox.parse(text, format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def applied(nquads: Path, patch: list[str]) -> str:
    """The patch's rows applied, one by one, to an Oxigraph dataset holding the file's quads."""
    dataset = ox.Dataset(ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS))
    for row in patch:
        op, _, quad = row.partition(" ")
        if op not in ("A", "D"):
            continue
        [quad] = ox.parse(quad, format=ox.RdfFormat.N_QUADS)
        assert (quad in dataset) == (op == "D"), row  # each row deletes what is there, adds what is not
        dataset.remove(quad) if op == "D" else dataset.add(quad)
    return ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).decode("utf-8")


def test_the_patch_applied_to_the_old_release_gives_the_new_one(releases):
    """Applied here to an Oxigraph dataset, row by row, not by the code that wrote the patch.

    (A dataset, not a store: a store gives the blank nodes it loads new labels, and the patch names
    them by the labels the release files give them.)
    """
    patch = (releases.new / "changes.rdfp").read_text(encoding="utf-8").splitlines()
    assert patch[0] == f"H id <{NS.changes('v2')}> ." and patch[1] == "TX ." and patch[-1] == "TC ."
    result = applied(releases.old / "gpai-kg.nq", patch)
    ontology = sum(1 for row in patch if "<https://w3id.org/gpai-kg/graph/ontology>" in row)
    assert len(patch) - 3 == 39 + 38 + ontology and ontology == 4  # versionInfo and versionIRI, each way
    assert _quads(result) == _quads((releases.new / "gpai-kg.nq").read_text(encoding="utf-8"))


def _changes(log: dict) -> dict[str, list[dict]]:
    return {r["iri"]: r["changes"] for r in log["resources"]}


def test_the_changelog_names_each_change(releases):
    log = json.loads((releases.new / "changes.json").read_text(encoding="utf-8"))
    assert (log["old"]["version"], log["new"]["version"]) == ("test", "v2")
    assert log["triples"]["graphs"]["data"] == {"added": 39, "removed": 38}
    assert log["kinds"] == {"member-joined": 1, "member-dated-differently": 1, "label-changed": 1, "appeared": 2,
                            "replaced": 1, "deprecated": 1, "value-changed": 3, "statement-added": 1}
    by = _changes(log)
    [joined] = [c for c in by[MEMBER_JOINED] if c["kind"] == "member-joined"]
    assert joined["text"] == "Spain (country:es) joined Group of Twenty (organisation:g20) on 2026-01-15 (day precision)"
    assert joined["related"] == [ID + "country/es", ID + "organisation/g20"]
    [refined] = by[REFINED]
    assert refined["kind"] == "member-dated-differently"
    assert refined["old"] == [{"start": {"date": "2021-11", "precision": "month"}}]
    assert refined["new"] == [{"start": {"date": "2021-11-12", "precision": "day"}}]
    [label] = by[RELABELLED]
    assert (label["kind"], label["old"], label["new"]) == ("label-changed", ["Charlevoix"], ["Charlevoix, Quebec"])
    [replaced] = by[REPLACED]
    assert (replaced["kind"], replaced["replacement"]) == ("replaced", REPLACEMENT)
    assert [c["kind"] for c in by[REPLACEMENT]] == ["appeared"]
    assert [c["kind"] for c in by[DEPRECATED]] == ["deprecated"]
    [moved] = by[ID + "event/2021-paris-summit"]
    assert (moved["kind"], moved["old"], moved["new"]) == ("value-changed", [REPLACED], [REPLACEMENT])
    assert [c["kind"] for c in by[str(NS.ontology_iri)]] == ["value-changed", "value-changed"]
    # The Markdown says the same, by kind and by resource.
    text = (releases.new / "changes.md").read_text(encoding="utf-8")
    assert text.startswith("# Changes from release test to release v2\n")
    for record in (joined, refined, label, replaced, moved):
        assert text.count(record["text"].replace("_", "\\_")) == 2, record["text"]  # by kind, by resource
    for heading in ("### Members joined", "### Memberships dated differently", "### Labels changed",
                    "### IRIs replaced", "### IRIs deprecated", "### IRIs that appeared"):
        assert heading in text


def test_diff_compares_the_two_latest_releases_by_default(releases, tmp_path):
    dist = copy_dist_only(releases, tmp_path)
    done = run("diff", dist=dist)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("test → v2: 41 quads added, 40 removed, in 9 resources (1 member joined, "
                                  "1 membership dated differently, 1 label changed, 2 IRIs that appeared, ")
    out = dist / "diffs" / "test--v2"
    assert sorted(p.name for p in out.iterdir()) == ["added.nt", "changelog.json", "changelog.md", "patch.rdfp",
                                                      "removed.nt"]
    # The same change set as the one the release publishes.
    for mine, published in (("added.nt", "changes.added.nt"), ("removed.nt", "changes.removed.nt"),
                            ("patch.rdfp", "changes.rdfp"), ("changelog.json", "changes.json"),
                            ("changelog.md", "changes.md")):
        assert (out / mine).read_bytes() == (releases.new / published).read_bytes(), mine


def test_a_release_built_before_stable_blank_node_labels_compares_the_same(releases, tmp_path):
    """Releases built before this change label blank nodes by RDFC-1.0 over the whole dataset (c14nN)."""
    dist = copy_dist_only(releases, tmp_path)
    old = dist / "releases" / "test"
    dataset = ox.Dataset(ox.parse(path=str(old / "gpai-kg.nq"), format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    (old / "gpai-kg.nq").write_bytes(ox.serialize(sorted(dataset, key=str), format=ox.RdfFormat.N_QUADS))
    assert b"_:c14n" in (old / "gpai-kg.nq").read_bytes()
    sums = [line for line in (old / "SHA256SUMS").read_text().splitlines() if not line.endswith("  gpai-kg.nq")]
    digest = hashlib.sha256((old / "gpai-kg.nq").read_bytes()).hexdigest()
    (old / "SHA256SUMS").write_text("\n".join(sums + [f"{digest}  gpai-kg.nq"]) + "\n")
    done = run("diff", "test", "v2", "--out", str(tmp_path / "out"), dist=dist)
    assert done.returncode == 0, done.stderr
    for mine, published in (("added.nt", "changes.added.nt"), ("removed.nt", "changes.removed.nt"),
                            ("changelog.json", "changes.json")):
        assert (tmp_path / "out" / mine).read_bytes() == (releases.new / published).read_bytes(), mine
    # Its patch deletes what the old file holds, by the labels the file gives.
    patch = (tmp_path / "out" / "patch.rdfp").read_text(encoding="utf-8").splitlines()
    assert any(row.startswith("D _:c14n") for row in patch)
    assert _quads(applied(old / "gpai-kg.nq", patch)) == _quads((releases.new / "gpai-kg.nq").read_text("utf-8"))


def copy_dist_only(releases: Releases, tmp_path: Path) -> Path:
    return Path(shutil.copytree(releases.dist, tmp_path / "dist", symlinks=True))


def test_diff_of_named_releases_either_way(releases, tmp_path):
    done = run("diff", "v2", "test", "--out", str(tmp_path / "back"), dist=releases.dist)
    assert done.returncode == 0, done.stderr
    back = tmp_path / "back"
    assert (back / "added.nt").read_bytes() == (releases.new / "changes.removed.nt").read_bytes()
    assert (back / "removed.nt").read_bytes() == (releases.new / "changes.added.nt").read_bytes()
    log = json.loads((back / "changelog.json").read_text(encoding="utf-8"))
    assert _changes(log)[REPLACEMENT][0]["kind"] == "disappeared"
    same = run("diff", "v2", "v2", "--out", str(tmp_path / "same"), dist=releases.dist)
    assert same.returncode == 0 and "0 quads added, 0 removed" in same.stdout
    assert (tmp_path / "same" / "changelog.md").read_text(encoding="utf-8").rstrip().endswith("Nothing changed.")


@pytest.mark.parametrize("args,words", [
    (["diff", "test", "v9"], ["no release 'v9' under", "the releases kept there are v2, test"]),
    (["diff", "nope"], ["no release 'nope' under"]),
    (["diff", "../releases/test", "v2"], ["no release '../releases/test' under"]),
    (["diff", "latest", "v2"], ["no release 'latest' under"]),
    (["diff", ".", "v2"], ["no release '.' under"]),
])
def test_diff_of_a_release_that_does_not_exist_fails_in_one_line(releases, args, words):
    one_line_error(run(*args, dist=releases.dist), *words)


def test_diff_needs_two_releases(release, tmp_path):
    dist = copy_dist(release, tmp_path / "dist")
    one_line_error(run("diff", dist=dist), "1 release under", "a diff needs two")
    one_line_error(run("diff", dist=tmp_path / "empty"), "0 releases under")


def test_diff_refuses_a_damaged_release(releases, tmp_path):
    dist = copy_dist_only(releases, tmp_path)
    nq = dist / "releases" / "test" / "gpai-kg.nq"
    nq.write_bytes(nq.read_bytes().replace(b"Charlevoix", b"Charlevoux", 1))
    one_line_error(run("diff", dist=dist), "gpai-kg.nq does not match its checksum")


# --- Patches that do not apply are refused -----------------------------------------------------

S = "<http://x/s> <http://x/p> "


@pytest.mark.parametrize("text,words", [
    ("TX .\nA " + S + '"a" .\n', "ends inside a transaction"),
    ("A " + S + '"a" .\nTC .\n', "TC without TX"),
    ("TX .\nTX .\n", "TX inside a transaction"),
    ("Q " + S + '"a" .\n', "'Q' is not an RDF Patch operation"),
    ("A " + S + "nonsense .\n", "not valid N-Quads"),
])
def test_a_patch_that_cannot_be_read_is_refused(text, words):
    with pytest.raises(PatchError, match=re.escape(words)):
        read_patch(text)


def test_a_patch_for_another_dataset_is_refused():
    rows = read_patch("TX .\nD " + S + '"b" .\nTC .\n')
    with pytest.raises(PatchError, match="deletes a quad the dataset does not hold"):
        apply_patch({S + '"a" .'}, rows)
    with pytest.raises(PatchError, match="adds a quad the dataset already holds"):
        apply_patch({S + '"a" .'}, read_patch("A " + S + '"a" .\n'))
    assert apply_patch({S + '"a" .'}, read_patch("TX .\nD " + S + '"a" .\nTA .\n')) == {S + '"a" .'}  # aborted


# --- 4. Stable IRIs ------------------------------------------------------------------------------

def test_a_release_that_drops_a_published_iri_is_refused(release, tmp_path):
    dist = copy_dist(release, tmp_path / "dist")
    root = second_version(copy_project(tmp_path / "project"), mark_withdrawn=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPAI_KG_")}
    done = subprocess.run([CLI, "build", "--project-dir", str(root), "--dist-dir", str(dist), "--release", "v2"],
                          capture_output=True, text=True, env=env, timeout=300)
    line = one_line_error(done, "release v2 would remove 2 IRIs that release test published",
                          f"<{DEPRECATED}>", f"<{REPLACED}>", "owl:deprecated true", "dcterms:isReplacedBy")
    assert "Traceback" not in done.stderr and line
    assert not (dist / "releases" / "v2").exists() and not list((dist / "releases").glob(".tmp-*"))
    assert os.readlink(dist / "latest") == "releases/test"


# --- 1 and 3, served: the releases, their files, each resource's history, 301 and 410 ------------

@pytest.fixture(scope="module")
def history_server(releases, tmp_path_factory):
    running = RunningServer(["--dist-dir", str(releases.dist)], tmp_path_factory.mktemp("history-server"))
    yield running
    running.stop()


def get(server, path: str, **headers) -> requests.Response:
    return requests.get(server.url + path, headers=headers, allow_redirects=False, timeout=60)


def test_the_releases_page_lists_every_kept_release(history_server):
    page = get(history_server, "/releases/", Accept="text/html")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert 'href="/releases/v2"' in page.text and 'href="/releases/test"' in page.text
    assert 'href="/releases/v2/changes.md"' in page.text
    assert "Accept" in page.headers["Vary"]


def test_the_releases_index_is_dcat_for_machines(history_server):
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        answer = get(history_server, "/releases/", Accept=accept)
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(accept)
        graph = Graph().parse(data=answer.text, format=fmt)
        catalogue = URIRef(CANONICAL_BASE + "releases/")
        assert {NS.release("v2"), NS.release("test"), NS.dataset} <= set(graph.objects(catalogue, DCAT.dataset))
        assert graph.value(NS.release("v2"), DCAT3.previousVersion) == NS.release("test")
        assert graph.value(NS.release("v2"), DCAT3.version) == Literal("v2")
        assert (NS.changes("v2"), DCAT.distribution, URIRef(CANONICAL_BASE + "releases/v2/changes.rdfp")) in graph
        assert graph.value(NS.dataset, DCAT3.hasCurrentVersion) == NS.release("v2")


def test_every_kept_release_serves_its_files(history_server, releases):
    for version, folder in (("test", releases.old), ("v2", releases.new)):
        answer = get(history_server, f"/releases/{version}/gpai-kg.nq")
        assert answer.status_code == 200 and answer.content == (folder / "gpai-kg.nq").read_bytes()
        assert "immutable" in answer.headers["Cache-Control"]
    changes = get(history_server, "/releases/v2/changes.md")
    assert changes.status_code == 200 and changes.headers["Content-Type"] == "text/markdown; charset=utf-8"
    patch = get(history_server, "/releases/v2/changes.rdfp")
    assert patch.headers["Content-Type"] == "application/rdf-patch; charset=utf-8"
    assert patch.content == (releases.new / "changes.rdfp").read_bytes()
    described = get(history_server, "/releases/test", Accept="text/turtle")
    assert described.status_code == 200 and described.content == (releases.old / "void.ttl").read_bytes()
    page = get(history_server, "/releases/v2", Accept="text/html")
    assert page.status_code == 200 and "Follows release" in page.text
    assert "Members joined" in page.text and NOTES in html.unescape(page.text)


@pytest.mark.parametrize("path", [
    "/releases/v9/gpai-kg.nq", "/releases/v9", "/releases/v9/data/id/country/fr.ttl",
    "/releases/..%2F..%2Fetc/passwd", "/releases/%2e%2e/void.ttl", "/releases/test/..%2Fv2%2Fvoid.ttl",
    "/releases/test/%2e%2e%2f%2e%2e%2fSHA256SUMS", "/releases/.tmp-x/void.ttl", "/releases/test%0A/void.ttl",
    "/releases/test/../../../etc/passwd", "/releases/test/store", "/releases/test/nothing.nq",
    "/releases/test/data/id/place/institut-de-france-paris.ttl", "/releases/test/data/id/nation/fr.ttl",
    "/releases/test/data/etc/passwd.ttl", "/releases/test/data/id/country/fr.exe",
])
def test_a_release_path_that_names_nothing_is_a_404(history_server, path):
    answer = get(history_server, path)
    assert answer.status_code == 404, path
    body = answer.json()
    assert body["ok"] is False and body["status"] == 404 and body["title"] == "Not Found" and body["error"]


def test_the_resource_page_shows_its_history(history_server):
    page = get(history_server, "/page/id/membership/gpai--be", Accept="text/html").text
    history = page[page.index('id="history-h"'):]
    assert '<a href="/releases/v2">Release v2</a>' in history
    assert "2021-11 (month precision) → 2021-11-12 (day precision)" in history
    assert 'href="/releases/test/data/id/membership/gpai--be.ttl"' in history
    # A member's page shows the membership that joined it.
    spain = get(history_server, "/page/id/country/es", Accept="text/html").text
    assert "Spain (country:es) joined Group of Twenty (organisation:g20)" in spain[spain.index('id="history-h"'):]
    quiet = get(history_server, "/page/id/country/fr", Accept="text/html").text
    assert "No change to it is recorded in the 2 releases kept here (since release test)." in quiet


def test_an_earlier_release_gives_its_own_description(history_server):
    old = get(history_server, "/releases/test/data/id/membership/gpai--be.ttl")
    assert old.status_code == 200 and old.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=old.text, format="turtle")
    dates = {str(o) for o in graph.objects(None, URIRef("http://www.w3.org/2006/time#inXSDgYearMonth"))}
    assert dates == {"2021-11"}
    assert 'rel="latest-version"' in old.headers["Link"]
    again = get(history_server, "/releases/test/data/id/membership/gpai--be.ttl", **{"If-None-Match": old.headers["ETag"]})
    assert again.status_code == 304  # the answer cache's validators, as for every data document
    now = get(history_server, "/releases/v2/data/id/membership/gpai--be.ttl")
    assert "2021-11-12" in now.text and "gYearMonth" not in now.text


def test_a_replaced_iri_answers_301_to_its_replacement(history_server):
    for path, target in (("/id/place/institut-de-france", "/id/place/institut-de-france-paris"),
                         ("/page/id/place/institut-de-france", "/page/id/place/institut-de-france-paris"),
                         ("/data/id/place/institut-de-france.ttl", "/data/id/place/institut-de-france-paris.ttl")):
        answer = get(history_server, path, Accept="text/html")
        assert answer.status_code == 301 and answer.headers["Location"] == target, path
    assert get(history_server, "/page/id/place/institut-de-france-paris").status_code == 200


def test_a_deprecated_iri_answers_410_gone(history_server):
    for path in ("/id/claim/seed-003--15-members", "/data/id/claim/seed-003--15-members.ttl"):
        answer = get(history_server, path, Accept="application/json")
        assert answer.status_code == 410, path
        body = answer.json()
        assert (body["ok"], body["status"], body["title"]) == (False, 410, "Gone")
        assert body["deprecated"] == DEPRECATED and body["deprecated_in"] == "v2"
        assert body["last_description"] == "/releases/test/data/id/claim/seed-003--15-members.ttl"
    last = get(history_server, "/releases/test/data/id/claim/seed-003--15-members.ttl")
    assert last.status_code == 200 and "IGF 2022 Open Forum #29 page: founded with 15 members" in last.text


# --- A damaged earlier release is not served, and does not stop the others ------------------------

def test_a_damaged_earlier_release_is_refused_and_the_rest_served(releases, tmp_path):
    dist = copy_dist_only(releases, tmp_path)
    damaged = dist / "releases" / "test" / "gpai-kg.nt"
    damaged.write_bytes(damaged.read_bytes() + b"\n")
    listed = run("releases", dist=dist)
    assert listed.returncode == 1 and "damaged: " in listed.stdout and "gpai-kg.nt does not match" in listed.stdout
    running = RunningServer(["--dist-dir", str(dist)], tmp_path)
    try:
        for path in ("/releases/test/gpai-kg.nq", "/releases/test/void.ttl", "/releases/test",
                     "/releases/test/data/id/country/fr.ttl"):
            answer = get(running, path, Accept="text/turtle")
            assert answer.status_code == 500, path
            body = answer.json()
            assert body["kind"] == "damaged-release" and "gpai-kg.nt does not match its checksum" in body["error"]
        assert get(running, "/releases/v2/gpai-kg.nq").status_code == 200
        assert "Damaged, not served" in get(running, "/releases/", Accept="text/html").text
        assert get(running, "/page/id/country/fr", Accept="text/html").status_code == 200
    finally:
        running.stop()


def test_no_release_is_built_on_a_damaged_one(release, tmp_path):
    dist = copy_dist(release, tmp_path / "dist")
    (dist / "releases" / "test" / "gpai-kg.nq").write_bytes(b"")
    done = run("build", "--release", "v2", dist=dist)
    one_line_error(done, "the previous release test is damaged", "gpai-kg.nq does not match its checksum")
    assert not (dist / "releases" / "v2").exists()
