"""The release's description in VoID and DCAT: what it holds, how big, where to get it.

Statistics follow the VoID vocabulary (``void:triples``, ``void:entities``, class and
property partitions) and one ``void:Linkset`` per dataset we link to, counting the
``skos:exactMatch`` links into its URI space. Each file of the release is a
``dcat:Distribution`` with its media type, size and SHA-256 checksum (SPDX).

Each release is also a version of the dataset (DCAT 3 versioning), ``{base}releases/{version}``:
its date, the release it follows (``dcat:previousVersion``, ``prov:wasRevisionOf``), its version
notes (``adms:versionNotes``) and its files. The change set it publishes against its predecessor,
``{base}releases/{version}#changes``, is a dataset of its own whose distributions are the
``changes.*`` files. The ontology's version IRI is given, with ``owl:priorVersion`` when the ontology
changed since an earlier release.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from .formats import RDF_PATCH
from .namespaces import ADMS, DCAT3, LINK_TARGETS, SPDX, VCARD, VOCABULARIES, Namespaces

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
TITLE = "GPAI Knowledge Graph"
DESCRIPTION = ("An open, linked-data knowledge graph of the Global Partnership on Artificial "
               "Intelligence (GPAI): its members and when they joined, its bodies, summits, "
               "people in roles and source documents, every fact with its source.")
#: Words a catalogue can find the dataset by (DCAT keywords, schema.org keywords).
KEYWORDS = ("Global Partnership on Artificial Intelligence", "GPAI", "artificial intelligence",
            "AI governance", "international organisations", "OECD", "linked data", "knowledge graph")
LINK_PREDICATE = SKOS.exactMatch
IANA = "https://www.iana.org/assignments/media-types/"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def linkset_iri(ns: Namespaces, target: str) -> URIRef:
    return URIRef(f"{ns.dataset}/linkset/{target}")


def target_iri(ns: Namespaces, target: str) -> URIRef:
    return URIRef(f"{ns.dataset}/target/{target}")


@dataclass(frozen=True)
class Publisher:
    """Who publishes the release (settings ``publisher`` and ``contact``): a name, and an email
    (``mailto:``) or web page to reach them."""

    name: str
    contact: str


#: Dated values whose dates say what period the data covers.
DATE_TYPES = {XSD.date, XSD.gYearMonth, XSD.gYear, XSD.dateTime}


@dataclass(frozen=True)
class History:
    """Where a release stands among the others: what it follows, what changed since, its ontology's version."""

    previous: str | None = None           # the version it follows
    notes: str | None = None              # its version notes
    changes: tuple = ()                   # (ChangeFile, path) of the change set against ``previous``
    ontology_version: str | None = None   # the ontology's owl:versionIRI
    ontology_prior: str | None = None     # the version IRI of the ontology before it changed


def describe(data: Graph, ns: Namespaces, version: str, issued: datetime, folder: Path,
             artefacts: list, publisher: Publisher | None = None, history: History = History()) -> Graph:
    """A VoID/DCAT graph describing ``data``, the release files in ``artefacts``, who publishes it and
    the release's history."""
    g = ns.bind(Graph())
    ds = ns.dataset
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((ds, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCTERMS.issued, Literal(issued.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)))
    g.add((ds, DCAT3.version, Literal(version)))
    g.add((ds, OWL.versionInfo, Literal(version)))
    g.add((ds, DCTERMS.conformsTo, ns.ontology_iri))
    g.add((ds, VOID.uriSpace, Literal(str(ns.id))))
    g.add((ds, VOID.sparqlEndpoint, URIRef(ns.base + "sparql")))
    g.add((ds, VOID.rootResource, ns.mint("organisation", "gpai")))
    g.add((ds, FOAF.homepage, URIRef(ns.base)))
    for word in KEYWORDS:
        g.add((ds, DCAT.keyword, Literal(word, lang="en")))
    _catalogue(g, ds, ns)
    _publisher(g, ds, ns, publisher or Publisher("gpai-kg maintainers", ns.base))
    _coverage(g, ds, ns, data)
    _statistics(g, ds, data)
    _vocabularies(g, ds, data, ns)
    _linksets(g, ds, data, ns)
    for artefact, path in artefacts:
        _distribution(g, ds, ns, version, artefact, path)
    _version(g, ds, ns, version, issued, history, [a for a, _ in artefacts])
    return g


