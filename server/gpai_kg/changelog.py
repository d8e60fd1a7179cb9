"""The changelog: what changed between two releases, told resource by resource, kind by kind.

Each changed quad belongs to a resource: its subject, or, for the blank nodes of a molecule (a
membership's interval and instants, a reification node), the resource the molecule hangs from (the
subject that links to it, or the ``rdf:subject`` it is about). Each resource's changes are then read
as the kinds a reader asks about (:data:`KINDS`): members who joined or are dated differently,
sources added or cited, labels changed, claims added, IRIs that appeared, disappeared, were
deprecated or replaced, and, for anything else, the statements added, removed or changed.

The result is plain data (the JSON changelog, ``changes.json``), which :func:`markdown` renders for
people and :mod:`gpai_kg.history` reads back for the resource pages. Every record has a ``kind``,
the ``resource`` it belongs to, an English ``text`` and, where they help, the IRIs it concerns
(``related``) and its old and new values.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, TIME

from .blank_nodes import MOLECULE
from .describe import DATE_PREDICATES, LABEL_PREDICATES, PRECISIONS
from .namespaces import Namespaces

FORMAT = "gpai-kg changelog 1"

#: The kinds of change, in the order a reader looks for them: (singular, plural).
KINDS: dict[str, tuple[str, str]] = {
    "member-joined": ("member joined", "members joined"),
    "member-dated-differently": ("membership dated differently", "memberships dated differently"),
    "source-added": ("source added", "sources added"),
    "source-cited": ("source newly cited", "sources newly cited"),
    "source-withdrawn": ("source no longer cited", "sources no longer cited"),
    "label-changed": ("label changed", "labels changed"),
    "label-added": ("label added", "labels added"),
    "label-removed": ("label removed", "labels removed"),
    "claim-added": ("claim added", "claims added"),
    "appeared": ("IRI that appeared", "IRIs that appeared"),
    "replaced": ("IRI replaced", "IRIs replaced"),
    "deprecated": ("IRI deprecated", "IRIs deprecated"),
    "disappeared": ("IRI that disappeared", "IRIs that disappeared"),
    "date-changed": ("date changed", "dates changed"),
    "value-changed": ("value changed", "values changed"),
    "statement-added": ("statement added", "statements added"),
    "statement-removed": ("statement removed", "statements removed"),
    "statements-changed": ("other change", "other changes"),
}

_RDF_TYPE = str(RDF.type)
_LABELS = tuple(str(p) for p in LABEL_PREDICATES)
_DATES = tuple(str(p) for p in DATE_PREDICATES)
_PRECISIONS = {str(k): v for k, v in PRECISIONS.items()}
_SOURCE = str(PROV.wasDerivedFrom)
_DEPRECATED, _REPLACED_BY = str(OWL.deprecated), str(DCTERMS.isReplacedBy)
_MEMBER, _ORGANISATION, _MEMBER_DURING = str(ORG.member), str(ORG.organization), str(ORG.memberDuring)
_MEMBERSHIP, _ENTITY = str(ORG.Membership), str(PROV.Entity)
_BEGINNING, _END = str(TIME.hasBeginning), str(TIME.hasEnd)
_STATEMENT_SUBJECT = str(RDF.subject)
#: What the changelog reads about the resources it names, beyond the changed quads themselves.
_CONTEXT = frozenset({_RDF_TYPE, *_LABELS, _MEMBER, _ORGANISATION})


@dataclass
class _Molecule:
    quads: list[ox.Quad] = field(default_factory=list)
    owner: str | None = None
    via: str | None = None      # the predicate that links the owner to it (None: a reification node)


@dataclass
class _Changes:
    """One resource's changed quads, on one side (added or removed)."""

    triples: list[ox.Quad] = field(default_factory=list)        # its own, ground or not
    molecules: list[_Molecule] = field(default_factory=list)


