"""The build: a complete, self-describing, reproducible release, or none at all."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, SKOS, VOID

from conftest import ROOT, project_at
from gpai_kg.build import ARTEFACTS, CHECKSUMS_FILE, VOID_FILE, build
from gpai_kg.errors import ValidationFailed
from gpai_kg.namespaces import CANONICAL_BASE, NS, SPDX
from gpai_kg.void import linkset_iri

CLI = str(Path(sys.executable).with_name("gpai-kg"))


def test_release_holds_every_artefact(release):
    names = {p.name for p in release.path.iterdir()}
    assert names == {a.name for a in ARTEFACTS} | {VOID_FILE, CHECKSUMS_FILE}
    assert release.path.parent.parent.joinpath("latest").resolve() == release.path


def _canonical(path, fmt) -> set:
    """The graph in a file, blank nodes canonicalised (RDFC-1.0), as a set of N-Triples lines."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(path=str(path), format=fmt))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(quad) for quad in dataset}


def test_serialisations_hold_the_same_graph(release):
    turtle = _canonical(release.file("gpai-kg.ttl"), ox.RdfFormat.TURTLE)
    assert len(turtle) == release.triples["data"] > 4000
    for name, fmt in (("gpai-kg.nt", ox.RdfFormat.N_TRIPLES), ("gpai-kg.jsonld", ox.RdfFormat.JSON_LD)):
        assert _canonical(release.file(name), fmt) == turtle, name
    unzipped = gzip.decompress(release.file("gpai-kg.ttl.gz").read_bytes())
    assert unzipped == release.file("gpai-kg.ttl").read_bytes()
    # Through Oxigraph like the data: language tags are case-insensitive (RDF 1.1) and the release writes
    # them in lower case (zh-Hans in the sources, zh-hans in the release), which rdflib would call different.
    for name, source in (("ontology.ttl", ROOT / "ontology" / "gpai.ttl"),
                         ("shapes.ttl", ROOT / "shapes" / "gpai-shapes.ttl")):
        assert _canonical(release.file(name), ox.RdfFormat.TURTLE) == _canonical(source, ox.RdfFormat.TURTLE), name


