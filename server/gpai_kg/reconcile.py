"""Reconciliation (W3C Reconciliation Service API 0.2): match spreadsheet rows to the graph's entities.

Plain functions over the service; the web layer (:mod:`gpai_kg.web.reconcile`) only parses HTTP.

* :func:`parse_batch` reads a reconciliation query batch and refuses, with a 400 that says where,
  what the specification's JSON schema refuses (and batches larger than :data:`BATCH_SIZE`: 413).
* :func:`reconcile` answers each query independently: candidates from the search index (exact
  names and identifiers, prefixes, words, then words that start alike, for misspellings), scored
  by how close their best name is to the query (``name`` feature, 0–1) and by the property
  constraints (``prop:ID`` features: true when a value agrees, false when the entity has values
  and none agrees). The score is 100 × the mean of the name similarity and the constraints
  (identifiers count twice). ``match`` is true only for a candidate that scores at least
  :data:`MATCH_SCORE`, contradicts no constraint, and is at least :data:`MARGIN` ahead of the next.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .errors import BadRequest, RequestTooLarge
from .reconcile_properties import PROPERTIES, Values
from .search_index import TypeFilter
from .search_text import key
from .search_types import type_filter

BATCH_SIZE = 50
MAX_LIMIT = 100
DEFAULT_LIMIT = 10
MATCH_SCORE = 90.0
MARGIN = 10.0
#: Longest query string used; a longer cell is cut (a name is never this long).
MAX_QUERY_CHARS = 300
QUERY_KEYS = {"query", "type", "limit", "properties", "type_strict"}
WIKIDATA_ID = re.compile(r"^(?:https?://(?:www\.)?wikidata\.org/(?:wiki|entity)/)?(Q\d+)$", re.IGNORECASE)
GEONAMES_ID = re.compile(r"^(?:https?://sws\.geonames\.org/)?(\d+)/?$")


@dataclass
class Query:
    text: str
    types: list[str]
    limit: int
    properties: list[tuple[str, list]]   # (pid, values: str | number | bool | {"id", "name"})


@dataclass
class Candidate:
    iri: str
    name: str
    description: str | None
    types: list[dict]
    name_score: float
    checks: dict[str, bool] = field(default_factory=dict)
    score: float = 0.0
    match: bool = False

    def as_json(self) -> dict:
        out = {"id": self.iri, "name": self.name, "score": round(self.score, 2), "match": self.match,
               "type": self.types,
               "features": [{"id": "name", "value": round(self.name_score, 4)},
                            *({"id": f"prop:{pid}", "value": ok} for pid, ok in self.checks.items())]}
        if self.description:
            out["description"] = self.description
        return out


def parse_json(text: str | None, what: str) -> object:
    if text is None or not text.strip():
        raise BadRequest(f"{what} is missing or empty")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"{what} is not JSON: {exc}"[:300]) from None


def parse_batch(text: str | None) -> dict[str, Query]:
    batch = parse_json(text, "queries")
    if not isinstance(batch, dict):
        raise BadRequest("queries must be a JSON object: {\"q0\": {\"query\": \"…\"}, …}")
    if len(batch) > BATCH_SIZE:
        raise RequestTooLarge(f"this batch has {len(batch)} queries; this service takes at most {BATCH_SIZE} at once "
                              f"(its manifest says so in batchSize)")
    return {qid: _query(qid, q) for qid, q in batch.items()}


def _query(qid: str, q: object) -> Query:
    where = f"queries[{json.dumps(qid)[:60]}]"
    if not isinstance(q, dict):
        raise BadRequest(f"{where} must be an object")
    unknown = set(q) - QUERY_KEYS
    if unknown:
        raise BadRequest(f"{where} has fields a reconciliation query does not: {', '.join(sorted(unknown))[:200]}")
    text = q.get("query", "")
    if not isinstance(text, str):
        raise BadRequest(f"{where}.query must be a string")
    types = q.get("type", [])
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise BadRequest(f"{where}.type must be a type id or a list of them")
    limit = q.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit != int(limit) or limit < 1:
        raise BadRequest(f"{where}.limit must be a positive integer")
    if q.get("type_strict", "any") not in ("any", "should", "all"):
        raise BadRequest(f"{where}.type_strict must be any, should or all")
    raw_properties = q.get("properties", [])
    if not isinstance(raw_properties, list):
        raise BadRequest(f"{where}.properties must be a list of {{\"pid\": …, \"v\": …}}")
    properties = []
    for item in raw_properties:
        if not isinstance(item, dict) or not isinstance(item.get("pid"), str) or "v" not in item:
            raise BadRequest(f"{where}.properties: each must be an object with a pid (string) and a v")
        if item["pid"] not in PROPERTIES:
            raise BadRequest(f"{where}.properties: unknown property {item['pid'][:100]!r}; the property suggest "
                             f"service lists them")
        values = item["v"] if isinstance(item["v"], list) else [item["v"]]
        for value in values:
            if not isinstance(value, (str, int, float, bool)) and not (
                    isinstance(value, dict) and isinstance(value.get("id"), str)):
                raise BadRequest(f"{where}.properties: a value must be a string, a number, a boolean or "
                                 f"an object with an id")
        properties.append((item["pid"], values))
    if not text.strip() and not properties:
        raise BadRequest(f"{where} needs a non-empty query or properties")
    return Query(text[:MAX_QUERY_CHARS], types, min(int(limit), MAX_LIMIT), properties)


def similarity(query_key: str, name_key: str) -> float:
    """How alike two folded names are, 0–1: the better of the plain and the word-sorted comparison.

    >>> similarity("korea republic of", "republic of korea"), round(similarity("argentinia", "argentina"), 3)
    (1.0, 0.947)
    """
    if query_key == name_key:
        return 1.0
    plain = SequenceMatcher(None, query_key, name_key).ratio()
    ordered = SequenceMatcher(None, " ".join(sorted(query_key.split())), " ".join(sorted(name_key.split()))).ratio()
    return max(plain, ordered)


def reconcile(service, batch: dict[str, Query], lang: str = "en") -> dict[str, dict]:
    """The reconciliation result batch for ``batch``."""
    out = {}
    for qid, query in batch.items():
        out[qid] = {"result": [c.as_json() for c in _reconcile_one(service, query, lang)]}
    return out


def _filter(service, types: list[str]) -> TypeFilter | None:
    """Entities of any of the types asked for that we know; none when we know none of them."""
    if not types:
        return None
    classes: list[str] = []
    excluded: list[str] = []
    for name in types:
        try:
            found = type_filter([name], service.ns)
        except BadRequest:
            continue
        classes += found.classes
        excluded += found.excluded if len(types) == 1 else ()
    return TypeFilter(tuple(classes) or ("urn:x-gpai-kg:unknown-type",), tuple(excluded))


def _reconcile_one(service, query: Query, lang: str) -> list[Candidate]:
    index = service.search_index
    types = _filter(service, query.types)
    hits = service.search(query.text, types, max(query.limit, 25), fuzzy=True) if query.text.strip() else []
    if not hits:
        hits = _by_identifiers(service, query, types)
    if not hits:
        return []
    names = index.names(h.entity for h in hits)
    qkey = key(query.text)
    values = Values(service, [h.iri for h in hits]) if query.properties else None
    candidates = []
    for hit in hits:
        keys = [k for k, *_ in names.get(hit.entity, ())]
        name_score = max((similarity(qkey, k) for k in keys), default=0.0) if qkey else 0.0
        label = hit.label(lang)[0]
        description = hit.description(lang)
        kind = hit.data.get("type")
        candidate = Candidate(hit.iri, label, description[0] if description else None,
                              [{"id": kind, "name": index.class_label(kind, lang)}] if kind else [], name_score)
        if values is not None:
            for pid, wanted in query.properties:
                agrees = _agrees(values, hit.iri, pid, wanted)
                if agrees is not None:
                    candidate.checks[pid] = agrees
        candidate.score = _score(candidate, query)
        candidates.append(candidate)
    candidates.sort(key=lambda c: -c.score)
    candidates = candidates[:query.limit]
    best = candidates[0]
    runner_up = candidates[1].score if len(candidates) > 1 else None
    best.match = (best.score >= MATCH_SCORE and all(best.checks.values())
                  and (runner_up is None or best.score - runner_up >= MARGIN))
    return candidates


def _score(candidate: Candidate, query: Query) -> float:
    total = weight = 1.0 if query.text.strip() else 0.0
    total *= candidate.name_score
    for pid, ok in candidate.checks.items():
        w = 2.0 if PROPERTIES[pid].identifier else 1.0
        total += w * ok
        weight += w
    return 100 * total / weight if weight else 0.0


def _by_identifiers(service, query: Query, types: TypeFilter | None):
    """Candidates of a query without text (or whose text found none): entities with an identifier asked for."""
    from .search_index import matches_types

    index = service.search_index
    entities = []
    for pid, wanted in query.properties:
        if PROPERTIES[pid].source == "index" and PROPERTIES[pid].identifier:
            for value in wanted:
                value = value.get("id") if isinstance(value, dict) else value
                entities += index.by_identifier(pid, _identifier(pid, str(value)))
    hits = []
    for entity in dict.fromkeys(entities):
        row = index.db.execute("SELECT iri FROM entity WHERE id = ?", (entity,)).fetchone()
        hit = index.entity(row[0]) if row else None
        if hit is not None and matches_types(hit, types):
            hits.append(hit)
    return hits


def _identifier(pid: str, value: str) -> str:
    value = value.strip()
    if pid == "wikidata" and (m := WIKIDATA_ID.match(value)):
        return m.group(1).upper()
    if pid == "geonames" and (m := GEONAMES_ID.match(value)):
        return m.group(1)
    return value


def _agrees(values: Values, iri: str, pid: str, wanted: list) -> bool | None:
    """Whether the entity's values of ``pid`` agree with any of ``wanted`` (None: it has none)."""
    prop = PROPERTIES[pid]
    if prop.source == "index" and prop.identifier:
        have = {key(v) for v in values.identifiers(iri, pid)}
        if not have:
            return None
        asked = {key(_identifier(pid, str(v.get("id") if isinstance(v, dict) else v))) for v in wanted}
        return bool(have & asked)
    if prop.entity_values:
        have_iris = values.entity_iris(iri, pid)
        if not have_iris:
            return None
        for value in wanted:
            if isinstance(value, dict) and value["id"] in have_iris:
                return True
            text = key(str(value.get("name") or value["id"]) if isinstance(value, dict) else str(value))
            if text and any(k == text or similarity(text, k) >= 0.9
                            for other in have_iris for k in values.name_keys(other)):
                return True
        return False
    have = [v.get("str") or v.get("date") or "" for v in values.get(iri, pid)]
    if not have:
        return None
    asked = {key(str(v.get("id") if isinstance(v, dict) else v)) for v in wanted}
    return bool({key(h) for h in have} & asked)


__all__ = ["BATCH_SIZE", "Candidate", "Query", "parse_batch", "parse_json", "reconcile", "similarity"]
