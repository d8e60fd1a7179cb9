"""A validation report a curator can act on: which file, which resource, which property, what to do."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

LAYERS = ("parse", "literal", "derive", "shapes", "checks")


@dataclass(frozen=True)
class Problem:
    layer: str                   # one of LAYERS
    message: str
    file: str | None = None      # project-relative path, or "(derived)"
    line: int | None = None
    focus: str | None = None     # the resource, as a prefixed name where possible
    path: str | None = None      # the property (path) at fault
    value: str | None = None     # the offending value
    rule: str | None = None      # the shape or check that caught it
    severity: str = "violation"  # or "warning"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    @property
    def violations(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "violation"]

    @property
    def ok(self) -> bool:
        return not self.violations

    def rules(self) -> set[str]:
        return {p.rule for p in self.problems if p.rule}

    def summary(self) -> str:
        if self.ok:
            return f"valid: {self.stats.get('triples', 0)} triples in {self.stats.get('files', 0)} files, 0 violations"
        files = {p.file for p in self.violations}
        return f"invalid: {len(self.violations)} violation(s) in {len(files)} file(s)"

    def render(self) -> str:
        """The report as text, grouped by file."""
        lines = [self.summary()]
        by_file: dict[str, list[Problem]] = defaultdict(list)
        for p in self.problems:
            by_file[p.file or "(no file)"].append(p)
        for file in sorted(by_file):
            lines.append("")
            lines.append(file)
            for p in sorted(by_file[file], key=lambda p: (p.line or 0, p.focus or "", p.path or "")):
                where = []
                if p.line:  # file:line, as editors and terminals link it
                    where.append(f"{p.file}:{p.line}" if p.file else f"line {p.line}")
                if p.focus:
                    where.append(p.focus)
                if p.path:
                    where.append(p.path)
                head = "  " + ("  ".join(where) if where else p.layer)
                if p.value is not None:
                    head += f"  = {p.value}"
                lines.append(head)
                tag = f" [{p.rule}]" if p.rule else f" [{p.layer}]"
                level = "" if p.severity == "violation" else f"{p.severity}: "
                lines.append(f"      {level}{p.message}{tag}")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "summary": self.summary(), "stats": self.stats,
                "problems": [asdict(p) for p in self.problems]}