def _version(g: Graph, ds: URIRef, ns: Namespaces, version: str, issued: datetime, history: History,
             artefacts: list) -> None:
    """This release as a version of the dataset, the change set it publishes, and the ontology's version."""
    release = ns.release(version)
    g.add((ds, DCAT3.hasVersion, release))
    g.add((ds, DCAT3.hasCurrentVersion, release))
    g.add((release, RDF.type, DCAT.Dataset))
    g.add((release, DCTERMS.title, Literal(f"{TITLE}, release {version}", lang="en")))
    g.add((release, DCAT3.isVersionOf, ds))
    g.add((release, DCAT3.version, Literal(version)))
    g.add((release, DCTERMS.issued, Literal(issued.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)))
    g.add((release, DCTERMS.license, LICENSE))
    for artefact in artefacts:
        g.add((release, DCAT.distribution, URIRef(f"{ns.releases}{version}/{artefact.name}")))
    if history.notes:
        g.add((release, ADMS.versionNotes, Literal(history.notes, lang="en")))
    if history.ontology_version:
        g.add((ns.ontology_iri, OWL.versionIRI, URIRef(history.ontology_version)))
    if history.ontology_prior:
        g.add((ns.ontology_iri, OWL.priorVersion, URIRef(history.ontology_prior)))
    if not history.previous:
        return
    previous = ns.release(history.previous)
    g.add((release, DCAT3.previousVersion, previous))
    g.add((release, PROV.wasRevisionOf, previous))
    changes = ns.changes(version)
    g.add((URIRef(f"{ns.dataset}/catalog"), DCAT.dataset, changes))
    g.add((release, DCTERMS.relation, changes))
    g.add((changes, RDF.type, DCAT.Dataset))
    g.add((changes, DCTERMS.title, Literal(f"Changes from release {history.previous} to release {version} of the "
                                          f"{TITLE}", lang="en")))
    g.add((changes, DCTERMS.description, Literal(
        "The triples added to and removed from the knowledge graph, an RDF Patch that turns the previous "
        "release's dataset into this one's, and a changelog by resource and kind.", lang="en")))
    g.add((changes, DCTERMS.license, LICENSE))
    g.add((changes, DCTERMS.issued, Literal(issued.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)))
    g.add((changes, PROV.wasDerivedFrom, previous))
    g.add((changes, PROV.wasDerivedFrom, release))
    for change, path in history.changes:
        _distribution(g, changes, ns, version, change, path, dump=False)


def _catalogue(g: Graph, ds: URIRef, ns: Namespaces) -> None:
    """A DCAT catalogue holding the dataset, and the SPARQL endpoint as its data service."""
    catalog = URIRef(f"{ns.dataset}/catalog")
    service = URIRef(f"{ns.dataset}/sparql-service")
    endpoint = URIRef(ns.base + "sparql")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal(f"{TITLE} catalogue", lang="en")))
    g.add((catalog, DCTERMS.license, LICENSE))
    g.add((catalog, FOAF.homepage, URIRef(ns.base)))
    g.add((catalog, DCAT.dataset, ds))
    g.add((catalog, DCAT.service, service))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, Literal(f"{TITLE} SPARQL endpoint", lang="en")))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.endpointDescription, endpoint))  # GET without a query: its service description
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCAT.servesDataset, ds))
    g.add((service, DCTERMS.license, LICENSE))


def _publisher(g: Graph, ds: URIRef, ns: Namespaces, publisher: Publisher) -> None:
    """The publisher, also the creator (DCTERMS), and a contact point (DCAT, vCard)."""
    agent = URIRef(f"{ns.dataset}/publisher")
    g.add((agent, RDF.type, FOAF.Agent))
    g.add((agent, FOAF.name, Literal(publisher.name)))
    contact = URIRef(publisher.contact)
    if publisher.contact.startswith("mailto:"):
        g.add((agent, FOAF.mbox, contact))
    else:
        g.add((agent, FOAF.homepage, contact))
    point = URIRef(f"{ns.dataset}/contact")
    g.add((point, RDF.type, VCARD.Kind))
    g.add((point, VCARD.fn, Literal(publisher.name)))
    g.add((point, VCARD.hasEmail if publisher.contact.startswith("mailto:") else VCARD.hasURL, contact))
    for holder in (ds, URIRef(f"{ns.dataset}/catalog")):
        g.add((holder, DCTERMS.publisher, agent))
    g.add((ds, DCTERMS.creator, agent))
    g.add((ds, DCAT.contactPoint, point))


