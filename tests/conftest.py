"""Shared fixtures: the project as checked out, and a release built from it by the real build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gpai_kg.build import build
from gpai_kg.config import Settings
from gpai_kg.project import Project
from gpai_kg.store import open_release

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONTEXT = FIXTURES / "context.ttl"

_HEADER = re.compile(r"^#\s*(\w+):\s*(.+?)\s*$")


def fixture_header(path: Path) -> dict[str, list[str]]:
    """The ``# Key: value`` lines opening a fixture file (Invalid, Shape, Check, Also)."""
    header: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            header.setdefault(match.group(1).lower(), []).append(match.group(2))
    return header


def project_at(root: Path, dist: Path | None = None, **settings) -> tuple[Project, Settings]:
    values = Settings.load({"project_dir": root, "dist_dir": dist, **settings}, environ={})
    return Project.from_settings(values), values


@pytest.fixture(scope="session")
def project() -> Project:
    return project_at(ROOT)[0]


@pytest.fixture(scope="session")
def release(tmp_path_factory):
    """The real sources built into a temporary dist folder."""
    dist = tmp_path_factory.mktemp("dist")
    proj, settings = project_at(ROOT, dist, release="test")
    return build(proj, settings)


@pytest.fixture(scope="session")
def store(release):
    return open_release(release.path)


# --- A real server on a free local port, started and stopped by the tests -------------------

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import requests  # noqa: E402
from stores import OXIGRAPH, STORES, free_port, stop_process  # noqa: E402

CLI = str(Path(sys.executable).with_name("gpai-kg"))


class RunningServer:
    def __init__(self, args: list[str], tmp: Path, env: dict[str, str] | None = None, **settings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        flags = []
        for name, value in {"workers": 1, "threads": 3, "store_dir": tmp / "store", **settings}.items():
            flag = "--" + name.replace("_", "-")
            flags += [flag] if value is True else [flag, str(value)]
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("GPAI_KG_")}, **(env or {})}
        self.log = open(tmp / f"server-{self.port}.log", "w+")
        self.process = subprocess.Popen([CLI, "serve", *args, "--port", str(self.port), *flags],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.output()}")
            try:
                if requests.get(self.url + "/health", timeout=2).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not start: {self.output()}")

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        stop_process(self.process, 20)
        self.log.close()


# --- Where the server's queries run: embedded, or an external store (tests/stores.py) ---------

BACKENDS = ("embedded", *STORES)


def start_store(name: str, tmp: Path):
    """A running external store, or a skip saying what is missing."""
    try:
        return STORES[name](tmp)
    except FileNotFoundError as exc:
        pytest.skip(f"{name}: {exc}")


def load_into(store, dist: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``gpai-kg load`` of the release under ``dist`` into ``store``, credentials in the environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GPAI_KG_")}
    return subprocess.run([CLI, "load", "--dist-dir", str(dist), "--store", store.query_url,
                           "--graph-store", store.graph_store_url, *args],
                          capture_output=True, text=True, timeout=300, env={**clean, **(store.env if env is None else env)})


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, release, tmp_path_factory):
    """"embedded" (None), or an external store holding the test release, put there by `gpai-kg load`."""
    if request.param == "embedded":
        yield None
        return
    store = start_store(request.param, tmp_path_factory.mktemp(request.param))
    try:
        done = load_into(store, release.path.parent.parent)
        assert done.returncode == 0, done.stderr
        yield store
    finally:
        store.stop()


@pytest.fixture(scope="session")
def server(backend, release, tmp_path_factory):
    """The service over the test release, on each backend: small limits so the tests can reach them."""
    tmp = tmp_path_factory.mktemp("server")
    dist = release.path.parent.parent
    external = {"store": backend.query_url} if backend else {}
    running = RunningServer(["--dist-dir", str(dist)], tmp, env=backend.env if backend else None,
                            query_timeout=3, max_rows=1000, max_query_bytes=20_000, query_memory_mb=1024,
                            **external)
    running.backend = backend.name if backend else "embedded"
    yield running
    running.stop()


def embedded_only(server, why: str) -> None:
    """Skip a test that is about the embedded store's own machinery, on an external backend."""
    if server.backend != "embedded":
        pytest.skip(f"{why} (the embedded store's; an external store has its own)")


# --- Oxigraph's own server, standing in for remote endpoints (Wikidata) ------------------------

class OxigraphServer:
    """``oxigraph serve-read-only`` on a free loopback port over a store loaded from ``files``."""

    def __init__(self, tmp: Path, *files: Path) -> None:
        location = tmp / "oxigraph"
        for path in files:
            subprocess.run([OXIGRAPH, "load", "--location", str(location), "--file", str(path)],
                           check=True, capture_output=True, timeout=120)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/query"
        args = ["serve-read-only", "--location", str(location)] if files else ["serve"]
        self.process = subprocess.Popen([OXIGRAPH, *args, "--bind", f"127.0.0.1:{self.port}"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(self.url, params={"query": "ASK {}"}, timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("oxigraph did not start")

    def stop(self) -> None:
        stop_process(self.process, 20)


WIKIDATA_FIXTURE = Path(__file__).parent / "fixtures" / "wikidata" / "stand-in.ttl"


@pytest.fixture(scope="session")
def wikidata(tmp_path_factory):
    """A Wikidata stand-in: Oxigraph's server over a fixture in Wikidata's RDF model."""
    running = OxigraphServer(tmp_path_factory.mktemp("wikidata"), WIKIDATA_FIXTURE)
    yield running
    running.stop()
