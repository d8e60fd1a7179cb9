"""What `serve` and `load` open: a release checked against its SHA256SUMS, under its own base IRI,
with the store folders of earlier releases cleared away."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from conftest import CLI, ROOT, project_at, serve
from gpai_kg.build import build
from stores import free_port


def copy_dist(release, tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    shutil.copytree(release.path.parent.parent, dist, symlinks=True)
    return dist


def run_serve(dist: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPAI_KG_")}
    return subprocess.run([CLI, "serve", "--dist-dir", str(dist), "--port", str(free_port()),
                           "--store-dir", str(tmp_path / "store"), *args],
                          capture_output=True, text=True, timeout=120, env=env)


def cut_at_a_line(path: Path) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[: len(lines) // 2]))


DAMAGES = [
    # (id, what is done to the release, the file the error must name)
    ("nq-cut-at-a-line", lambda f: cut_at_a_line(f / "gpai-kg.nq"), "gpai-kg.nq does not match its checksum"),
    ("nq-empty", lambda f: (f / "gpai-kg.nq").write_bytes(b""), "gpai-kg.nq does not match its checksum"),
    ("void-cut", lambda f: cut_at_a_line(f / "void.ttl"), "void.ttl does not match its checksum"),
    ("nq-missing", lambda f: (f / "gpai-kg.nq").unlink(), "gpai-kg.nq is listed in SHA256SUMS but missing"),
    ("no-sums", lambda f: (f / "SHA256SUMS").unlink(), "has no SHA256SUMS"),
    ("dump-changed", lambda f: (f / "gpai-kg.nt").write_bytes((f / "gpai-kg.nt").read_bytes() + b"\n"),
     "gpai-kg.nt does not match its checksum"),
]


@pytest.mark.parametrize("damage,words", [(d[1], d[2]) for d in DAMAGES], ids=[d[0] for d in DAMAGES])
def test_a_damaged_release_is_never_served(release, tmp_path, damage, words):
    dist = copy_dist(release, tmp_path)
    damage(dist / "releases" / "test")
    done = run_serve(dist, tmp_path)
    assert done.returncode == 1, done.stderr
    last = done.stderr.strip().splitlines()
    assert len(last) == 1 and last[0].startswith("gpai-kg: error: ") and words in last[0], done.stderr
    assert "Traceback" not in done.stderr


def test_health_says_which_release_it_serves_and_that_it_was_verified(server, release):
    serving = requests.get(server.url + "/health", timeout=30).json()["serving"]
    sums = (release.path / "SHA256SUMS")
    import hashlib

    assert serving == {"release": "test", "checksums_verified": True,
                       "sha256sums": hashlib.sha256(sums.read_bytes()).hexdigest()}


def test_old_store_folders_and_killed_builds_are_removed_but_not_one_in_use(release, tmp_path):
    store = tmp_path / "store"
    (store / "0123456789abcdef0123456789abcdef").mkdir(parents=True)   # a store of an earlier release
    (store / ".tmp-0123456789ab-x").mkdir()                            # a build that was killed
    (store / "search-0123456789abcdef0123456789abcdef").mkdir()        # an earlier release's search index
    in_use = store / "fedcba9876543210fedcba9876543210"                # a store another server holds
    in_use.mkdir()
    holder = os.open(in_use / ".in-use", os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_SH)
    try:
        running = serve(release, tmp_path)
        running.stop()
        left = sorted(p.name for p in store.iterdir() if p.is_dir())
        assert ".tmp-0123456789ab-x" not in left and "0123456789abcdef0123456789abcdef" not in left
        assert "search-0123456789abcdef0123456789abcdef" not in left
        # The one in use, and the store and search index of the release just served.
        assert in_use.name in left and len(left) == 3 and sum(n.startswith("search-") for n in left) == 1
    finally:
        os.close(holder)


def test_preparing_the_store_leaves_search_indexes_to_their_own_cleanup(release, tmp_path):
    """The store and the search index share the cache folder and are prepared at once: the store's
    cleanup must not take an index that is found but not yet held (a restart would rebuild it)."""
    from gpai_kg.store import prepare_store, release_inputs

    cache = tmp_path / "store"
    index = cache / "search-0123456789abcdef0123456789abcdef"
    building = cache / ".tmp-search-0123456789ab-x"
    for folder in (index, building):
        folder.mkdir(parents=True)
        (folder / "search.sqlite").write_bytes(b"")
    (cache / "0123456789abcdef0123456789abcdef").mkdir()   # a store nobody holds: the store's to remove
    prepared = prepare_store(release_inputs(release.path), cache)
    try:
        left = {p.name for p in cache.iterdir() if p.is_dir()}
        assert index.name in left and building.name in left
        assert "0123456789abcdef0123456789abcdef" not in left
    finally:
        os.close(prepared.lock)


# --- A release built under another base IRI, end to end -----------------------------------------

OTHER_BASE = "https://example.org/kg/"


@pytest.fixture(scope="module")
def rebased(tmp_path_factory):
    dist = tmp_path_factory.mktemp("rebased-dist")
    project, settings = project_at(ROOT, dist, release="other", base_iri=OTHER_BASE)
    return build(project, settings)


@pytest.fixture(scope="module")
def rebased_server(rebased, tmp_path_factory):
    running = serve(rebased, tmp_path_factory.mktemp("rebased"), base_iri=OTHER_BASE)
    yield running
    running.stop()


@pytest.mark.parametrize("kind", ["members", "countries", "bodies", "organisations", "events", "people", "projects",
                                  "outputs", "sources", "claims"])
def test_every_browse_page_lists_the_same_under_another_base(server, rebased_server, kind):
    ours = requests.get(server.url + f"/browse/{kind}", timeout=60)
    theirs = requests.get(rebased_server.url + f"/browse/{kind}", timeout=60)
    assert ours.status_code == theirs.status_code == 200
    count = ours.text.count('href="/id/')
    assert count > 0 and theirs.text.count('href="/id/') == count, kind


def test_home_page_and_examples_under_another_base(rebased_server):
    home = requests.get(rebased_server.url + "/", timeout=60).text
    assert home.count('href="/id/country/') >= 44  # the members table comes from a view query
    gallery = requests.get(rebased_server.url + "/query", timeout=60).text
    assert OTHER_BASE + "ontology/" in gallery and "https://w3id.org/gpai-kg/ontology/" not in gallery


def test_link_check_sees_every_resource_under_another_base(rebased, wikidata, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPAI_KG_")}
    done = subprocess.run([CLI, "link", "check", "--dist-dir", str(rebased.path.parent.parent), "--endpoint",
                           wikidata.url, "--out", str(tmp_path), "--cache", str(tmp_path / "cache")],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode in (0, 1), done.stderr
    import json

    report = json.loads((tmp_path / "link-report.json").read_text())
    assert report["summary"]["agreements"] > 100
    assert all(d["resource"].startswith(OTHER_BASE) for d in report["disagreements"])
