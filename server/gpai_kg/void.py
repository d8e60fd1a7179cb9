"""The release's description in VoID and DCAT: what it holds, how big, where to get it.

Statistics follow the VoID vocabulary (``void:triples``, ``void:entities``, class and
property partitions) and one ``void:Linkset`` per dataset we link to, counting the
``skos:exactMatch`` links into its URI space. Each file of the release is a
``dcat:Distribution`` with its media type, size and SHA-256 checksum (SPDX).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, VOID, XSD

from .namespaces import LINK_TARGETS, SPDX, VCARD, VOCABULARIES, Namespaces

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


def describe(data: Graph, ns: Namespaces, version: str, issued: datetime, folder: Path,
             artefacts: list, publisher: Publisher | None = None) -> Graph:
    """A VoID/DCAT graph describing ``data`` and the release files in ``artefacts``."""
    g = ns.bind(Graph())
    ds = ns.dataset
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((ds, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCTERMS.issued, Literal(issued.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)))
    g.add((ds, URIRef(str(DCAT) + "version"), Literal(version)))  # DCAT 3 term
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
    return g


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


def _distribution(g: Graph, ds: URIRef, ns: Namespaces, version: str, artefact, path: Path) -> None:
    url = URIRef(f"{ns.releases}{version}/{artefact.name}")
    owner = linkset_iri(ns, artefact.linkset) if getattr(artefact, "linkset", None) else ds
    g.add((owner, DCAT.distribution, url))
    g.add((owner, VOID.dataDump, url))
    g.add((url, RDF.type, DCAT.Distribution))
    g.add((url, DCTERMS.title, Literal(artefact.title, lang="en")))
    g.add((url, DCAT.downloadURL, url))
    g.add((url, DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)))
    g.add((url, DCTERMS.license, LICENSE))
    g.add((url, DCAT.mediaType, URIRef(IANA + artefact.media_type)))
    if artefact.gzip:
        g.add((url, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    checksum = BNode()
    g.add((url, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(sha256(path), datatype=XSD.hexBinary)))
