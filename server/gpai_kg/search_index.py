"""The search index: every name and identifier of every resource, in SQLite FTS5, built once per release.

Built at serve start into the store cache (``store_dir``), in a folder keyed by the release's
checksums (the SHA-256 of its ``SHA256SUMS``), or by the files served, and reused until they
change: the same index serves the embedded store and an external one, and ``serve FILES`` too,
which has no build. Built from the release's own N-Quads (the bytes its checksums verified),
never by asking the store for every literal.

What it holds, for each IRI with a name:

* its names (``rdfs:label``, ``skos:prefLabel``, ``foaf:name``, ``schema:name``, ``dcterms:title``,
  ``skos:altLabel``, ``schema:legalName``…) in every language, folded by :mod:`gpai_kg.search_text`;
* its identifiers: ISO 3166-1 codes, ``dcterms:identifier``, ``skos:notation``, the Wikidata QIDs
  and GeoNames IDs of its ``skos:exactMatch`` links (matched exactly, never as prefixes);
* its types (with their superclasses), whether it is a member of GPAI, its descriptions, and a
  *tier*: GPAI, its members and its bodies (0); other countries, organisations, people, events,
  projects, outputs, documents (1); sources and claims (2); everything else (3).

Ranking: exact name or identifier first, then names that start with the query, then names that
contain all its words (the last one as a prefix); within each, by tier, then shorter names first.
Names are stored in that order, so FTS5 returns them ranked by rowid and a search reads only
as many as it shows, whatever the size of the graph.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import re
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .errors import ParseError, QueryLimitExceeded
from .namespaces import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SCHEMA, SH, SKOS, Namespaces
from .search_text import key, match_expression, tokens
from .store import build_locked, lock_folder, remove_unused

#: Bump when what the index holds or how it folds changes: the cache key includes it.
INDEX_VERSION = "2"
INDEX_FILE = "search.sqlite"

LABELS = (SKOS.prefLabel, RDFS.label, FOAF.name, SCHEMA.name, DCTERMS.title)
ALT_LABELS = (SKOS.altLabel, SKOS.hiddenLabel, SCHEMA.alternateName, SCHEMA.legalName)
DESCRIPTIONS = (DCTERMS.description, RDFS.comment, SKOS.definition, SCHEMA.description)
LINKS = (SKOS.exactMatch, OWL.sameAs)
WIKIDATA = "http://www.wikidata.org/entity/"
GEONAMES = re.compile(r"^https?://sws\.geonames\.org/(\d+)/?$")
#: Property ids (as the reconciliation service names them) of the identifiers indexed.
IDENTIFIERS = {"isoAlpha2": "isoAlpha2", "isoAlpha3": "isoAlpha3", "isoNumeric": "isoNumeric"}
MEMBER = "member"   # the pseudo-type of GPAI's members
SHORT_DESCRIPTION = 200


def _iri(term) -> str:
    return str(term)


@dataclass
class _Entity:
    names: list[tuple[str, str, str, str | None]] = field(default_factory=list)  # kind, lang, text, prop
    types: set[str] = field(default_factory=set)
    descriptions: dict[str, str] = field(default_factory=dict)
    links: set[str] = field(default_factory=set)
    member: bool = False


def build_index(quads: Iterable[ox.Quad], target: Path, ns: Namespaces) -> dict[str, int]:
    """Write the index of ``quads`` (a release's N-Quads, or any RDF) into ``target``."""
    labels = {_iri(p) for p in LABELS}
    alts = {_iri(p) for p in ALT_LABELS}
    descriptions = {_iri(p) for p in DESCRIPTIONS}
    links = {_iri(p) for p in LINKS}
    identifiers = {str(ns.gpai[local]): prop for local, prop in IDENTIFIERS.items()}
    identifiers.update({_iri(DCTERMS.identifier): "identifier", _iri(SKOS.notation): "identifier"})
    rdf_type, subclass, member_of = _iri(RDF.type), _iri(RDFS.subClassOf), _iri(ORG.memberOf)
    gpai = str(ns.mint("organisation", "gpai"))

    entities: dict[str, _Entity] = defaultdict(_Entity)
    parents: dict[str, set[str]] = defaultdict(set)
    for quad in quads:
        s, p, o = quad.subject, quad.predicate.value, quad.object
        if not isinstance(s, ox.NamedNode):
            continue
        if p == rdf_type and isinstance(o, ox.NamedNode):
            entities[s.value].types.add(o.value)
        elif isinstance(o, ox.Literal):
            lang = (o.language or "").lower()
            if p in labels:
                entities[s.value].names.append(("label", lang, o.value, None))
            elif p in alts:
                entities[s.value].names.append(("alt", lang, o.value, None))
            elif p in identifiers:
                entities[s.value].names.append(("id", "", o.value, identifiers[p]))
            elif p in descriptions:
                entities[s.value].descriptions.setdefault(lang, o.value)
        elif p in links and isinstance(o, ox.NamedNode):
            entity = entities[s.value]
            entity.links.add(o.value)
            if o.value.startswith(WIKIDATA):
                entity.names.append(("id", "", o.value[len(WIKIDATA):], "wikidata"))
            elif match := GEONAMES.match(o.value):
                entity.names.append(("id", "", match.group(1), "geonames"))
        elif p == subclass and isinstance(o, ox.NamedNode):
            parents[s.value].add(o.value)
        elif p == member_of and isinstance(o, ox.NamedNode) and o.value == gpai:
            entities[s.value].member = True

    closure = _closure(parents)
    indexed = {iri: e for iri, e in entities.items() if e.names}
    classes = sorted({t for e in indexed.values() for t in e.types})
    codes = {cls: f"c{i}" for i, cls in enumerate(classes)}
    tiers = {iri: _tier(iri, e, ns, gpai) for iri, e in indexed.items()}

    target = Path(target)
    if target.exists():
        target.unlink()
    db = sqlite3.connect(target)
    try:
        db.executescript(_SCHEMA)
        order = sorted(indexed, key=lambda iri: (tiers[iri], iri))
        entity_ids = {iri: i + 1 for i, iri in enumerate(order)}
        kinds = {iri: " ".join(sorted({codes[t] for t in e.types} | ({MEMBER} if e.member else set())))
                 for iri, e in indexed.items()}
        db.executemany("INSERT INTO entity(id, iri, tier, kinds, data) VALUES (?, ?, ?, ?, ?)", (
            (entity_ids[iri], iri, tiers[iri], kinds[iri],
             json.dumps(_entity_data(indexed[iri], closure, ns), ensure_ascii=False)) for iri in order))
        db.executemany("INSERT INTO link(iri, entity) VALUES (?, ?)",
                       ((link, entity_ids[iri]) for iri in order for link in indexed[iri].links))
        rows = []
        for iri in order:
            entity = indexed[iri]
            seen: set[tuple[str, str | None]] = set()
            for kind, lang, text, prop in sorted(entity.names, key=lambda n: ("label", "alt", "id").index(n[0])):
                name_key = key(text)
                if not name_key or (name_key, prop) in seen:
                    continue
                seen.add((name_key, prop))
                rows.append((tiers[iri], len(name_key), name_key, entity_ids[iri], text, lang, kind, prop, kinds[iri]))
        rows.sort(key=lambda r: r[:4])
        db.executemany("INSERT INTO name(id, entity, key, text, lang, kind, prop) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       ((i + 1, r[3], r[2], r[4], r[5], r[6], r[7]) for i, r in enumerate(rows)))
        db.executemany("INSERT INTO name_fts(rowid, words, kinds) VALUES (?, ?, ?)",
                       ((i + 1, r[2], r[8]) for i, r in enumerate(rows) if r[6] != "id"))
        class_labels = {cls: _labels(indexed[cls]) if cls in indexed else {} for cls in classes}
        counts: dict[str, int] = defaultdict(int)
        for entity in indexed.values():
            for t in entity.types:
                counts[t] += 1
        db.executemany("INSERT INTO class(iri, code, data) VALUES (?, ?, ?)", (
            (cls, codes[cls], json.dumps({"labels": class_labels[cls] or {"": _local_name(cls)},
                                          "count": counts[cls], "broader": sorted(parents.get(cls, ()))},
                                         ensure_ascii=False)) for cls in classes))
        db.execute("INSERT INTO meta(key, value) VALUES ('version', ?), ('base', ?)", (INDEX_VERSION, ns.base))
        db.execute("INSERT INTO name_fts(name_fts) VALUES ('optimize')")
        db.commit()
        db.execute("VACUUM")
    finally:
        db.close()
    return {"entities": len(order), "names": len(rows), "classes": len(classes)}


_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE entity(id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, tier INTEGER NOT NULL, kinds TEXT NOT NULL,
                    data TEXT NOT NULL);
CREATE TABLE name(id INTEGER PRIMARY KEY, entity INTEGER NOT NULL, key TEXT NOT NULL, text TEXT NOT NULL,
                  lang TEXT NOT NULL, kind TEXT NOT NULL, prop TEXT);
CREATE INDEX name_key ON name(key);
CREATE INDEX name_prop ON name(prop, key);
CREATE INDEX name_entity ON name(entity);
CREATE TABLE link(iri TEXT NOT NULL, entity INTEGER NOT NULL);
CREATE INDEX link_iri ON link(iri);
CREATE TABLE class(iri TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, data TEXT NOT NULL);
CREATE VIRTUAL TABLE name_fts USING fts5(words, kinds, content='', prefix='1 2 3',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'");
"""


def _closure(parents: dict[str, set[str]]) -> dict[str, set[str]]:
    closure: dict[str, set[str]] = {}

    def up(cls: str, seen: frozenset = frozenset()) -> set[str]:
        if cls in closure:
            return closure[cls]
        found: set[str] = set()
        for parent in parents.get(cls, ()):
            if parent not in seen:
                found |= {parent} | up(parent, seen | {cls})
        closure[cls] = found
        return found

    for cls in list(parents):
        up(cls)
    return closure


def _tier(iri: str, entity: _Entity, ns: Namespaces, gpai: str) -> int:
    types = entity.types
    if iri == gpai or entity.member or str(ORG.OrganizationalUnit) in types:
        return 0
    if not types or types & _relations(ns) or all(t.startswith((str(OWL), str(SH))) for t in types):
        return 3
    if types & {str(PROV.Entity), str(ns.gpai.Claim)} and not types & _works(ns):
        return 2
    return 1


def _relations(ns: Namespaces) -> set[str]:
    """Classes of the nodes that relate things (memberships, adherences…) and of vocabularies."""
    return {str(ORG.Membership), str(ORG.Role), str(ORG.ChangeEvent), str(ns.gpai.Participation),
            str(ns.gpai.Invitation), str(ns.gpai.Adherence), str(SKOS.ConceptScheme), str(PROV.Activity),
            str(RDF.Statement)}


def _works(ns: Namespaces) -> set[str]:
    """Works that are also sources (reports, declarations, projects): ranked with the things, not the sources."""
    return {str(ns.gpai.Output), str(ns.gpai.Project), str(ns.gpai.Declaration), str(SCHEMA.Legislation),
            str(SCHEMA.Report), str(SCHEMA.Project)}


def _labels(entity: _Entity) -> dict[str, str]:
    found: dict[str, str] = {}
    for kind, lang, text, _ in entity.names:
        if kind == "label":
            found.setdefault(lang, text)
    return found


def _entity_data(entity: _Entity, closure: dict[str, set[str]], ns: Namespaces) -> dict:
    specific = [t for t in entity.types if not any(t in closure.get(o, ()) for o in entity.types if o != t)]
    specific.sort(key=lambda t: (not t.startswith(str(ns.gpai)), t))
    labels = _labels(entity)
    if not labels:  # named only by alternative labels or identifiers
        for kind, lang, text, _ in entity.names:
            labels.setdefault(lang, text)
    return {"labels": labels, "descriptions": {lang: _short(text) for lang, text in entity.descriptions.items()},
            "types": sorted(entity.types), "type": specific[0] if specific else None, "member": entity.member}


def _short(text: str) -> str:
    """The first sentence of a description, at most SHORT_DESCRIPTION characters."""
    text = " ".join(text.split())
    match = re.match(r"(.+?[.;!?])(\s|$)", text)
    first = match.group(1) if match else text
    return first if len(first) <= SHORT_DESCRIPTION else first[:SHORT_DESCRIPTION - 1].rstrip() + "…"


def _local_name(iri: str) -> str:
    """A class's name from its IRI, for classes of other vocabularies that the release does not label:
    ``org:FormalOrganization`` is "Formal organization"."""
    local = re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).split(" ")
    return " ".join([words[0], *(w.lower() if w[1:].islower() else w for w in words[1:])])


# --- Preparing the index: once per release, kept in the store cache --------------------------

#: The index cache's folders in the store cache: an index under its digest, or a build in progress.
INDEX_FOLDER = re.compile(r"^(?:search-[0-9a-f]{32}|\.tmp-search-[0-9a-f]{12}-.*)$")


def prepare_index(source_key: str, quads, cache_dir: Path, ns: Namespaces) -> tuple[Path, int]:
    """The index of ``quads()`` in ``cache_dir``, built unless one for ``source_key`` is there.

    Returns its path and a file descriptor holding a shared lock on its folder while the process
    lives (the store cache removes folders nobody holds, as it does for stores).
    """
    digest = hashlib.sha256(f"{INDEX_VERSION}|{ns.base}|{source_key}".encode()).hexdigest()[:32]
    folder = Path(cache_dir) / f"search-{digest}"
    if (folder / INDEX_FILE).is_file():
        return folder / INDEX_FILE, lock_folder(folder, fcntl.LOCK_SH)
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    hold = build_locked(folder, f".tmp-search-{digest[:12]}-", lambda tmp: build_index(quads(), tmp / INDEX_FILE, ns))
    remove_unused(Path(cache_dir), folder, INDEX_FOLDER)
    return folder / INDEX_FILE, hold


# --- Searching ----------------------------------------------------------------------------------

#: Levels of a hit, best first.
EXACT, PREFIX, WORDS, SOME_WORDS = 0, 1, 2, 3
LEVELS = {EXACT: "exact", PREFIX: "prefix", WORDS: "words", SOME_WORDS: "some words"}
#: Characters of each query word that a fuzzy candidate must share (misspellings are mostly later in a word).
FUZZY_PREFIX = 3


@dataclass(frozen=True)
class TypeFilter:
    """Entities of any of ``classes`` (class IRIs, or MEMBER), and of none of ``excluded``."""

    classes: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()


@dataclass
class Hit:
    entity: int
    iri: str
    level: int
    tier: int
    name: str        # the name that matched, as written
    lang: str
    kind: str        # label, alt or id
    prop: str | None
    data: dict = field(default_factory=dict)
    name_id: int | None = None

    def label(self, lang: str) -> tuple[str, str]:
        return best_text(self.data["labels"], lang) or (self.iri, "")

    def description(self, lang: str) -> tuple[str, str] | None:
        return best_text(self.data["descriptions"], lang)


def best_text(texts: dict[str, str], lang: str) -> tuple[str, str] | None:
    """(text, language) in ``lang``, its primary language, English, no language, or any."""
    for tag in (lang, lang.split("-")[0], "en", ""):
        if tag in texts:
            return texts[tag], tag
    for tag in sorted(texts):
        return texts[tag], tag
    return None


class SearchIndex:
    """The index, read-only: one SQLite connection per thread, opened on first use (after any fork)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._classes: dict[str, dict] | None = None

    @property
    def db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            self._local.db = db
        return db

    # classes -----------------------------------------------------------------------------
    @property
    def classes(self) -> dict[str, dict]:
        """Class IRI → {code, labels, count, broader}."""
        if self._classes is None:
            self._classes = {iri: {"code": code, **json.loads(data)}
                             for iri, code, data in self.db.execute("SELECT iri, code, data FROM class")}
        return self._classes

    def class_label(self, iri: str, lang: str) -> str:
        info = self.classes.get(iri)
        found = best_text(info["labels"], lang) if info else None
        return found[0] if found else _local_name(iri)

    # look-ups -----------------------------------------------------------------------------
    def entity(self, iri: str) -> Hit | None:
        row = self.db.execute("SELECT id, iri, tier, data FROM entity WHERE iri = ?", (iri,)).fetchone()
        if row is None:
            return None
        return Hit(row[0], row[1], EXACT, row[2], "", "", "iri", None, json.loads(row[3]))

    def entities(self, iris: Iterable[str]) -> dict[str, Hit]:
        found = {}
        for iri in dict.fromkeys(iris):
            hit = self.entity(iri)
            if hit is not None:
                found[iri] = hit
        return found

    def names(self, entity_ids: Iterable[int]) -> dict[int, list[tuple[str, str, str, str, str | None]]]:
        """Entity id → [(key, text, lang, kind, prop)]: every name and identifier."""
        ids = list(dict.fromkeys(entity_ids))
        found: dict[int, list] = defaultdict(list)
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            marks = ",".join("?" * len(part))
            for row in self.db.execute(f"SELECT entity, key, text, lang, kind, prop FROM name "  # noqa: S608
                                       f"WHERE entity IN ({marks}) ORDER BY id", part):
                found[row[0]].append(row[1:])
        return found

    def by_identifier(self, prop: str, value: str, limit: int = 50) -> list[int]:
        rows = self.db.execute("SELECT DISTINCT entity FROM name WHERE prop = ? AND key = ? LIMIT ?",
                               (prop, key(value), limit))
        return [r[0] for r in rows]

    # search -------------------------------------------------------------------------------
    def search(self, query: str, types: TypeFilter | None = None, limit: int = 10, *, fuzzy: bool = False,
               deadline: float | None = None) -> list[Hit]:
        """Entities whose names or identifiers match ``query``, best first (see the module's ranking).

        ``fuzzy`` adds, after the others, entities any of whose words start like a word of the query
        (its first FUZZY_PREFIX characters: "Columbia" finds Colombia): candidates for reconciliation,
        which scores them itself.
        """
        toks = tokens(query)
        if not toks or limit <= 0:
            return []
        db = self.db
        if deadline is not None:
            db.set_progress_handler(lambda: time.monotonic() > deadline, 500)
        try:
            return self._search(query, toks, types, limit, fuzzy)
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise QueryLimitExceeded("the search did not finish within its time limit", limit="time") from None
            raise
        finally:
            if deadline is not None:
                db.set_progress_handler(None, 0)

    def _search(self, query: str, toks: list[str], types: TypeFilter | None, limit: int, fuzzy: bool) -> list[Hit]:
        kinds = self._kinds_expression(types)
        if kinds == "":
            return []                                   # no entity has the types asked for
        codes = self._codes(types)
        found: dict[int, tuple[int, int | None]] = {}   # entity -> (level, name id)
        def add(rows, level: int) -> None:
            for entity, name_id, entity_kinds in rows:
                if entity not in found and (codes is None or codes(entity_kinds)):
                    found[entity] = (level, name_id)
        iri = self._iri_candidates(query.strip())
        add(iri, EXACT)
        add(self.db.execute("SELECT n.entity, n.id, e.kinds FROM name n JOIN entity e ON e.id = n.entity "
                            "WHERE n.key = ? ORDER BY n.id LIMIT 5000", (" ".join(toks),)), EXACT)
        wanted = limit * 8 + 40   # names read per phase: an entity has several that match
        phases = [(PREFIX, match_expression(toks, anchored=True)), (WORDS, match_expression(toks))]
        if fuzzy:
            phases.append((SOME_WORDS, match_expression([t[:FUZZY_PREFIX] for t in toks], any_word=True)))
        for level, expression in phases:
            if len(found) >= limit:
                break
            match = f"(words : ({expression})){kinds or ''}"
            add(self.db.execute(
                "SELECT n.entity, n.id, e.kinds FROM name_fts JOIN name n ON n.id = name_fts.rowid "
                "JOIN entity e ON e.id = n.entity WHERE name_fts MATCH ? ORDER BY name_fts.rowid LIMIT ?",
                (match, wanted)), level)
        # Name ids are in rank order (tier, then shorter names first), so they order each level.
        ranked = sorted(found.items(), key=lambda item: (item[1][0], item[1][1] or 0, item[0]))[:limit]
        return [self._hit(entity, level, name_id) for entity, (level, name_id) in ranked]

    def _codes(self, types: TypeFilter | None):
        """A test of an entity's ``kinds`` against ``types`` (None: no filter)."""
        if types is None or not (types.classes or types.excluded):
            return None
        code = lambda cls: MEMBER if cls == MEMBER else self.classes.get(cls, {}).get("code")  # noqa: E731
        include = {c for c in map(code, types.classes) if c}
        exclude = {c for c in map(code, types.excluded) if c}

        def test(kinds: str) -> bool:
            have = set(kinds.split())
            return (not types.classes or bool(have & include)) and not have & exclude
        return test

    def _iri_candidates(self, text: str) -> list[tuple[int, None, str]]:
        if not re.match(r"^https?://\S+$", text):
            return []
        wiki = re.match(r"^https?://(?:www\.)?wikidata\.org/(?:wiki|entity)/(Q\d+)$", text)
        iri = WIKIDATA + wiki.group(1) if wiki else text
        return self.db.execute(
            "SELECT id, NULL, kinds FROM entity WHERE iri = ? UNION ALL "
            "SELECT e.id, NULL, e.kinds FROM link l JOIN entity e ON e.id = l.entity WHERE l.iri = ?",
            (iri, iri)).fetchall()

    def _hit(self, entity: int, level: int, name_id: int | None) -> Hit:
        iri, tier, data = self.db.execute("SELECT iri, tier, data FROM entity WHERE id = ?", (entity,)).fetchone()
        hit = Hit(entity, iri, level, tier, "", "", "iri", None, json.loads(data), name_id)
        if name_id is not None:
            hit.name, hit.lang, hit.kind, hit.prop = self.db.execute(
                "SELECT text, lang, kind, prop FROM name WHERE id = ?", (name_id,)).fetchone()
        return hit

    def _kinds_expression(self, types: TypeFilter | None) -> str | None:
        """The FTS5 condition on the ``kinds`` column for ``types``, to follow a ``words`` condition
        (None: no filter; "": no entity can match)."""
        if types is None or not (types.classes or types.excluded):
            return None
        code = lambda cls: MEMBER if cls == MEMBER else self.classes.get(cls, {}).get("code")  # noqa: E731
        include = [c for c in map(code, types.classes) if c]
        exclude = [c for c in map(code, types.excluded) if c]
        if types.classes and not include:
            return ""
        condition = (" AND kinds : (" + " OR ".join(f'"{c}"' for c in include) + ")") if include else ""
        if exclude:
            condition += " NOT kinds : (" + " OR ".join(f'"{c}"' for c in exclude) + ")"
        return condition or None


def matches_types(hit: Hit, types: TypeFilter | None) -> bool:
    if types is None:
        return True
    have = set(hit.data.get("types", ())) | ({MEMBER} if hit.data.get("member") else set())
    if types.classes and not have & set(types.classes):
        return False
    return not have & set(types.excluded)


def release_quads(paths: list[tuple[Path, ox.RdfFormat]]) -> Iterator[ox.Quad]:
    """The quads (or triples) of RDF files, gzipped or not: what the index reads. A file that does not
    parse is a ParseError naming it, as when the store loads it (``serve FILES`` reads files as given)."""
    for path, fmt in paths:
        opener = gzip.open if str(path).endswith(".gz") else open
        try:
            with opener(path, "rb") as handle:
                yield from ox.parse(handle, format=fmt)
        except SyntaxError as exc:
            raise ParseError(Path(path), None, str(exc)) from None


__all__ = ["EXACT", "LEVELS", "MEMBER", "PREFIX", "SOME_WORDS", "WORDS", "Hit", "SearchIndex", "TypeFilter",
           "best_text", "build_index", "matches_types", "prepare_index", "release_quads"]
