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
import signal  # noqa: E402
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
        # Admission control is generous here (the suite sends many queries from one address);
        # tests/test_admission.py starts servers with the real limits.
        defaults = {"workers": 1, "threads": 8, "query_workers": 3, "store_dir": tmp / "store",
                    "client_max_queries": 64, "client_query_seconds": 1e6, "max_long_queries": 3,
                    "client_max_long_queries": 3}
        for name, value in {**defaults, **settings}.items():
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
                if requests.get(self.url + "/health", timeout=10).ok:
                    return
            except requests.RequestException:  # not up yet, or slow to answer on a busy machine
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not start: {self.output()}")

    def output(self) -> str:
        with open(self.log.name, encoding="utf-8", errors="replace") as log:
            return log.read()

    def stop(self) -> None:
        # Ctrl-C's quick stop (SIGTERM waits out open connections for up to gunicorn's graceful timeout).
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                stop_process(self.process, 20)
        self.log.close()


# --- Where the server's queries run: embedded, or an external store (tests/stores.py) ---------
#
# Three fixtures, from cheapest to dearest:
# * ``client``: Flask's test client over the service in this process (route logic, no HTTP server);
# * ``server``: the real server (gunicorn) on the embedded store, for what needs HTTP;
# * ``any_server``: the real server on each backend (embedded, Oxigraph server, Virtuoso), for what
#   depends on the engine that answers. Its time limit is generous: a busy machine must not turn a
#   slow answer into a failed test. Tests that wait for a time limit use their own server and store
#   (tests/test_limits.py), so no abandoned query slows the next test.

BACKENDS = ("embedded", *STORES)
#: Limits of the shared servers: small enough to reach in tests, large enough for a busy machine.
SHARED_LIMITS = {"query_timeout": 60, "max_rows": 1000, "max_query_bytes": 20_000, "query_memory_mb": 1024}


def start_store(name: str, tmp: Path, **options):
    """A running external store, or a skip saying what is missing."""
    try:
        return STORES[name](tmp, **options)
    except FileNotFoundError as exc:
        pytest.skip(f"{name}: {exc}")


def load_into(store, dist: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``gpai-kg load`` of the release under ``dist`` into ``store``, credentials in the environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GPAI_KG_")}
    return subprocess.run([CLI, "load", "--dist-dir", str(dist), "--store", store.query_url,
                           "--graph-store", store.graph_store_url, *args],
                          capture_output=True, text=True, timeout=300, env={**clean, **(store.env if env is None else env)})


def loaded_store(name: str, release, tmp: Path, **options):
    """An external store of kind ``name`` holding the test release."""
    store = start_store(name, tmp, **options)
    done = load_into(store, release.path.parent.parent)
    if done.returncode != 0:
        store.stop()
        raise AssertionError(done.stderr)
    return store


def serve(release, tmp: Path, store=None, **settings) -> RunningServer:
    """The real server over the test release (on ``store`` if given)."""
    external = {"store": store.query_url} if store is not None else {}
    running = RunningServer(["--dist-dir", str(release.path.parent.parent)], tmp,
                            env=store.env if store is not None else None, **{**external, **settings})
    running.backend = store.name if store is not None else "embedded"
    return running


@pytest.fixture(scope="session", params=[b for b in BACKENDS if b != "embedded"])
def backend(request, release, tmp_path_factory):
    """An external store holding the test release, put there by `gpai-kg load`."""
    store = loaded_store(request.param, release, tmp_path_factory.mktemp(request.param))
    yield store
    store.stop()


@pytest.fixture(scope="session")
def server(release, tmp_path_factory):
    """The real server on the embedded store."""
    running = serve(release, tmp_path_factory.mktemp("server"), **SHARED_LIMITS)
    yield running
    running.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def any_server(request, release, tmp_path_factory):
    """The real server on each backend: for what depends on the engine that answers."""
    if request.param == "embedded":
        yield request.getfixturevalue("server")
        return
    store = loaded_store(request.param, release, tmp_path_factory.mktemp(request.param))
    running = serve(release, tmp_path_factory.mktemp("server-" + request.param), store, **SHARED_LIMITS)
    yield running
    running.stop()
    store.stop()


@pytest.fixture(scope="session")
def service(release, tmp_path_factory):
    """The service in this process, over the test release on the embedded store."""
    from gpai_kg.service import Service

    settings = Settings.load({"dist_dir": release.path.parent.parent, "store_dir": tmp_path_factory.mktemp("store"),
                              "query_workers": 2, "client_max_queries": 64, "client_query_seconds": 1e6,
                              "max_long_queries": 2, "client_max_long_queries": 2, **SHARED_LIMITS}, environ={})
    running = Service.from_settings(settings)
    yield running
    running.shutdown()


@pytest.fixture(scope="session")
def app(service):
    from gpai_kg.web import create_app

    return create_app(service.settings, service=service)


@pytest.fixture
def client(app):
    """Flask's test client: route logic without an HTTP server."""
    return app.test_client()


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
                requests.get(self.url, params={"query": "ASK {}"}, timeout=10)
                return
            except requests.RequestException:
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