def changelog(comparison) -> dict:
    """The changelog of a :class:`gpai_kg.diff.Comparison`, as JSON-ready data."""
    ns = comparison.ns
    added, removed = _by_owner(comparison.added), _by_owner(comparison.removed)
    owners = sorted(set(added) | set(removed), key=lambda o: (o is None, o or ""))
    reader = _Reader(ns, comparison)
    involved = {o for o in owners if o} | reader.mentioned(comparison.added) | reader.mentioned(comparison.removed)
    reader.learn(involved)
    resources = []
    for owner in owners:
        records = reader.records(owner, added.get(owner, _Changes()), removed.get(owner, _Changes()))
        resources.append({"iri": owner, "curie": reader.curie(owner) if owner else None,
                          "label": reader.label(owner) if owner else None, "changes": records})
    kinds = {kind: 0 for kind in KINDS}
    for resource in resources:
        for record in resource["changes"]:
            kinds[record["kind"]] += 1
    graphs = {name: {"added": len(comparison.in_graph(comparison.added, name)),
                     "removed": len(comparison.in_graph(comparison.removed, name))}
              for name in ("data", "ontology", "shapes")}
    return {
        "format": FORMAT,
        "old": {"version": comparison.old.version, "issued": comparison.old.issued},
        "new": {"version": comparison.new.version, "issued": comparison.new.issued},
        "triples": {"added": len(comparison.added), "removed": len(comparison.removed), "graphs": graphs},
        "kinds": {kind: n for kind, n in kinds.items() if n},
        "resources": resources,
    }


def _by_owner(quads: list[ox.Quad]) -> dict[str | None, _Changes]:
    """Each quad under the resource it belongs to (molecules under the resource they hang from)."""
    owned: dict[str | None, _Changes] = defaultdict(_Changes)
    molecules: dict[str, _Molecule] = defaultdict(_Molecule)
    for quad in quads:
        s, o = quad.subject, quad.object
        if isinstance(s, ox.BlankNode):
            molecule = molecules[_molecule_of(s)]
            molecule.quads.append(quad)
            if quad.predicate.value == _STATEMENT_SUBJECT and isinstance(o, ox.NamedNode) and molecule.owner is None:
                molecule.owner = o.value
        elif isinstance(o, ox.BlankNode):
            molecule = molecules[_molecule_of(o)]
            molecule.quads.append(quad)
            molecule.owner, molecule.via = s.value, quad.predicate.value
        else:
            owned[s.value].triples.append(quad)
    for molecule in molecules.values():
        owned[molecule.owner].molecules.append(molecule)
    return owned


def _molecule_of(node: ox.BlankNode) -> str:
    match = MOLECULE.fullmatch(node.value)
    return match.group(1) if match else node.value


