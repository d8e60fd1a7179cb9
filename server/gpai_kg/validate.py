"""Validation in layers, one function for every caller (the CLI, the build and the tests).

1. every file parses (rdflib and Oxigraph), and no literal is ill-typed;
2. the derivation step finds what it needs (known ISO codes, valid dates);
3. the data, with its derived triples and the ontology, conforms to the SHACL shapes;
4. every query in ``queries/checks/*-violation.rq`` returns no rows.

Problems are located: the file, the resource (for a blank node, the resource that owns
it), the property and the rule that caught it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from .derive import derive
from .errors import ParseError
from .loader import ill_typed_literals, literals_the_store_rewrites, parse_turtle, quiet_rdflib, union
from .namespaces import NS
from .project import Project
from .queries import oxigraph_store, read_queries, select
from .report import Problem, Report
from .shacl import Verdict, shacl

DERIVED = "(derived)"


@dataclass
class Validation:
    """The outcome of :func:`validate`: the report and the graphs it was made from."""

    report: Report
    project: Project
    files: dict[Path, Graph] = field(default_factory=dict)
    ontology: Graph = field(default_factory=Graph)
    shapes: Graph = field(default_factory=Graph)
    data: Graph = field(default_factory=Graph)
    derived: Graph = field(default_factory=Graph)
    verdict: Verdict | None = None     # the SHACL layer's, saying which engine decided

    @property
    def ok(self) -> bool:
        return self.report.ok


def validate(project: Project, data_files: list[Path] | None = None) -> Validation:
    """Validate the ontology, the shapes and ``data_files`` (default: every ``data/*.ttl``)."""
    with quiet_rdflib():  # ill-typed literals are reported below, not as rdflib tracebacks
        return _validate(project, data_files)


def _validate(project: Project, data_files: list[Path] | None) -> Validation:
    started = time.perf_counter()
    files = list(project.data_files() if data_files is None else data_files)
    report = Report()
    result = Validation(report, project)

    # Layer 1: parse everything, so one run lists every broken file.
    parsed: dict[Path, Graph] = {}
    for path in [project.ontology_file, project.shapes_file, *files]:
        try:
            parsed[path] = parse_turtle(path)
        except ParseError as exc:
            report.problems.append(Problem("parse", exc.reason, project.relative(exc.path), exc.line))
    if not report.ok:
        return _finish(result, started)
    result.ontology = parsed.pop(project.ontology_file)
    result.shapes = parsed.pop(project.shapes_file)
    result.files = parsed
    result.data = NS.bind(union(parsed.values()))
    locator = Locator(project, {**parsed, project.ontology_file: result.ontology}, result.data)
    for path, graph in parsed.items():
        for bad in ill_typed_literals(path, graph):
            report.problems.append(Problem(
                "literal", f"{str(bad.literal)!r} is not a valid {_name(bad.literal.datatype)}",
                project.relative(path), focus=locator.name(locator.owner(bad.subject)[0]),
                path=_name(bad.predicate), value=_show(bad.literal)))
        for odd in literals_the_store_rewrites(path, graph):
            report.problems.append(Problem(
                "literal", f"the SPARQL store keeps this as {_show(odd.kept_as)}, so the endpoint would answer "
                f"differently from the downloads: write {_show(odd.kept_as)}",
                project.relative(path), focus=locator.name(locator.owner(odd.subject)[0]),
                path=_name(odd.predicate), value=_show(odd.literal)))

    # Layer 2: derive.
    result.derived, derive_problems = derive(result.data, result.ontology)
    for p in derive_problems:
        owner, chain = locator.owner(p.focus)
        report.problems.append(Problem(
            "derive", p.message, locator.file_of(owner, chain[:1] or [p.path]),
            focus=locator.name(owner), path=_chain(chain + [p.path]), value=_show(p.value)))

    # Layer 3: SHACL, over data + derived + ontology (for the class hierarchy).
    verdict = result.verdict = shacl([result.data, result.derived, result.ontology], result.shapes)
    if isinstance(verdict.results, Graph):
        full = union([result.data, result.derived, result.ontology])
        locator.graph = full
        report.problems.extend(_shacl_problems(verdict.results, result.shapes, full, locator))
    elif verdict.engine == "pyshacl":  # pyshacl could not use the shapes at all
        report.problems.append(Problem("shapes", f"the shapes cannot be applied: {verdict.results}",
                                       project.relative(project.shapes_file)))

    # Layer 4: the violation queries.
    store = oxigraph_store(result.data, result.derived, result.ontology)
    for check in read_queries(project.checks_dir, "*-violation.rq"):
        try:
            rows = select(store, check.text)
        except SyntaxError as exc:
            report.problems.append(Problem("checks", f"the check query does not parse: {exc}",
                                           project.relative(check.path), rule=check.name))
            continue
        for row in rows:
            focus = row.pop("this", None)
            focus_node = URIRef(focus.value) if isinstance(focus, ox.NamedNode) else None
            extra = ", ".join(f"{k}={_ox_show(v)}" for k, v in row.items())
            report.problems.append(Problem(
                "checks", check.title + (f" ({extra})" if extra else ""),
                locator.file_of(focus_node, []) if focus_node else None,
                focus=locator.name(focus_node) if focus_node else None, rule=check.name))

    report.stats.update(files=len(files), triples=len(result.data) + len(result.derived),
                        curated_triples=len(result.data), derived_triples=len(result.derived))
    return _finish(result, started)


def _finish(result: Validation, started: float) -> Validation:
    result.report.stats["seconds"] = round(time.perf_counter() - started, 3)
    return result


class Locator:
    """Finds where a resource or statement was written, and names it for people."""

    def __init__(self, project: Project, files: dict[Path, Graph], graph: Graph) -> None:
        self.project = project
        self.files = files
        self.graph = graph
        self._nm = NS.bind(Graph()).namespace_manager

    def owner(self, node: Node) -> tuple[Node, list[URIRef]]:
        """The IRI resource that owns ``node`` (itself if an IRI) and the path down to it."""
        chain: list[URIRef] = []
        seen = set()
        while isinstance(node, BNode) and node not in seen:
            seen.add(node)
            parents = list(self.graph.subject_predicates(node))
            if not parents:
                break
            node, predicate = parents[0]
            chain.insert(0, predicate)
        return node, chain

    def file_of(self, subject: Node | None, predicates: list[URIRef]) -> str:
        if subject is None:
            return None
        first = predicates[0] if predicates else None
        hits = [p for p, g in self.files.items()
                if (subject, first, None) in g or (first is None and (subject, None, None) in g)]
        if not hits and first is not None:
            hits = [p for p, g in self.files.items() if (subject, None, None) in g]
        if not hits:
            return DERIVED
        return ", ".join(self.project.relative(p) for p in hits)

    def name(self, node: Node | None) -> str | None:
        if node is None:
            return None
        if isinstance(node, URIRef):
            try:
                return self._nm.normalizeUri(node)
            except Exception:
                return f"<{node}>"
        return _show(node)


def _shacl_problems(results: Graph, shapes: Graph, data: Graph, locator: Locator) -> list[Problem]:
    problems = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, result) in results:
            continue  # a nested result (sh:detail) explains its parent, reported once below
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        source_shape = results.value(result, SH.sourceShape)
        severity = results.value(result, SH.resultSeverity)
        messages = [str(m) for m in results.objects(result, SH.resultMessage)]
        owner, chain = locator.owner(focus)
        path_nodes = chain + ([path] if isinstance(path, URIRef) else [])
        shape = node_shape_for(source_shape, focus, shapes, data)
        problems.append(Problem(
            "shapes",
            messages[0] if messages else _name(results.value(result, SH.sourceConstraintComponent)),
            locator.file_of(owner, path_nodes[:1]),
            focus=locator.name(owner),
            path=_chain(path_nodes) if path_nodes else (_path_text(path, results) if path else None),
            value=_show(value) if value is not None else None,
            rule=locator.name(shape) if isinstance(shape, URIRef) else None,
            severity="violation" if severity in (None, SH.Violation) else str(severity).split("#")[-1].lower(),
        ))
    return problems


def node_shape_for(source_shape: Node, focus: Node, shapes: Graph, data: Graph) -> Node:
    """The node shape a result belongs to: the shape itself, or the node shape using it."""
    if (source_shape, RDF.type, SH.NodeShape) in shapes or _has_target(source_shape, shapes):
        return source_shape
    parents = _parents(source_shape, shapes)
    if len(parents) > 1:
        types = set(data.objects(focus, RDF.type))
        for t in list(types):
            types.update(data.transitive_objects(t, RDFS.subClassOf))
        matching = [p for p in parents
                    if set(shapes.objects(p, SH.targetClass)) & types
                    or (p, SH.targetNode, focus) in shapes
                    or any((focus, prop, None) in data for prop in shapes.objects(p, SH.targetSubjectsOf))
                    or any((None, prop, focus) in data for prop in shapes.objects(p, SH.targetObjectsOf))]
        parents = matching or parents
    return parents[0] if parents else source_shape


def _parents(shape: Node, shapes: Graph) -> list[Node]:
    parents = []
    for parent in shapes.subjects(SH.property, shape):
        if isinstance(parent, URIRef):
            parents.append(parent)
        else:  # a property shape inside an sh:or / sh:xone branch: climb to the named shape
            parents.extend(_parents_of_list_member(parent, shapes))
    return sorted(set(parents))


def _parents_of_list_member(node: Node, shapes: Graph) -> list[Node]:
    for list_node in shapes.subjects(RDF.first, node):
        head = list_node
        while True:
            prev = shapes.value(predicate=RDF.rest, object=head)
            if prev is None:
                break
            head = prev
        for owner in shapes.subjects(None, head):
            if isinstance(owner, URIRef):
                return [owner]
    return []


def _has_target(shape: Node, shapes: Graph) -> bool:
    return any((shape, p, None) in shapes for p in
               (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf))


def _path_text(path: Node, graph: Graph) -> str:
    if isinstance(path, BNode) and (path, RDF.first, None) in graph:
        return "/".join(_name(p) for p in Collection(graph, path))
    return _name(path)


_NM = NS.bind(Graph()).namespace_manager


def _name(node) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        try:
            return _NM.normalizeUri(node)
        except Exception:
            return f"<{node}>"
    return str(node)


def _chain(predicates: list[URIRef]) -> str:
    return "/".join(_name(p) for p in predicates if p is not None)


def _show(node) -> str:
    if isinstance(node, Literal):
        text = f'"{node}"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype:
            return f"{text}^^{_name(node.datatype)}"
        return text
    if isinstance(node, URIRef):
        return _name(node)
    if isinstance(node, BNode):
        return "[ ]"
    return str(node)


def _ox_show(term) -> str:
    if isinstance(term, ox.NamedNode):
        return _name(URIRef(term.value))
    return str(term)


__all__ = ["Validation", "validate", "node_shape_for", "DERIVED"]
