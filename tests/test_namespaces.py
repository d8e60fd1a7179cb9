"""One source of truth for namespaces: the Turtle and SPARQL files agree with gpai_kg.namespaces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import URIRef

from conftest import ROOT
from gpai_kg.namespaces import CANONICAL_BASE, KINDS, NS, Namespaces

PREFIX = re.compile(r"^\s*@?prefix\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)
SOURCES = sorted([*ROOT.glob("ontology/*.ttl"), *ROOT.glob("shapes/*.ttl"), *ROOT.glob("data/*.ttl"),
                  *ROOT.glob("queries/**/*.rq"), *ROOT.glob("tests/fixtures/**/*.ttl")])
# The Wikidata stand-in is written in Wikidata's own model, whose schema: is http://schema.org/.
SOURCES = [p for p in SOURCES if "wikidata" not in p.parts]


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_prefixes_agree_with_namespaces(path: Path):
    known = NS.prefixes()
    for prefix, iri in PREFIX.findall(path.read_text(encoding="utf-8")):
        if prefix in known:
            assert iri == known[prefix], f"{path.name}: {prefix}: is <{iri}>, namespaces.py says <{known[prefix]}>"
        else:
            assert iri not in known.values(), f"{path.name}: <{iri}> is spelt {prefix}: here"


def test_iri_rule_check_lists_exactly_the_kinds(project):
    text = (project.checks_dir / "iri-rule-violation.rq").read_text()
    kinds = re.search(r"/id/\(([a-z|]+)\)/", text).group(1).split("|")
    assert tuple(kinds) == KINDS
    assert str(NS.id) in text.replace("\\\\.", ".")


def test_every_resource_iri_follows_the_rule(release):
    data = release.file("gpai-kg.nt").read_text(encoding="utf-8")
    ours = set(re.findall(r"<(" + re.escape(CANONICAL_BASE) + r"[^>]*)>", data))
    assert ours
    for iri in ours:
        assert iri.startswith(str(NS.gpai)) or NS.split(iri), iri


def test_mint_and_split_round_trip():
    ns = Namespaces("http://127.0.0.1:5000/")
    iri = ns.mint("membership", "gpai--fr")
    assert iri == URIRef("http://127.0.0.1:5000/id/membership/gpai--fr")
    assert ns.split(iri) == ("membership", "gpai--fr")
    assert ns.split("http://127.0.0.1:5000/id/nope/x") is None


@pytest.mark.parametrize("kind,key", [("country", "FR"), ("country", "f_r"), ("planet", "earth"), ("event", "-x")])
def test_mint_refuses_what_breaks_the_rule(kind, key):
    with pytest.raises(ValueError):
        NS.mint(kind, key)