def dated_span(data: Graph) -> tuple[str, str] | None:
    """The first and last date (as ISO text, to the precision given) among the data's dated values."""
    days = sorted(str(o) for o in data.objects() if isinstance(o, Literal) and o.datatype in DATE_TYPES)
    return (days[0][:10], days[-1][:10]) if days else None


def _coverage(g: Graph, ds: URIRef, ns: Namespaces, data: Graph) -> None:
    """The period the data's dates span (dcterms:temporal, a dcterms:PeriodOfTime with DCAT dates)."""
    span = dated_span(data)
    if span is None:
        return
    period = URIRef(f"{ns.dataset}/period")
    g.add((ds, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    for predicate, value in zip((DCAT.startDate, DCAT.endDate), span):
        g.add((period, predicate, Literal(value, datatype=_date_type(value))))


def _date_type(value: str) -> URIRef:
    return {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(value), XSD.date)


def _statistics(g: Graph, ds: URIRef, data: Graph) -> None:
    subjects = set(data.subjects())
    g.add((ds, VOID.triples, Literal(len(data))))
    g.add((ds, VOID.entities, Literal(sum(1 for s in subjects if isinstance(s, URIRef)))))
    g.add((ds, VOID.distinctSubjects, Literal(len(subjects))))
    g.add((ds, VOID.distinctObjects, Literal(len(set(data.objects())))))
    properties = Counter(p for _, p, _ in data)
    classes = Counter(o for s, o in data.subject_objects(RDF.type))
    g.add((ds, VOID.properties, Literal(len(properties))))
    g.add((ds, VOID.classes, Literal(len(classes))))
    # Partitions are auxiliary nodes nobody links to: blank nodes are fine here.
    for cls, count in sorted(classes.items()):
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(count)))
    for prop, count in sorted(properties.items()):
        part = BNode()
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, Literal(count)))


def _vocabularies(g: Graph, ds: URIRef, data: Graph, ns: Namespaces) -> None:
    used = {str(p) for p in data.predicates()} | {str(o) for o in data.objects(None, RDF.type)}
    for iri in sorted({*VOCABULARIES.values(), str(ns.gpai)}):
        if any(term.startswith(iri) for term in used):
            g.add((ds, VOID.vocabulary, URIRef(iri)))


def _linksets(g: Graph, ds: URIRef, data: Graph, ns: Namespaces) -> None:
    objects = [str(o) for o in data.objects(None, LINK_PREDICATE) if isinstance(o, URIRef)]
    for name, target in LINK_TARGETS.items():
        count = sum(1 for o in objects if o.startswith(target.uri_space))
        other = target_iri(ns, name)
        g.add((other, RDF.type, VOID.Dataset))
        g.add((other, DCTERMS.title, Literal(target.title)))
        g.add((other, FOAF.homepage, URIRef(target.homepage)))
        g.add((other, VOID.uriSpace, Literal(target.uri_space)))
        linkset = linkset_iri(ns, name)
        g.add((ds, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, RDFS.label, Literal(f"Links from the GPAI Knowledge Graph to {target.title}", lang="en")))
        g.add((linkset, VOID.subjectsTarget, ds))
        g.add((linkset, VOID.objectsTarget, other))
        g.add((linkset, VOID.linkPredicate, LINK_PREDICATE))
        g.add((linkset, VOID.triples, Literal(count)))


def _distribution(g: Graph, ds: URIRef, ns: Namespaces, version: str, artefact, path: Path,
                  dump: bool = True) -> None:
    url = URIRef(f"{ns.releases}{version}/{artefact.name}")
    owner = linkset_iri(ns, artefact.linkset) if getattr(artefact, "linkset", None) else ds
    g.add((owner, DCAT.distribution, url))
    if dump:
        g.add((owner, VOID.dataDump, url))
    g.add((url, RDF.type, DCAT.Distribution))
    g.add((url, DCTERMS.title, Literal(artefact.title, lang="en")))
    g.add((url, DCAT.downloadURL, url))
    g.add((url, DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)))
    g.add((url, DCTERMS.license, LICENSE))
    g.add((url, DCAT.mediaType, URIRef(IANA + artefact.media_type)))
    if getattr(artefact, "gzip", False):
        g.add((url, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    if artefact.media_type == RDF_PATCH:
        g.add((url, DCTERMS.conformsTo, URIRef("https://afs.github.io/rdf-patch/")))
    checksum = BNode()
    g.add((url, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(sha256(path), datatype=XSD.hexBinary)))
