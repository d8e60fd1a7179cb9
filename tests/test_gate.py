"""The checked door (gpai_kg.gate): it decides on the query as the engine reads it.

The decisive tests run the engine itself: a query the door lets through without a SERVICE
call must make Oxigraph call nothing, and a SERVICE call it allows must be the only one made.
A loopback listener counts what the engine really asked for.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpai_kg.errors import BadRequest, Forbidden
from gpai_kg.gate import MAX_DEPTH, Policy, Template, check
from gpai_kg.sparql_lexer import tokens

OPEN = Policy(allowed_services=frozenset(), graphs=None)
GRAPHS = frozenset({"https://w3id.org/gpai-kg/graph/data", "https://w3id.org/gpai-kg/graph/ontology"})


class Listener:
    """A SPARQL endpoint stand-in on loopback that records every path it is asked on."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                hits.append(self.path.split("?")[0])
                body = json.dumps({"head": {"vars": ["a"]}, "results": {"bindings": [
                    {"a": {"type": "literal", "value": "from the listener"}}]}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


@pytest.fixture(scope="module")
def listener():
    running = Listener()
    yield running
    running.close()


@pytest.fixture(scope="module")
def engine():
    """Oxigraph with one triple, so that patterns match and SERVICE clauses get evaluated."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o")))
    return store


def engine_calls(engine, listener, text: str) -> list[str]:
    """The paths the engine asked the listener for while running ``text`` (syntax errors: none)."""
    listener.hits.clear()
    try:
        result = engine.query(text)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, ValueError, RuntimeError):
        pass
    return sorted(set(listener.hits))


# --- The reproducers of the hardening issue ---------------------------------------------------

def test_the_escape_and_comment_trick_is_seen_and_refused(engine, listener):
    text = f"SELECT * WHERE {{ BIND(<urn:a\\u0041#> AS ?z) SERVICE <{listener.base}/x> {{ ?a ?b ?c }} }}"
    assert engine_calls(engine, listener, text) == ["/x"]  # what the engine does if let through
    with pytest.raises(BadRequest, match="SERVICE <http://127.0.0.1:.*/x> is not allowed"):
        check(text, OPEN)


@pytest.mark.parametrize("trick", [
    "BIND(<urn:a\\u0041#> AS ?z)",                 # an escape in an IRI, then '#'
    "BIND(<urn:#> AS ?z)",                         # '#' inside an IRI is no comment
    "?s <urn:p\\u0023> ?o .",                      # an escaped '#'
    "BIND(ex:a\\#b AS ?z)",                        # '#' escaped in a prefixed name
    "BIND(ex:a\\'b AS ?z)",                        # a quote escaped in a prefixed name
    'BIND("a\\"#" AS ?z)',                         # an escaped quote, then '#', in a string
    "BIND('''a'#''' AS ?z)",                       # a quote inside a long string
    'BIND("\\u0023" AS ?z)',                       # an escaped '#' in a string
])
def test_tricks_before_a_service_call_do_not_hide_it(engine, listener, trick):
    text = f"PREFIX ex: <urn:ex:> SELECT * WHERE {{ {trick} SERVICE <{listener.base}/t> {{ ?a ?b ?c }} }}"
    called = engine_calls(engine, listener, text)
    with pytest.raises(BadRequest) as refused:
        check(text, OPEN)
    assert refused.value.details.get("kind") in ("service", "syntax")
    if refused.value.details.get("kind") == "syntax":
        assert called == []  # we may refuse what the engine cannot read either, never the other way


def test_service_in_strings_comments_and_iris_is_no_call(engine, listener):
    text = (f'# SERVICE <{listener.base}/c> {{ }}\nSELECT ?x WHERE {{ BIND("SERVICE <{listener.base}/s> {{}}" AS ?x) '
            f'BIND(<urn:SERVICE> AS ?y) }}')
    checked = check(text, OPEN)
    assert checked.services == ()
    assert engine_calls(engine, listener, text) == []


def test_allowed_service_is_the_only_call(engine, listener):
    allowed = f"{listener.base}/allowed"
    policy = Policy(frozenset({allowed}), None)
    checked = check(f"SELECT * {{ SERVICE <{allowed}> {{ ?a ?b ?c }} }}", policy)
    assert checked.services == (allowed,)
    assert engine_calls(engine, listener, checked.text) == ["/allowed"]


@pytest.mark.parametrize("query,why", [
    ("SELECT * { SERVICE ?e { ?s ?p ?o } }", "variable"),
    ("SELECT * { SERVICE <relative> { ?s ?p ?o } }", "absolute"),
    ("BASE <http://127.0.0.1/> SELECT * { SERVICE <x> { ?s ?p ?o } }", "absolute"),
    ("SELECT * { SERVICE ex:x { ?s ?p ?o } }", "not declared"),
    ("PREFIX ex: <rel/> SELECT * { SERVICE ex:x { ?s ?p ?o } }", "relative"),
    ("SELECT * { SERVICE SILENT { ?s ?p ?o } }", "followed by an IRI"),
])
def test_services_that_cannot_be_checked_are_refused(query, why):
    with pytest.raises(BadRequest, match=why):
        check(query, OPEN)


def test_prefixed_service_targets_resolve_as_the_engine_resolves_them():
    policy = Policy(frozenset({"http://example.org/sparql"}), None)
    checked = check("PREFIX e: <http://example.org/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }", policy)
    assert checked.services == ("http://example.org/sparql",)
    checked = check("PREFIX e: <http://example.org/> PREFIX e: <http://example.org/> "
                    "SELECT * { SERVICE SILENT e:sp\\u0061rql { ?s ?p ?o } }".replace("\\u0061", "a"), policy)
    assert checked.services == ("http://example.org/sparql",)


# --- Form, dataset, limits -----------------------------------------------------------------

@pytest.mark.parametrize("query", ["INSERT DATA { <a> <b> <c> }", "LOAD <http://x>", "DELETE WHERE { ?s ?p ?o }",
                                   "PREFIX a: <urn:a> CLEAR ALL", "WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"])
def test_updates_are_forbidden(query):
    with pytest.raises(Forbidden):
        check(query, OPEN)


def test_from_names_only_the_datasets_graphs():
    policy = Policy(frozenset(), GRAPHS)
    assert check("SELECT * FROM <https://w3id.org/gpai-kg/graph/data> { ?s ?p ?o }", policy).graphs == (
        "https://w3id.org/gpai-kg/graph/data",)
    for text in ("SELECT * FROM <http://127.0.0.1:9/g> { ?s ?p ?o }",
                 "SELECT * FROM NAMED <file:///etc/passwd> { GRAPH ?g { ?s ?p ?o } }"):
        with pytest.raises(BadRequest, match="holds no graph"):
            check(text, policy)
    with pytest.raises(BadRequest, match="holds no graph <http://elsewhere/>"):
        check("ASK {}", policy, protocol_graphs=["http://elsewhere/"])


def test_deep_nesting_is_refused_before_any_engine_parses_it():
    deep = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    with pytest.raises(BadRequest) as refused:
        check(deep, OPEN)
    assert refused.value.details["limit"] == "depth"
    fine = "SELECT * WHERE " + "{" * (MAX_DEPTH - 1) + "}" * (MAX_DEPTH - 1)
    assert check(fine, OPEN).form == "SELECT"


def test_size_is_checked_in_bytes():
    with pytest.raises(BadRequest) as refused:
        check("ASK { ?s ?p \"" + "é" * 600 + "\" }", Policy(frozenset(), None, max_bytes=1000))
    assert refused.value.details["limit"] == "size"


def test_lex_errors_name_their_line_and_column():
    with pytest.raises(BadRequest) as refused:
        check('SELECT *\nWHERE { ?s ?p "unclosed }', OPEN)
    assert (refused.value.details["line"], refused.value.details["column"]) == (2, 15)
    assert refused.value.details["kind"] == "syntax"


def test_the_engine_runs_the_query_without_comments_or_escapes():
    text = "SELECT ?x # a comment\nWHERE { BIND(<urn:\\u0041> AS ?x) BIND(\"\\u0022q\\u0022\" AS ?y) }"
    checked = check(text, OPEN)
    assert "#" not in checked.text and "\\u" not in checked.text
    assert checked.text.count("\n") == text.count("\n")  # line numbers of errors stay true
    assert "<urn:A>" in checked.text and '"\\"q\\""' in checked.text
    assert check(checked.text, OPEN).text == checked.text


def test_top_level_limit_and_relative_iris():
    assert check("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 5 } } LIMIT 100", OPEN).limit == 100
    assert check("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 5 } }", OPEN).limit is None
    assert check("SELECT * { <a> ?p <http://example.org/b> }", OPEN).relative_iris
    assert not check("SELECT * { <http://example.org/a> ?p ?o FILTER(?o < 3) }", OPEN).relative_iris


# --- Templates: request input enters as terms ---------------------------------------------

@pytest.mark.parametrize("hostile", ['x" } SERVICE <http://127.0.0.1:9/p> { ?a ?b ?c } # ',
                                     "x'\n} SERVICE <http://127.0.0.1:9/p> { ?a ?b ?c }", "\\u0022 } #"])
def test_a_literal_cannot_break_out_of_its_place(engine, listener, hostile):
    template = Template('SELECT ?s { ?s ?p ?o FILTER(STR(?o) = $value) }')
    text = template.fill(value=ox.Literal(hostile))
    checked = check(text, OPEN)
    assert checked.services == ()
    assert engine_calls(engine, listener, text) == []
    assert len([t for t in tokens(text) if t.kind == "string"]) == 1


def test_an_iri_parameter_must_be_an_iri():
    template = Template("ASK { $r ?p ?o }")
    with pytest.raises(ValueError):
        template.fill(r=ox.NamedNode("urn:x> ?p ?o } SERVICE <http://127.0.0.1:9/p> { ?a ?b ?c } #"))
    with pytest.raises(TypeError):
        template.fill(r="urn:x")  # text is never a term
    with pytest.raises(TypeError):
        template.fill()


# --- Differential fuzzing against the engine ----------------------------------------------

FRAGMENTS = st.sampled_from([
    "?s ?p ?o .", "BIND(<urn:a\\u0041#> AS ?z)", "BIND(<urn:#> AS ?y)", "# comment {\n", "#", "\n",
    "BIND('#' AS ?c)", 'BIND("\\"#" AS ?d)', "BIND('''#'\n''' AS ?e)", "BIND(ex:a\\#b AS ?f)", "BIND(ex:a\\'b AS ?g)",
    "FILTER(?o < ?s || 1 > 2)", "FILTER(1 <2)", "OPTIONAL { ?s ?p ?o }", "{ ?s ?p ?o } UNION { ?s ?p ?o }",
    "SERVICE <{L}/a> { ?a ?b ?c }", "SERVICE SILENT <{L}/b> { ?a ?b ?c }", "SERVICE ex2:c { ?a ?b ?c }",
    "service <{L}/d> { ?a ?b ?c }", "BIND(<urn:x\\u003E SERVICE <{L}/e> { ?a ?b ?c } #> AS ?h)",
    "\"SERVICE <{L}/f> {}\"", "'", "\"", "<", ">", "\\u0023", "\\u000A", "{", "}", "(", ")",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(FRAGMENTS, min_size=1, max_size=8))
def test_the_door_and_the_engine_agree_on_service_calls(engine, listener, fragments):
    body = " ".join(f.replace("{L}", listener.base) for f in fragments)
    text = f"PREFIX ex: <urn:ex:> PREFIX ex2: <{listener.base}/> SELECT * WHERE {{ {body} }}"
    try:
        reading = check(text, Policy(frozenset({f"{listener.base}/{p}" for p in "abcdef"}), None))
    except (BadRequest, Forbidden):
        return  # refused: nothing runs
    allowed = sorted(f"/{s.rsplit('/', 1)[1]}" for s in reading.services)
    # Whatever the engine calls, on the text as sent and on the text the door passes on, was seen.
    assert set(engine_calls(engine, listener, text)) <= set(allowed)
    assert set(engine_calls(engine, listener, reading.text)) <= set(allowed)
