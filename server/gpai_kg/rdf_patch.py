"""RDF Patch (https://afs.github.io/rdf-patch/): write one, read one, apply one.

Why RDF Patch rather than SPARQL Update: a change set must be able to delete a given blank node
(a membership's old interval), and SPARQL's ``DELETE DATA`` forbids blank nodes, while
``DELETE WHERE`` would read them as variables and delete whatever matches. A patch names blank
nodes by label, as the release files do (:mod:`gpai_kg.blank_nodes`), so it applies to the
previous release's ``gpai-kg.nq`` as published. Each row is N-Quads after its operation::

    H id <https://w3id.org/gpai-kg/releases/v2#changes> .
    H prev <https://w3id.org/gpai-kg/releases/v1#changes> .
    TX .
    D <s> <p> "old" <g> .
    A <s> <p> "new" <g> .
    TC .

Terms are read by Oxigraph's N-Quads parser. Prefix rows (``PA``, ``PD``) are not written and are
ignored when read; an aborted transaction (``TA``) is dropped.

>>> rows = read_patch(write_patch([ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"),
...                                        ox.Literal("new"))],
...                               [ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"),
...                                        ox.Literal("old"))], patch_id="urn:x:2"))
>>> [(op, quad.object.value) for op, quad in rows]
[('D', 'old'), ('A', 'new')]
>>> sorted(apply_patch({'<http://x/s> <http://x/p> "old" .'}, rows))
['<http://x/s> <http://x/p> "new" .']
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from .errors import GpaiKgError


class PatchError(GpaiKgError):
    """A patch that cannot be read, or that does not apply to the dataset it is applied to."""


def write_patch(added: Iterable[ox.Quad], removed: Iterable[ox.Quad], *, patch_id: str,
                previous_id: str | None = None) -> str:
    """A patch that deletes ``removed`` and then adds ``added``, in one transaction."""
    rows = [f"H id <{patch_id}> ."]
    if previous_id:
        rows.append(f"H prev <{previous_id}> .")
    rows.append("TX .")
    rows += [f"D {quad} ." for quad in removed]
    rows += [f"A {quad} ." for quad in added]
    rows.append("TC .")
    return "\n".join(rows) + "\n"


def read_patch(text: str) -> list[tuple[str, ox.Quad]]:
    """The patch's data rows, in order: ("A" or "D", quad). Headers and prefixes are skipped."""
    ops: list[str] = []
    bodies: list[str] = []
    pending: list[tuple[str, str]] = []     # rows of the open transaction
    in_transaction = False
    for number, raw in enumerate(text.split("\n"), start=1):
        row = raw.strip()
        if not row or row.startswith("#"):
            continue
        op, _, rest = row.partition(" ")
        if op in ("A", "D"):
            if in_transaction:
                pending.append((op, rest))
            else:
                ops.append(op)
                bodies.append(rest)
        elif op == "TX":
            if in_transaction:
                raise PatchError(f"line {number}: TX inside a transaction that was not closed")
            in_transaction, pending = True, []
        elif op in ("TC", "TA"):
            if not in_transaction:
                raise PatchError(f"line {number}: {op} without TX")
            if op == "TC":
                ops += [op_ for op_, _ in pending]
                bodies += [body for _, body in pending]
            in_transaction, pending = False, []
        elif op not in ("H", "PA", "PD"):
            raise PatchError(f"line {number}: {op!r} is not an RDF Patch operation (H, TX, TC, TA, PA, PD, A, D)")
    if in_transaction:
        raise PatchError("the patch ends inside a transaction (TX without TC)")
    try:
        quads = list(ox.parse("\n".join(bodies), format=ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        raise PatchError(f"a row of the patch is not valid N-Quads: {exc}") from None
    if len(quads) != len(ops):
        raise PatchError("each A and D row must hold exactly one quad")
    return list(zip(ops, quads))


def apply_patch(lines: set[str], rows: list[tuple[str, ox.Quad]]) -> set[str]:
    """A copy of a dataset (its N-Quads lines, as Oxigraph writes them) with the patch applied.

    A row that deletes a quad the dataset does not hold, or adds one it holds, means the patch was
    made for another dataset: refused.
    """
    result = set(lines)
    for op, quad in rows:
        line = f"{quad} ."
        if op == "D":
            if line not in result:
                raise PatchError(f"the patch deletes a quad the dataset does not hold: {line}")
            result.remove(line)
        else:
            if line in result:
                raise PatchError(f"the patch adds a quad the dataset already holds: {line}")
            result.add(line)
    return result
