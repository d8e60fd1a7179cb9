"""Where the hand-edited sources live, and where releases go."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import Settings

_MARKER = Path("ontology") / "gpai.ttl"


@dataclass(frozen=True)
class Project:
    root: Path
    dist: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> Project:
        root = Path(settings.project_dir) if settings.project_dir else _discover()
        root = root.resolve()
        dist = Path(settings.dist_dir) if settings.dist_dir else root / "dist"
        return cls(root=root, dist=dist.resolve())

    @property
    def ontology_file(self) -> Path:
        return self.root / _MARKER

    @property
    def shapes_file(self) -> Path:
        return self.root / "shapes" / "gpai-shapes.ttl"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def checks_dir(self) -> Path:
        return self.root / "queries" / "checks"

    @property
    def examples_dir(self) -> Path:
        return self.root / "queries" / "examples"

    def data_files(self) -> list[Path]:
        return sorted(self.data_dir.glob("*.ttl"))

    def relative(self, path: Path) -> str:
        """A path as a curator would type it: relative to the project when inside it."""
        try:
            return str(Path(path).resolve().relative_to(self.root))
        except ValueError:
            return str(path)


def _discover() -> Path:
    # An editable install runs from server/gpai_kg inside the checkout.
    for parent in Path(__file__).resolve().parents:
        if (parent / _MARKER).is_file():
            return parent
    return Path.cwd()
