"""Settings, each declared once: name, default and help.

The same declaration drives the defaults, the ``GPAI_KG_*`` environment variables, the
CLI flags and the README's table (a test keeps that table in step). Precedence:
defaults < environment < explicit overrides (CLI flags, test configuration).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .namespaces import CANONICAL_BASE


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env_var(self) -> str:
        return "GPAI_KG_" + self.name.upper()


def _base_iri(value: str) -> str:
    if not value.startswith(("http://", "https://")) or not value.endswith("/"):
        raise ValueError("must be an http(s) IRI ending with '/'")
    return value


SETTINGS: tuple[Setting, ...] = (
    Setting("base_iri", CANONICAL_BASE,
            "Base IRI under which the release's IRIs are published.", _base_iri),
    Setting("project_dir", None,
            "Folder holding ontology/, data/, shapes/ and queries/ (default: the checkout "
            "this package runs from, else the current folder).", Path),
    Setting("dist_dir", None,
            "Folder the build writes releases into (default: dist/ in the project folder).", Path),
    Setting("release", None,
            "Version stamped on a release (default: the UTC date, taken from "
            "SOURCE_DATE_EPOCH when set, as YYYY-MM-DD)."),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


class Settings(Mapping):
    """Resolved settings: read-only, attribute or item access."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None,
             environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values = {s.name: s.default for s in SETTINGS}
        for setting in SETTINGS:
            if setting.env_var in env:
                values[setting.name] = _parse(setting, env[setting.env_var], setting.env_var)
        for name, value in (overrides or {}).items():
            if name not in BY_NAME:
                raise ConfigError(f"unknown setting {name!r}")
            if value is None:
                continue
            if isinstance(value, str):
                value = _parse(BY_NAME[name], value, name)
            values[name] = value
        return cls(values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def public(self) -> dict[str, Any]:
        """The settings as JSON-friendly values (paths as strings)."""
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self._values.items()}


def _parse(setting: Setting, raw: str, where: str) -> Any:
    try:
        return setting.parse(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}={raw!r} is not a valid {setting.name}: {exc}") from None
