"""Query workers (gpai_kg.pool), in this process: limits, the network wall, stopping.

These talk to the pool directly, below the checked door, on purpose: the second wall must hold
for a query the first one let through by mistake.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from gpai_kg.errors import BadRequest, QueryLimitExceeded, ServiceStopping
from gpai_kg.gate import CheckedQuery
from gpai_kg.pool import QueryJob, WorkerPool
from gpai_kg.sandbox import confine, endpoint_ports, seccomp_program, LOCAL_ONLY
from gpai_kg.store import prepare_store, release_inputs
from test_gate import Listener


def raw(text: str, form: str = "SELECT", services=()) -> QueryJob:
    """A job as if the door had let ``text`` through (it would not have, for some of these)."""
    return QueryJob(CheckedQuery(text, form, tuple(services)), "json", 100)


@pytest.fixture(scope="module")
def prepared(release, tmp_path_factory):
    return prepare_store(release_inputs(release.path), tmp_path_factory.mktemp("pool-store"))


@pytest.fixture(scope="module")
def pool(prepared):
    running = WorkerPool(str(prepared.path), 2, in_memory=True)
    running.wait_ready()
    yield running
    running.shutdown()


@pytest.fixture(scope="module")
def listener():
    running = Listener()
    yield running
    running.close()


def test_workers_say_how_they_are_confined(pool):
    assert pool.confinement == "no network (seccomp: Unix sockets only)"


def test_a_service_call_past_the_door_cannot_leave_the_worker(pool, listener):
    listener.hits.clear()
    for text in (f"SELECT * {{ SERVICE <{listener.base}/x> {{ ?a ?b ?c }} }}",
                 f"SELECT * {{ SERVICE SILENT <{listener.base}/y> {{ ?a ?b ?c }} }}"):
        try:
            outcome = pool.run(raw(text), 10)
            assert b"from the listener" not in outcome.body  # SILENT: an empty answer, nothing fetched
        except BadRequest as exc:
            assert exc.details["kind"] == "evaluation"
    time.sleep(0.2)
    assert listener.hits == []
    assert pool.run(raw("ASK {}", "ASK"), 10).body  # the workers still answer


def test_federation_workers_reach_only_the_allowed_ports(prepared, listener):
    allowed = f"{listener.base}/allowed"
    federated = WorkerPool(str(prepared.path), 1, endpoints=(allowed,))
    try:
        federated.wait_ready()
        assert federated.confinement.startswith("network for federation: TCP connections to ports")
        listener.hits.clear()
        outcome = federated.run(raw(f"SELECT * {{ SERVICE <{allowed}> {{ ?a ?b ?c }} }}", services=(allowed,)), 10)
        assert b"from the listener" in outcome.body and listener.hits == ["/allowed"]
        # Another port is closed to it, whatever the query says.
        with socket.socket() as other:
            other.bind(("127.0.0.1", 0))
            other.listen()
            port = other.getsockname()[1]
            with pytest.raises(BadRequest):
                federated.run(raw(f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/x> {{ ?a ?b ?c }} }}"), 10)
            other.settimeout(0.5)
            with pytest.raises(OSError):
                other.accept()
    finally:
        federated.shutdown()


def test_a_query_over_its_memory_cap_is_stopped_and_others_go_on(prepared):
    small = WorkerPool(str(prepared.path), 1, memory_mb=1024, in_memory=True)
    try:
        small.wait_ready()
        with pytest.raises(QueryLimitExceeded) as stopped:
            small.run(raw("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?c ?f"), 60)
        assert stopped.value.details["limit"] == "memory"
        assert small.run(raw("ASK {}", "ASK"), 30).body
    finally:
        small.shutdown()


@pytest.mark.parametrize("in_memory", [True, False], ids=["memory", "disk"])
def test_the_memory_cap_counts_from_what_a_ready_worker_maps(prepared, in_memory):
    """A worker maps 400–600 MB before any query: the interpreter, idle malloc arenas and threads the
    forkserver left, more on a busy machine; and its store (opening RocksDB read-only alone maps
    about 400 MB: its threads and their arenas). A cap on that total failed workers at random on a
    busy machine: no room for the query thread's stack ("can't start new thread", the in-process
    service down), or RocksDB aborting the worker as it opened ("Resource temporarily unavailable",
    the server down at boot); and a disk worker under a 300 MB cap never started. The cap is what a
    query may use on top of a ready worker, and still stops one over it."""
    tight = WorkerPool(str(prepared.path), 1, memory_mb=300, in_memory=in_memory)
    try:
        tight.wait_ready()                                   # refused to start or aborted before
        assert tight.run(raw("ASK { ?s ?p ?o }", "ASK"), 30).body
        with pytest.raises(QueryLimitExceeded) as stopped:
            tight.run(raw("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?c ?f"), 60)
        assert stopped.value.details["limit"] == "memory"
    finally:
        tight.shutdown()


def test_a_long_chain_of_operators_is_a_slow_query_not_a_crash(pool):
    """Oxigraph recurses over long expressions: on a worker's default stack this killed it."""
    chain = "SELECT (" + "1+" * 30000 + "1 AS ?x) {}"
    deaths = pool.stats["deaths"]
    with pytest.raises(QueryLimitExceeded) as stopped:
        pool.run(raw(chain), 2)
    assert stopped.value.details["limit"] == "time"
    assert pool.stats["deaths"] == deaths


def test_stopping_the_pool_ends_queries_in_flight_with_503(prepared):
    stopping = WorkerPool(str(prepared.path), 1, in_memory=True)
    stopping.wait_ready()
    errors = []

    def slow():
        try:
            stopping.run(raw("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"), 60)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)
    stopping.shutdown()
    thread.join(10)
    assert not thread.is_alive() and len(errors) == 1 and isinstance(errors[0], ServiceStopping)
    with pytest.raises(ServiceStopping):
        stopping.run(raw("ASK {}", "ASK"), 5)


def test_the_filter_refuses_internet_sockets_in_a_child(tmp_path):
    """confine() itself, in a forked child: Internet sockets refused, Unix ones allowed."""
    import multiprocessing as mp

    def child(queue):
        report = confine()
        results = []
        for family in (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6):
            try:
                socket.socket(family).close()
                results.append("ok")
            except OSError as exc:
                results.append(exc.errno)
        queue.put((report, results))

    queue = mp.get_context("fork").Queue()
    process = mp.get_context("fork").Process(target=child, args=(queue,))
    process.start()
    report, results = queue.get(timeout=30)
    process.join(10)
    assert report.startswith("no network")
    assert results == ["ok", 13, 13]  # EACCES


def test_filter_programs_and_ports():
    assert len(seccomp_program(LOCAL_ONLY, "x86_64")) == len(seccomp_program(LOCAL_ONLY, "aarch64")) + 1
    assert endpoint_ports(("https://query.wikidata.org/sparql", "http://127.0.0.1:7878/query")) == {53, 443, 7878}