class _Reader:
    """Reads the changed quads of each resource as records, with what the new release says of it."""

    def __init__(self, ns: Namespaces, comparison) -> None:
        self.ns = ns
        self.comparison = comparison
        self.facts: dict[str, dict[str, list[ox.Term]]] = defaultdict(lambda: defaultdict(list))
        self._curies = sorted(((iri, prefix) for prefix, iri in ns.prefixes().items()), key=lambda p: -len(p[0]))

    @staticmethod
    def mentioned(quads: list[ox.Quad]) -> set[str]:
        return {t.value for q in quads for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}

    def learn(self, iris: set[str]) -> None:
        """Types, labels and membership parties of ``iris`` (and labels of those parties): from the new
        release, else the old one."""
        self._learn(iris)
        parties = {t.value for facts in list(self.facts.values()) for p in (_MEMBER, _ORGANISATION)
                   for t in facts.get(p, []) if isinstance(t, ox.NamedNode)}
        self._learn(parties - set(self.facts))

    def _learn(self, iris: set[str]) -> None:
        for snapshot in (self.comparison.new, self.comparison.old):
            wanted = iris - set(self.facts)
            if not wanted:
                return
            for quad in ox.parse("\n".join(snapshot.about(wanted)), format=ox.RdfFormat.N_QUADS):
                if quad.predicate.value in _CONTEXT:
                    self.facts[quad.subject.value][quad.predicate.value].append(quad.object)

    # names ----------------------------------------------------------------------------------
    def curie(self, iri: str) -> str:
        for namespace, prefix in self._curies:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace):]}"
        return f"<{iri}>"

    def label(self, iri: str) -> str | None:
        labels = [t for p in _LABELS for t in self.facts.get(iri, {}).get(p, []) if isinstance(t, ox.Literal)]
        for language in ("en", "", None):
            for label in labels:
                if language is None or (label.language or "") == language:
                    return label.value
        return None

    def name(self, term: ox.Term) -> str:
        """A term as a sentence shows it: a label and CURIE for IRIs, the value of a literal."""
        if isinstance(term, ox.NamedNode):
            label = self.label(term.value)
            return f"{label} ({self.curie(term.value)})" if label else self.curie(term.value)
        if isinstance(term, ox.Literal):
            return f"“{term.value}”" + (f"@{term.language}" if term.language else "")
        return "a blank node"

    def types(self, iri: str) -> set[str]:
        return {t.value for t in self.facts.get(iri, {}).get(_RDF_TYPE, [])}

    def first(self, iri: str, predicate: str) -> ox.Term | None:
        values = self.facts.get(iri, {}).get(predicate, [])
        return values[0] if values else None

    # records ----------------------------------------------------------------------------------
    def records(self, owner: str | None, added: _Changes, removed: _Changes) -> list[dict]:
        if owner is None:
            return [_record("statements-changed", None, f"blank nodes linked to no resource: "
                            f"{_count(added)} triples added, {_count(removed)} removed")]
        was, now = owner in self.comparison.old.published, owner in self.comparison.new.published
        if now and not was:
            return self._appeared(owner, added)
        if was and not now:
            return [_record("disappeared", owner, "disappeared: the new release says nothing about it")]
        tombstone = self._tombstone(owner, added, removed)
        if tombstone:  # what the resource said is withdrawn with it: no need to list it
            return tombstone
        sources = self._sources(owner, added, removed)  # before _dates, which takes its molecules away
        records = [*self._labels(owner, added, removed), *self._dates(owner, added, removed), *sources,
                   *self._statements(owner, added, removed)]
        return records or [_record("statements-changed", owner, f"{_count(added)} triples added, "
                                                                 f"{_count(removed)} removed")]

    def _appeared(self, owner: str, added: _Changes) -> list[dict]:
        types = self.types(owner)
        shown = ", ".join(sorted(self.curie(t) for t in types)) or "no type"
        records = [_record("appeared", owner, f"appeared ({shown})", types=sorted(types))]
        if _MEMBERSHIP in types:
            member, organisation = self.first(owner, _MEMBER), self.first(owner, _ORGANISATION)
            interval = next((m for m in added.molecules if m.via == _MEMBER_DURING), None)
            start, end = self._interval(interval) if interval else (None, None)
            text = (f"{self.name(member) if member else 'a member'} joined "
                    f"{self.name(organisation) if organisation else 'an organisation'}")
            if start:
                text += f" on {_when(start)}"
            records.append(_record("member-joined", owner, text,
                                   related=[t.value for t in (member, organisation) if t is not None],
                                   start=start, end=end))
        if str(self.ns.gpai.Claim) in types:
            records.append(_record("claim-added", owner, f"claim added: {self.name(ox.NamedNode(owner))}"))
        elif _ENTITY in types and str(self.ns.gpai.Output) not in types:
            records.append(_record("source-added", owner, f"source added: {self.name(ox.NamedNode(owner))}"))
        return records

    def _tombstone(self, owner: str, added: _Changes, removed: _Changes) -> list[dict]:
        """A resource newly replaced (its IRI redirects to another) or deprecated (its IRI is gone)."""
        withdrawn = _count(removed)
        said = f"; the {withdrawn} triples that described it are withdrawn" if withdrawn else ""
        replacements = [q.object for q in added.triples if q.predicate.value == _REPLACED_BY]
        if replacements:
            return [_record("replaced", owner, f"replaced by {self.name(o)}: its IRI now redirects there{said}",
                            related=[o.value], replacement=o.value) for o in replacements]
        if any(q.predicate.value == _DEPRECATED and q.object.value in ("true", "1") for q in added.triples):
            return [_record("deprecated", owner, f"deprecated: its IRI is kept, and answers 410 Gone{said}")]
        return []

    def _labels(self, owner: str, added: _Changes, removed: _Changes) -> list[dict]:
        def by_language(changes: _Changes) -> dict[tuple[str, str], list[str]]:
            found = defaultdict(list)
            for quad in changes.triples:
                if quad.predicate.value in _LABELS and isinstance(quad.object, ox.Literal):
                    found[(quad.predicate.value, quad.object.language or "")].append(quad.object.value)
            return found

        new, old = by_language(added), by_language(removed)
        records = []
        for key in sorted(set(new) | set(old)):
            predicate, language = key
            where = f"{self.curie(predicate)}" + (f" ({language})" if language else "")
            before, after = sorted(old.get(key, [])), sorted(new.get(key, []))
            if before and after:
                records.append(_record("label-changed", owner, f"{where} changed: “{' / '.join(before)}” → "
                                       f"“{' / '.join(after)}”", predicate=predicate, language=language,
                                       old=before, new=after))
            elif after:
                records.append(_record("label-added", owner, f"{where} added: “{' / '.join(after)}”",
                                       predicate=predicate, language=language, new=after))
            else:
                records.append(_record("label-removed", owner, f"{where} removed: “{' / '.join(before)}”",
                                       predicate=predicate, language=language, old=before))
        return records

    def _dates(self, owner: str, added: _Changes, removed: _Changes) -> list[dict]:
        """Intervals and instants (molecules) replaced by others under the same predicate."""
        records = []
        vias = sorted({m.via for m in added.molecules + removed.molecules if m.via and _dated(m)})
        for via in vias:
            before = [self._interval(m) for m in removed.molecules if m.via == via and _dated(m)]
            after = [self._interval(m) for m in added.molecules if m.via == via and _dated(m)]
            if via == _MEMBER_DURING and _MEMBERSHIP in self.types(owner):
                member, organisation = self.first(owner, _MEMBER), self.first(owner, _ORGANISATION)
                who = (f"membership of {self.name(member)} in {self.name(organisation)}" if member and organisation
                       else "membership")
                text = f"{who} dated differently: {_span(before)} → {_span(after)}"
                related = [t.value for t in (member, organisation) if t is not None]
                records.append(_record("member-dated-differently", owner, text, related=related,
                                       old=[_plain(i) for i in before], new=[_plain(i) for i in after]))
            else:
                records.append(_record("date-changed", owner, f"{self.curie(via)} changed: {_span(before)} → "
                                       f"{_span(after)}", predicate=via, old=[_plain(i) for i in before],
                                       new=[_plain(i) for i in after]))
        for changes in (added, removed):
            changes.molecules = [m for m in changes.molecules if not (m.via in vias and _dated(m))]
        return records

    def _interval(self, molecule: _Molecule) -> tuple[dict | None, dict | None]:
        """(start, end) of an interval molecule, or (the instant, None) for an instant: each a date and precision."""
        facts: dict[str, dict[str, ox.Term]] = defaultdict(dict)
        for quad in molecule.quads:
            if isinstance(quad.subject, ox.BlankNode):
                facts[quad.subject.value].setdefault(quad.predicate.value, quad.object)
        root = next((q.object for q in molecule.quads if not isinstance(q.subject, ox.BlankNode)), None)
        precision_predicate = str(self.ns.gpai.datePrecision)

        def instant(node: ox.Term | None) -> dict | None:
            own = facts.get(node.value, {}) if isinstance(node, ox.BlankNode) else {}
            date = next((own[p] for p in _DATES if p in own), None)
            if date is None:
                return None
            precision = own.get(precision_predicate)
            return {"date": date.value, "precision": _PRECISIONS.get(precision.value) if precision else None}

        own = facts.get(root.value, {}) if isinstance(root, ox.BlankNode) else {}
        if _BEGINNING in own or _END in own:
            return instant(own.get(_BEGINNING)), instant(own.get(_END))
        return instant(root), None

    def _sources(self, owner: str, added: _Changes, removed: _Changes) -> list[dict]:
        def sources(changes: _Changes) -> set[str]:
            quads = changes.triples + [q for m in changes.molecules for q in m.quads]
            return {q.object.value for q in quads if q.predicate.value == _SOURCE and isinstance(q.object, ox.NamedNode)}

        before, after = sources(removed), sources(added)
        records = [_record("source-cited", owner, f"now cites {self.name(ox.NamedNode(s))}", related=[s], source=s)
                   for s in sorted(after - before)]
        records += [_record("source-withdrawn", owner, f"no longer cites {self.name(ox.NamedNode(s))}", related=[s],
                            source=s) for s in sorted(before - after)]
        return records

    def _statements(self, owner: str, added: _Changes, removed: _Changes) -> list[dict]:
        """Whatever the kinds above did not tell: statement by statement, per predicate."""
        told = {_REPLACED_BY, _DEPRECATED, _SOURCE, *_LABELS}
        new, old = defaultdict(list), defaultdict(list)
        for changes, side in ((added, new), (removed, old)):
            for quad in changes.triples:
                if quad.predicate.value not in told:
                    side[quad.predicate.value].append(quad.object)
        records = []
        for predicate in sorted(set(new) | set(old)):
            before, after = old.get(predicate, []), new.get(predicate, [])
            if len(before) == 1 and len(after) == 1:
                kind = "date-changed" if _is_date(before[0]) and _is_date(after[0]) else "value-changed"
                records.append(_record(kind, owner, f"{self.curie(predicate)} changed: {self.name(before[0])} → "
                                       f"{self.name(after[0])}", predicate=predicate, old=[_value(before[0])],
                                       new=[_value(after[0])]))
                continue
            records += [_record("statement-added", owner, f"{self.curie(predicate)} {self.name(o)} added",
                                predicate=predicate, new=[_value(o)], related=_iris(o)) for o in after]
            records += [_record("statement-removed", owner, f"{self.curie(predicate)} {self.name(o)} removed",
                                predicate=predicate, old=[_value(o)], related=_iris(o)) for o in before]
        # Molecules left (not dates, not reification nodes, which tell their sources above).
        vias = sorted({m.via for m in added.molecules + removed.molecules if m.via})
        for via in vias:
            n_added = sum(len(m.quads) for m in added.molecules if m.via == via)
            n_removed = sum(len(m.quads) for m in removed.molecules if m.via == via)
            records.append(_record("statements-changed", owner, f"the description under {self.curie(via)} changed "
                                   f"({n_added} triples added, {n_removed} removed)", predicate=via))
        return records


