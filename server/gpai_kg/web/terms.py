"""Names of the terms the graph reuses from other vocabularies, for pages in the reader's language.

Our own ontology's terms have labels in the six languages in the data; ORG, PROV, OWL-Time,
SKOS, DCTERMS, schema.org and the rest do not, so a page would show ``org:memberOf`` where a
reader expects "member of". These are the vocabularies' own English labels (or, where a
vocabulary has none, a plain description), translated in the interface's message catalogues.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

DCT = "http://purl.org/dc/terms/"
RDF_ = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_ = "http://www.w3.org/2000/01/rdf-schema#"
OWL_ = "http://www.w3.org/2002/07/owl#"
SKOS_ = "http://www.w3.org/2004/02/skos/core#"
TIME_ = "http://www.w3.org/2006/time#"
ORG_ = "http://www.w3.org/ns/org#"
PROV_ = "http://www.w3.org/ns/prov#"
FOAF_ = "http://xmlns.com/foaf/0.1/"
SCHEMA_ = "https://schema.org/"
SH_ = "http://www.w3.org/ns/shacl#"

TERM_LABELS = {
    DCT + "creator": _l("creator"), DCT + "date": _l("date"), DCT + "description": _l("description"),
    DCT + "identifier": _l("identifier"), DCT + "issued": _l("issued"), DCT + "language": _l("language"),
    DCT + "modified": _l("modified"), DCT + "publisher": _l("publisher"), DCT + "subject": _l("subject"),
    DCT + "title": _l("title"), DCT + "type": _l("type"), DCT + "isReplacedBy": _l("is replaced by"),
    DCT + "source": _l("source"), DCT + "license": _l("licence"),
    RDF_ + "type": _l("type"), RDF_ + "subject": _l("subject"), RDF_ + "predicate": _l("predicate"),
    RDF_ + "object": _l("object"), RDF_ + "Statement": _l("Statement"),
    RDFS_ + "label": _l("label"), RDFS_ + "comment": _l("comment"), RDFS_ + "domain": _l("domain"),
    RDFS_ + "range": _l("range"), RDFS_ + "subClassOf": _l("subclass of"),
    RDFS_ + "subPropertyOf": _l("subproperty of"), RDFS_ + "isDefinedBy": _l("is defined by"),
    OWL_ + "Class": _l("Class"), OWL_ + "ObjectProperty": _l("Object property"),
    OWL_ + "DatatypeProperty": _l("Datatype property"), OWL_ + "AnnotationProperty": _l("Annotation property"),
    OWL_ + "Ontology": _l("Ontology"), OWL_ + "versionIRI": _l("version IRI"), OWL_ + "versionInfo": _l("version"),
    OWL_ + "sameAs": _l("same as"), OWL_ + "deprecated": _l("deprecated"),
    SKOS_ + "altLabel": _l("alternative label"), SKOS_ + "broader": _l("broader"),
    SKOS_ + "editorialNote": _l("editorial note"), SKOS_ + "exactMatch": _l("exact match"),
    SKOS_ + "hasTopConcept": _l("has top concept"), SKOS_ + "inScheme": _l("in scheme"),
    SKOS_ + "notation": _l("notation"), SKOS_ + "relatedMatch": _l("related match"),
    SKOS_ + "scopeNote": _l("scope note"), SKOS_ + "topConceptOf": _l("top concept of"),
    SKOS_ + "prefLabel": _l("preferred label"), SKOS_ + "definition": _l("definition"),
    SKOS_ + "Concept": _l("Concept"), SKOS_ + "ConceptScheme": _l("Concept scheme"),
    TIME_ + "hasBeginning": _l("has beginning"), TIME_ + "hasEnd": _l("has end"), TIME_ + "hasTime": _l("has time"),
    TIME_ + "inXSDDate": _l("date"), TIME_ + "inXSDgYear": _l("year"), TIME_ + "inXSDgYearMonth": _l("month"),
    TIME_ + "inside": _l("inside"), TIME_ + "Instant": _l("Instant"), TIME_ + "Interval": _l("Interval"),
    TIME_ + "unitDay": _l("day"), TIME_ + "unitMonth": _l("month"), TIME_ + "unitYear": _l("year"),
    ORG_ + "changedBy": _l("changed by"), ORG_ + "member": _l("member"), ORG_ + "memberDuring": _l("member during"),
    ORG_ + "memberOf": _l("member of"), ORG_ + "organization": _l("organization"),
    ORG_ + "originalOrganization": _l("original organization"), ORG_ + "postIn": _l("post in"),
    ORG_ + "resultedFrom": _l("resulted from"), ORG_ + "resultingOrganization": _l("resulting organization"),
    ORG_ + "role": _l("role"), ORG_ + "subOrganizationOf": _l("suborganization of"),
    ORG_ + "hasSubOrganization": _l("has suborganization"), ORG_ + "hasMember": _l("has member"),
    ORG_ + "ChangeEvent": _l("Change event"), ORG_ + "FormalOrganization": _l("Formal organization"),
    ORG_ + "Membership": _l("Membership"), ORG_ + "OrganizationalUnit": _l("Organizational unit"),
    ORG_ + "Post": _l("Post"), ORG_ + "Organization": _l("Organization"), ORG_ + "Role": _l("Role"),
    PROV_ + "alternateOf": _l("alternate of"), PROV_ + "wasAssociatedWith": _l("was associated with"),
    PROV_ + "wasDerivedFrom": _l("was derived from"), PROV_ + "Activity": _l("Activity"), PROV_ + "Entity": _l("Entity"),
    FOAF_ + "name": _l("name"), FOAF_ + "Organization": _l("Organization"), FOAF_ + "Person": _l("Person"),
    SCHEMA_ + "about": _l("about"), SCHEMA_ + "address": _l("address"), SCHEMA_ + "archivedAt": _l("archived at"),
    SCHEMA_ + "containedInPlace": _l("contained in place"), SCHEMA_ + "endDate": _l("end date"),
    SCHEMA_ + "eventAttendanceMode": _l("event attendance mode"), SCHEMA_ + "foundingDate": _l("founding date"),
    SCHEMA_ + "isBasedOn": _l("is based on"), SCHEMA_ + "isPartOf": _l("is part of"),
    SCHEMA_ + "legalName": _l("legal name"), SCHEMA_ + "legislationDate": _l("legislation date"),
    SCHEMA_ + "legislationIdentifier": _l("legislation identifier"),
    SCHEMA_ + "legislationPassedBy": _l("legislation passed by"), SCHEMA_ + "location": _l("location"),
    SCHEMA_ + "organizer": _l("organizer"), SCHEMA_ + "startDate": _l("start date"),
    SCHEMA_ + "superEvent": _l("super event"), SCHEMA_ + "url": _l("URL"), SCHEMA_ + "version": _l("version"),
    SCHEMA_ + "name": _l("name"), SCHEMA_ + "description": _l("description"),
    SCHEMA_ + "BlogPosting": _l("Blog posting"), SCHEMA_ + "City": _l("City"), SCHEMA_ + "Country": _l("Country"),
    SCHEMA_ + "CreativeWork": _l("Creative work"), SCHEMA_ + "Dataset": _l("Dataset"), SCHEMA_ + "Event": _l("Event"),
    SCHEMA_ + "GovernmentOrganization": _l("Government organization"), SCHEMA_ + "Legislation": _l("Legislation"),
    SCHEMA_ + "Organization": _l("Organization"), SCHEMA_ + "Place": _l("Place"), SCHEMA_ + "Project": _l("Project"),
    SCHEMA_ + "Report": _l("Report"), SCHEMA_ + "ScholarlyArticle": _l("Scholarly article"),
    SCHEMA_ + "WebPage": _l("Web page"),
    SH_ + "NodeShape": _l("Node shape"), SH_ + "PropertyShape": _l("Property shape"), SH_ + "path": _l("path"),
    SH_ + "property": _l("property"), SH_ + "targetClass": _l("target class"),
}
