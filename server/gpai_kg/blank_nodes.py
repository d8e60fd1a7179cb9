"""Blank node labels that stay the same from one release to the next.

RDFC-1.0 gives a dataset's blank nodes canonical labels, but it numbers them across the whole
dataset (``c14n0``, ``c14n1``…): one instant added anywhere renumbers the blank nodes after it, so
two releases could not be compared label by label. The build therefore labels each *molecule* on
its own: a set of blank nodes connected to one another, with every quad that mentions them (a
membership's interval and its instants, with the triple that links the membership to the interval;
a reification node with its sources). Each molecule is canonicalised by itself with RDFC-1.0, and
its blank nodes are labelled ``b{hash}n{k}``: 24 hex digits of the SHA-256 of the molecule's
canonical N-Quads, and the node's canonical number inside it (``o{i}`` marks the i-th further copy
of a molecule that occurs more than once). A molecule that did not change keeps its labels in every
release, whatever changed around it; one that changed gets new ones. So a diff compares releases
line by line, and a patch names blank nodes as the release files do.

Releases built before this scheme carry ``c14nN`` labels: :func:`stably_labelled` tells them apart,
and :mod:`gpai_kg.diff` relabels them with :func:`label_blank_nodes` before comparing. A future
change of scheme must change the label's first letter, so that the two never mix.

>>> import pyoxigraph as ox
>>> quads = list(ox.parse(b'<http://x/m> <http://x/during> _:i .\\n_:i <http://x/begins> "2021-11" .',
...                       format=ox.RdfFormat.N_QUADS))
>>> labelled = label_blank_nodes(quads)
>>> sorted({q.object.value for q in labelled if isinstance(q.object, ox.BlankNode)})
['bb00b74ab315c559f410979abn0']
>>> stably_labelled(ox.serialize(labelled, format=ox.RdfFormat.N_QUADS).decode())
True
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

#: The labels this scheme writes (and nothing else): ``b`` + 24 hex digits, a copy number, the node's number.
LABEL = re.compile(r"b[0-9a-f]{24}(?:o[0-9]+)?n[0-9]+")
#: The same, its molecule's part (all but the node's number) as group 1.
MOLECULE = re.compile(r"(b[0-9a-f]{24}(?:o[0-9]+)?)n[0-9]+")
#: A ``_:`` in N-Quads text that does not start one of our labels (in N-Quads a label ends at a space).
_OTHER_LABEL = re.compile(r"_:(?!" + LABEL.pattern + r" )")
_CANONICAL = ox.CanonicalizationAlgorithm.RDFC_1_0


def label_blank_nodes(quads: Iterable[ox.Quad], originals: dict[str, list[ox.Quad]] | None = None) -> list[ox.Quad]:
    """The quads with every blank node labelled by its molecule (order: ground quads, then molecules).

    ``originals``, if given, receives each molecule's quads as they came, by the prefix of its new
    labels (``b{hash}`` or ``b{hash}o{copy}``): what a patch must delete from the file they came from.
    """
    ground: list[ox.Quad] = []
    touching: list[tuple[ox.Quad, list[str]]] = []
    for quad in quads:
        nodes = _blank_nodes(quad)
        if nodes:
            touching.append((quad, nodes))
        else:
            ground.append(quad)
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.get(node, node) != node:
            parent[node] = parent.get(parent[node], parent[node])  # halve the path
            node = parent[node]
        return node

    for _, nodes in touching:
        first = root(nodes[0])
        for other in nodes[1:]:
            other = root(other)
            if other != first:
                parent[other] = first
    molecules: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad, nodes in touching:
        molecules[root(nodes[0])].append(quad)

    canonical = []
    for members in molecules.values():
        dataset = ox.Dataset(members)
        dataset.canonicalize(_CANONICAL)
        lines = sorted((str(q), q) for q in dataset)
        digest = hashlib.sha256("\n".join(line for line, _ in lines).encode("utf-8")).hexdigest()[:24]
        canonical.append((digest, [q for _, q in lines], members))
    canonical.sort(key=lambda item: item[0])  # copies of one molecule are alike: their order is immaterial
    copies: Counter[str] = Counter()
    labelled = ground
    for digest, members, given in canonical:
        copy = copies[digest]
        copies[digest] += 1
        prefix = f"b{digest}" + (f"o{copy}" if copy else "") + "n"
        if originals is not None:
            originals[prefix[:-1]] = given
        names: dict[str, ox.BlankNode] = {}

        def rename(term):
            if isinstance(term, ox.BlankNode):  # RDFC-1.0 labels are c14n0, c14n1…
                return names.setdefault(term.value, ox.BlankNode(prefix + term.value[len("c14n"):]))
            return term

        labelled.extend(ox.Quad(rename(q.subject), q.predicate, rename(q.object), rename(q.graph_name))
                        for q in members)
    return labelled


def stably_labelled(nquads: str) -> bool:
    """Whether N-Quads text names its blank nodes by this scheme only (a ``_:`` inside a literal that
    looks like another label says no: the caller then relabels, which is slower, never wrong)."""
    return _OTHER_LABEL.search(nquads) is None


def _blank_nodes(quad: ox.Quad) -> list[str]:
    # Triple terms (RDF 1.2) are left as they are: the graph holds none.
    return [t.value for t in (quad.subject, quad.object, quad.graph_name) if isinstance(t, ox.BlankNode)]