def _record(kind: str, resource: str | None, text: str, **details) -> dict:
    assert kind in KINDS, kind
    return {"kind": kind, "resource": resource, "text": text,
            **{k: v for k, v in details.items() if v not in (None, [], "")}}


def _count(changes: _Changes) -> int:
    return len(changes.triples) + sum(len(m.quads) for m in changes.molecules)


def _dated(molecule: _Molecule) -> bool:
    return any(q.predicate.value in _DATES for q in molecule.quads)


def _when(instant: dict) -> str:
    return instant["date"] + (f" ({instant['precision']} precision)" if instant.get("precision") else "")


def _span(intervals: list) -> str:
    if not intervals:
        return "none"
    parts = []
    for start, end in intervals:
        parts.append((_when(start) if start else "?") + (f" to {_when(end)}" if end else ""))
    return "; ".join(parts)


def _plain(interval) -> dict:
    start, end = interval
    return {k: v for k, v in (("start", start), ("end", end)) if v}


def _is_date(term: ox.Term) -> bool:
    return isinstance(term, ox.Literal) and term.datatype.value.endswith(("#date", "#gYearMonth", "#gYear",
                                                                         "#dateTime", "#dateTimeStamp"))


def _value(term: ox.Term) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def _iris(term: ox.Term) -> list[str]:
    return [term.value] if isinstance(term, ox.NamedNode) else []


