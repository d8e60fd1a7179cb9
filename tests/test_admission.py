"""Admission control: a few expensive queries cannot take the service from everyone else."""

from __future__ import annotations

import http.client
import json
import threading
import time
from urllib.parse import quote

import pytest

from conftest import serve
from gpai_kg.admission import Admission, Limits
from gpai_kg.errors import TooManyRequests

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


# --- The rules, in this process ------------------------------------------------------------------

def test_a_client_may_run_a_few_queries_at_once():
    admission = Admission(Limits(client_max_queries=2))
    tickets = [admission.admit("a"), admission.admit("a")]
    with pytest.raises(TooManyRequests) as refused:
        admission.admit("a")
    assert refused.value.details["retry_after"] >= 1
    admission.admit("b").close()  # another client is not affected
    tickets[0].close()
    admission.admit("a").close()


def test_long_queries_are_capped_in_all_and_per_client():
    admission = Admission(Limits(max_long_queries=2, client_max_long_queries=1))
    first = admission.admit("a")
    first.becomes_long()
    second = admission.admit("a")
    with pytest.raises(TooManyRequests, match="already has a long query"):
        second.becomes_long()
    third = admission.admit("b")
    third.becomes_long()
    fourth = admission.admit("c")
    with pytest.raises(TooManyRequests, match="2 long queries are running"):
        fourth.becomes_long()
    for ticket in (first, second, third, fourth):
        ticket.close()
    again = admission.admit("c")
    again.becomes_long()  # room again once they ended
    again.close()


def test_a_client_over_its_budget_waits_and_others_do_not():
    admission = Admission(Limits(client_query_seconds=5, query_timeout=10, max_long_queries=1))
    hog = admission.admit("a")
    admission.admit("b").becomes_long()  # the one long slot is taken
    with pytest.raises(TooManyRequests):
        hog.becomes_long()  # stopped: charged the whole time limit
    hog.close()
    with pytest.raises(TooManyRequests, match="budget") as refused:
        admission.admit("a")
    assert 1 <= refused.value.details["retry_after"] <= 60
    admission.admit("c").close()


# --- Through HTTP, with the real limits ------------------------------------------------------------

@pytest.fixture(scope="module")
def guarded(release, tmp_path_factory):
    running = serve(release, tmp_path_factory.mktemp("guarded"), workers=1, query_workers=3, threads=16,
                    query_timeout=3, client_max_queries=2, max_long_queries=1, client_max_long_queries=1,
                    long_query_after=0.25, client_query_seconds=4)
    yield running
    running.stop()


def ask_from(server, address: str, query: str, timeout: float = 60) -> tuple[int, dict, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout, source_address=(address, 0))
    conn.request("GET", "/sparql?query=" + quote(query))
    response = conn.getresponse()
    body = response.read()
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = {}
    return response.status, {k.lower(): v for k, v in response.getheaders()}, parsed


def in_background(server, address: str, query: str, results: list) -> threading.Thread:
    thread = threading.Thread(target=lambda: results.append(ask_from(server, address, query)))
    thread.start()
    return thread


def test_one_client_cannot_fill_the_workers(guarded):
    results: list = []
    threads = [in_background(guarded, "127.0.0.10", CARTESIAN, results) for _ in range(4)]
    for thread in threads:
        thread.join(60)
    statuses = sorted(r[0] for r in results)
    assert statuses.count(429) >= 3, statuses  # two admitted at most, and only one of them may run long
    refused = next(r for r in results if r[0] == 429)
    assert int(refused[1]["retry-after"]) >= 1 and refused[2]["status"] == 429 and refused[2]["ok"] is False


def test_cheap_queries_answer_while_a_long_one_runs(guarded):
    results: list = []
    hog = in_background(guarded, "127.0.0.11", CARTESIAN, results)
    time.sleep(1)  # long by now
    cheap = [ask_from(guarded, "127.0.0.12", "ASK { ?s ?p ?o }")[0] for _ in range(10)]
    assert cheap == [200] * 10
    second_long = ask_from(guarded, "127.0.0.13", CARTESIAN)
    assert second_long[0] == 429 and "long queries are running" in second_long[2]["error"]
    hog.join(60)


def test_a_client_that_hogs_is_told_when_to_come_back(guarded):
    address = "127.0.0.14"
    statuses = []
    for _ in range(3):
        status, headers, body = ask_from(guarded, address, CARTESIAN)
        statuses.append(status)
        if status == 429 and "budget" in body.get("error", ""):
            assert 1 <= int(headers["retry-after"]) <= 60
            break
    assert "budget" in body.get("error", ""), statuses
    assert ask_from(guarded, address, "ASK {}")[0] == 429  # even a cheap one, until the minute has passed
    assert ask_from(guarded, "127.0.0.15", "ASK {}")[0] == 200  # nobody else is affected
