"""Rendering query results: every format says the same thing, and the row cap cuts exactly."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from gpai_kg.formats import GRAPH_FORMATS, RESULT_FORMATS, by_name
from gpai_kg.results import render
from gpai_kg.store import run_query

MEMBERS = """PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?m ?label WHERE { ?ms org:member ?m . ?m <http://www.w3.org/2000/01/rdf-schema#label> ?label }
ORDER BY ?m ?label"""
MEMBERSHIPS = "PREFIX org: <http://www.w3.org/ns/org#> CONSTRUCT WHERE { ?ms a org:Membership ; ?p ?o }"
TSV = by_name(RESULT_FORMATS, "tsv")
NTRIPLES = by_name(GRAPH_FORMATS, "ntriples")


def rows(store, query, fmt=TSV, max_rows=10**9, limit=None):
    """The rows of the rendered result: terms, or for CSV (lossy by the standard) their values."""
    rendered = render(run_query(store, query), fmt, max_rows, limit)
    if fmt.name == "csv":
        table = list(csv.reader(io.StringIO(rendered.body.decode("utf-8"), newline="")))
        return [tuple(r) for r in table[1:]], rendered.truncated
    parsed = ox.parse_query_results(rendered.body, format=fmt.results)
    return [tuple(r) for r in parsed], rendered.truncated


def values(table):
    return [tuple(t.value for t in r) for r in table]


def triples(store, query, fmt=NTRIPLES, max_rows=10**9):
    rendered = render(run_query(store, query), fmt, max_rows)
    return list(ox.parse(rendered.body, format=fmt.rdf)), rendered.truncated


@pytest.fixture(scope="module")
def all_rows(store):
    solutions = list(run_query(store, MEMBERS))
    assert len(solutions) > 100
    return [tuple(s) for s in solutions]


@pytest.mark.parametrize("fmt", RESULT_FORMATS, ids=lambda f: f.name)
def test_every_result_format_round_trips_the_same_rows(store, all_rows, fmt):
    got, truncated = rows(store, MEMBERS, fmt)
    assert got == (values(all_rows) if fmt.name == "csv" else all_rows)
    assert not truncated


@pytest.mark.parametrize("fmt", RESULT_FORMATS, ids=lambda f: f.name)
@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_select_is_cut_exactly_at_the_cap(store, all_rows, fmt, offset):
    cap = len(all_rows) + offset
    got, truncated = rows(store, MEMBERS, fmt, max_rows=cap)
    assert len(got) == min(cap, len(all_rows))
    assert truncated == (cap < len(all_rows))
    assert got == (values(all_rows) if fmt.name == "csv" else all_rows)[:cap]


def test_a_limit_within_the_cap_is_never_reported_as_cut(store, all_rows):
    got, truncated = rows(store, MEMBERS + " LIMIT 7", max_rows=7, limit=7)
    assert got == all_rows[:7] and not truncated


def test_values_with_newlines_and_tabs_count_as_one_row(store):
    query = 'SELECT ?x WHERE { VALUES ?x { "a\\nb\\tc" "d" "e" } }'
    got, truncated = rows(store, query, by_name(RESULT_FORMATS, "json"), max_rows=2)
    assert values(got) == [("a\nb\tc",), ("d",)] and truncated


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name)
def test_graph_formats_are_isomorphic_to_the_query_over_the_store(store, fmt):
    expected = Graph().parse(data=render(run_query(store, MEMBERSHIPS), NTRIPLES, 10**9).body,
                             format="nt")
    assert len(expected) > 100
    body = render(run_query(store, MEMBERSHIPS), fmt, 10**9).body
    assert isomorphic(Graph().parse(data=body, format=fmt.media_type), expected)


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_graphs_are_cut_exactly_at_the_cap(store, offset):
    total = len(triples(store, MEMBERSHIPS)[0])
    cap = total + offset
    got, truncated = triples(store, MEMBERSHIPS, by_name(GRAPH_FORMATS, "turtle"), max_rows=cap)
    assert len(set(got)) == min(cap, total)
    assert truncated == (cap < total)