def test_the_store_answers_every_quad_as_the_downloads_write_it(release, store):
    """Oxigraph keeps literals in its own forms (xsd:int and xsd:nonNegativeInteger as xsd:integer,
    "015" as "15", "+00:00" as "Z"): a release must hold only forms it keeps as they are."""
    def canonical(quads) -> set[str]:  # the store gives blank nodes labels of its own
        dataset = ox.Dataset(quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        return {str(quad) for quad in dataset}

    dumped = canonical(ox.parse(path=release.file("gpai-kg.nq"), format=ox.RdfFormat.N_QUADS))
    assert len(dumped) > 4000
    assert canonical(store) == dumped


def test_the_release_writes_each_literal_as_the_sources_do(release):
    written = {quad.object for path in sorted((ROOT / "data").glob("*.ttl"))
               for quad in ox.parse(path=path, format=ox.RdfFormat.TURTLE)
               if isinstance(quad.object, ox.Literal)}
    released = {quad.object for quad in ox.parse(path=release.file("gpai-kg.nq"), format=ox.RdfFormat.N_QUADS)
                if isinstance(quad.object, ox.Literal)}
    assert any(lit.value.endswith("Z") for lit in written)  # a dateTime rdflib would rewrite "+00:00"
    assert written - released == set()


def test_nquads_keep_each_part_in_its_named_graph(release):
    graphs = {}
    for quad in ox.parse(path=release.file("gpai-kg.nq"), format=ox.RdfFormat.N_QUADS):
        graphs[quad.graph_name.value] = graphs.get(quad.graph_name.value, 0) + 1
    assert graphs == {f"{CANONICAL_BASE}graph/{name}": n for name, n in release.triples.items()}


def test_void_describes_the_release(release):
    void = Graph().parse(release.file(VOID_FILE))
    data = Graph().parse(release.file("gpai-kg.nt"), format="nt")
    ds = NS.dataset
    assert void.value(ds, VOID.triples).toPython() == len(data)
    assert void.value(ds, URIRef(str(DCAT) + "version")) == Literal("test")
    wikidata = sum(1 for o in data.objects(None, SKOS.exactMatch) if str(o).startswith("http://www.wikidata.org/entity/"))
    assert wikidata >= 45
    assert void.value(linkset_iri(NS, "wikidata"), VOID.triples).toPython() == wikidata
    # Class partitions count the entities of each class.
    parts = {void.value(p, VOID["class"]): void.value(p, VOID.entities).toPython()
             for p in void.objects(ds, VOID.classPartition)}
    assert parts[NS.gpai.PartnershipMembership] == 45
    # Each distribution's size and checksum are those of the file on disk.
    for artefact in ARTEFACTS:
        url = URIRef(f"{CANONICAL_BASE}releases/test/{artefact.name}")
        path = release.file(artefact.name)
        assert void.value(url, DCAT.byteSize).toPython() == path.stat().st_size
        checksum = void.value(url, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_checksums_file_matches(release):
    for line in release.file(CHECKSUMS_FILE).read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256(release.file(name).read_bytes()).hexdigest() == digest


def test_build_is_reproducible(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    sums = []
    for run in ("a", "b"):
        project, settings = project_at(ROOT, tmp_path / run)
        release = build(project, settings)
        assert release.version == "2026-09-21"
        sums.append(release.file(CHECKSUMS_FILE).read_text())
    assert sums[0] == sums[1]


def test_base_iri_moves_every_minted_iri(tmp_path):
    project, settings = project_at(ROOT, tmp_path, base_iri="http://127.0.0.1:8080/gpai/", release="local")
    release = build(project, settings)
    text = release.file("gpai-kg.nq").read_text(encoding="utf-8")
    assert CANONICAL_BASE not in text
    assert "<http://127.0.0.1:8080/gpai/id/country/fr>" in text
    assert "<http://127.0.0.1:8080/gpai/graph/data>" in text


# --- Invalid sources: no release, a readable report, the last good release intact -----------

def _copy_project(dest: Path) -> Path:
    for folder in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(ROOT / folder, dest / folder)
    return dest


@pytest.fixture(scope="module")
def good_project(tmp_path_factory):
    """A copy of the project with one good release, v1, already built by the CLI."""
    root = _copy_project(tmp_path_factory.mktemp("project"))
    done = _cli(root, "build", "--release", "v1")
    assert done.returncode == 0, done.stderr
    return root


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPAI_KG_")}
    return subprocess.run([CLI, *args, "--project-dir", str(root), "--dist-dir", str(root / "dist")],
                          capture_output=True, text=True, env=env, timeout=300)


def _snapshot(dist: Path) -> dict[str, bytes]:
    files = {str(p.relative_to(dist)): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()}
    files["latest ->"] = os.readlink(dist / "latest").encode()
    return files


def _append(text: str, addition: str) -> str:
    return text + "\n" + addition + "\n"


BREAKAGES = {
    "wrong-datatype": (
        "claims.ttl",
        lambda t: t.replace('gpai:claimedCount "15"^^xsd:integer', 'gpai:claimedCount "fifteen"^^xsd:string', 1),
        ["data/claims.ttl", "claim:seed-004--15-members", "gpai:claimedCount", "typed xsd:integer"]),
    "literal-the-store-rewrites": (
        "claims.ttl",
        lambda t: t.replace('gpai:claimedCount "15"^^xsd:integer', 'gpai:claimedCount "015"^^xsd:integer', 1),
        ["data/claims.ttl", "claim:seed-004--15-members", "gpai:claimedCount",
         'the SPARQL store keeps this as "15"^^xsd:integer']),
    "ill-typed-date": (
        "memberships.ttl",
        lambda t: t.replace('"2022-11-22"^^xsd:date', '"22/11/2022"^^xsd:date', 1),
        ["data/memberships.ttl", "membership:gpai--ar", "time:inXSDDate", "is not a valid xsd:date"]),
    "missing-source": (
        "events.ttl",
        lambda t: _append(t, 'event:2026-imaginary-summit a gpai:Summit ;\n'
                             '    rdfs:label "An unsourced summit"@en ;\n'
                             '    schema:startDate "2026-06-01"^^xsd:date ;\n'
                             '    schema:location place:paris ;\n'
                             '    gpai:chairedBy country:fr .'),
        ["data/events.ttl", "event:2026-imaginary-summit", "prov:wasDerivedFrom", "needs at least one source"]),
    "duplicate-iso-code": (
        "countries.ttl",
        lambda t: _append(t, 'country:fx a gpai:Country ;\n'
                             '    gpai:isoAlpha2 "FR" ;\n'
                             '    skos:exactMatch wd:Q212429 ;\n'
                             '    prov:wasDerivedFrom source:conzept-countries .'),
        ["data/countries.ttl", "country:fx", "country:fr", "gpai:isoAlpha2", "given to another country"]),
    "turtle-syntax-error": (
        "bodies.ttl",
        lambda t: t.replace("org:subOrganizationOf organisation:gpai ;", "org:subOrganizationOf organisation:gpai", 1),
        ["data/bodies.ttl:", "Turtle syntax error"]),
}


@pytest.mark.parametrize("case", sorted(BREAKAGES))
def test_invalid_sources_fail_the_build_and_keep_the_last_release(good_project, tmp_path, case):
    filename, breakage, expected = BREAKAGES[case]
    root = tmp_path / "project"
    shutil.copytree(good_project, root, symlinks=True)
    path = root / "data" / filename
    original = path.read_text(encoding="utf-8")
    broken = breakage(original)
    assert broken != original
    path.write_text(broken, encoding="utf-8")
    before = _snapshot(root / "dist")

    done = _cli(root, "build", "--release", "v2")

    assert done.returncode == 1
    assert done.stderr.startswith("invalid: "), done.stderr
    for needle in expected:
        assert needle in done.stderr, f"{needle!r} not in report:\n{done.stderr}"
    assert "Traceback" not in done.stderr
    assert _snapshot(root / "dist") == before  # the last good release is untouched
    assert not (root / "dist" / "releases" / "v2").exists()
    assert not list((root / "dist" / "releases").glob(".tmp-*"))


def test_syntax_error_names_the_line(good_project, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(good_project, root, symlinks=True)
    path = root / "data" / "places.ttl"
    lines = path.read_text(encoding="utf-8").splitlines()
    target = next(i for i, line in enumerate(lines) if line.startswith("place:paris a schema:City"))
    lines[target] = lines[target].replace("place:paris a", "place:paris a a")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    done = _cli(root, "validate")

    assert done.returncode == 1
    match = re.search(r"data/places\.ttl:(\d+)", done.stderr) or re.search(r"line (\d+)", done.stderr)
    assert match, done.stderr
    assert abs(int(match.group(1)) - (target + 1)) <= 1, done.stderr


def test_build_refuses_in_process_with_the_report(tmp_path):
    root = _copy_project(tmp_path / "project")
    (root / "data" / "claims.ttl").write_text(
        (root / "data" / "claims.ttl").read_text().replace("gpai:countsEU true", 'gpai:countsEU "yes"', 1))
    project, settings = project_at(root, tmp_path / "dist")
    with pytest.raises(ValidationFailed) as caught:
        build(project, settings)
    assert "gpai:countsEU" in caught.value.report.render()
    assert not (tmp_path / "dist" / "latest").exists()