# --- For people ----------------------------------------------------------------------------------

def summary(log: dict) -> str:
    """One sentence: how many changes of each kind, and of triples (the release's version notes)."""
    counts = [(n, KINDS[kind]) for kind, n in log["kinds"].items()]
    parts = [f"{n} {singular if n == 1 else plural}" for n, (singular, plural) in counts]
    triples = log["triples"]
    said = (", ".join(parts[:-1]) + " and " + parts[-1]) if len(parts) > 1 else (parts[0] if parts else "no change")
    return (f"Changes since release {log['old']['version']}: {said}; {triples['added']} triples added and "
            f"{triples['removed']} removed.")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown(log: dict) -> str:
    """The changelog for people: a summary, then the changes by kind, then by resource."""
    old, new, triples = log["old"], log["new"], log["triples"]
    issued = lambda r: f" (issued {r['issued']})" if r.get("issued") else ""  # noqa: E731
    graphs = ", ".join(f"{name} +{n['added']} −{n['removed']}" for name, n in triples["graphs"].items())
    lines = [f"# Changes from release {_md(old['version'])} to release {_md(new['version'])}", "",
             f"Release {_md(new['version'])}{issued(new)} follows release {_md(old['version'])}{issued(old)}: "
             f"{triples['added']} triples added and {triples['removed']} removed ({graphs}), "
             f"in {len(log['resources'])} resources.", ""]
    if not log["resources"]:
        return "\n".join(lines + ["Nothing changed.", ""])
    lines += ["| Change | Count |", "|---|---:|"]
    lines += [f"| {_title(kind)} | {n} |" for kind, n in log["kinds"].items()]
    lines += ["", "## By kind", ""]
    for kind in log["kinds"]:
        lines += [f"### {_title(kind)}", ""]
        for resource in log["resources"]:
            for record in resource["changes"]:
                if record["kind"] == kind:
                    lines.append(f"- {_heading(resource)}: {_md(record['text'])}")
        lines.append("")
    lines += ["## By resource", ""]
    for resource in log["resources"]:
        lines += [f"### {_heading(resource)}", ""]
        lines += [f"- {KINDS[r['kind']][0]}: {_md(r['text'])}" for r in resource["changes"]]
        lines.append("")
    return "\n".join(lines)


def _title(kind: str) -> str:
    plural = KINDS[kind][1]
    return plural[:1].upper() + plural[1:]


def _heading(resource: dict) -> str:
    if resource["iri"] is None:
        return "(blank nodes)"
    curie = f"`{resource['curie']}`"
    return f"{_md(resource['label'])} — {curie}" if resource.get("label") else curie
