"""A server's process tree, read from /proc: which processes, and the CPU they used."""

from __future__ import annotations

import os
from pathlib import Path


def _stat_fields() -> dict[int, list[str]]:
    """The fields after the command name in /proc/PID/stat, for every live process."""
    fields = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
    return fields


def tree(pid: int, fields: dict[int, list[str]] | None = None) -> set[int]:
    """A process and its live descendants."""
    fields = _stat_fields() if fields is None else fields
    found, grown = {pid}, True
    while grown:
        more = {p for p, f in fields.items() if int(f[1]) in found} - found
        found |= more
        grown = bool(more)
    return found


def tree_cpu(pid: int) -> float:
    """User + system seconds of a process and its live descendants."""
    fields = _stat_fields()
    tick = os.sysconf("SC_CLK_TCK")
    return sum((int(fields[p][11]) + int(fields[p][12])) / tick for p in tree(pid, fields) if p in fields)
