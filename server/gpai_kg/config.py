"""Settings, each declared once: name, default and help.

The same declaration drives the defaults, the ``GPAI_KG_*`` environment variables, the
CLI flags and the README's table (a test keeps that table in step). Precedence:
defaults < environment < explicit overrides (CLI flags, test configuration).
"""

from __future__ import annotations

import os
import re
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


def _positive_int(value) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("must be a whole number of at least 1")
    return number


def _non_negative_int(value) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must be a whole number, 0 or more")
    return number


def _positive_float(value) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError("must be a number greater than 0")
    return number


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("must be true or false")


def _http_iri(value: str) -> str:
    if not str(value).startswith(("http://", "https://")):
        raise ValueError("must be an http(s) IRI")
    return str(value)


def _contact(value: str) -> str:
    value = str(value).strip()
    if value.startswith(("http://", "https://", "mailto:")):
        return value
    if re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", value):
        return "mailto:" + value
    raise ValueError("must be an email address or an http(s) IRI")


def _store_url(value: str) -> str:
    from urllib.parse import urlsplit

    url = _http_iri(value)
    if urlsplit(url).username is not None:
        raise ValueError("must not carry credentials: set GPAI_KG_STORE_USER and GPAI_KG_STORE_PASSWORD "
                         "in the environment instead")
    return url


def _paths(value) -> tuple[Path, ...]:
    if isinstance(value, str):
        value = [v for v in value.split(os.pathsep) if v]
    return tuple(Path(v) for v in value)


def _iri_list(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    for iri in value:
        if not iri.startswith(("http://", "https://")):
            raise ValueError(f"{iri!r} is not an http(s) IRI")
    return tuple(value)


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
    Setting("publisher", "gpai-kg maintainers",
            "Who publishes the release: its publisher and creator in the VoID/DCAT description."),
    Setting("contact", None,
            "Where to reach the publisher, for the description's contact point: an email address or an "
            "http(s) page (default: the dataset's home page under base_iri).", _contact),
    # --- the service
    Setting("files", (),
            "RDF files to serve instead of the latest release, each triples file as a named graph "
            "named after it (separated by the OS path separator in the environment).", _paths),
    Setting("host", "127.0.0.1", "Interface the server listens on."),
    Setting("port", 8000, "Port the server listens on.", _positive_int),
    Setting("workers", 2, "Web server (gunicorn) worker processes.", _positive_int),
    Setting("threads", 16, "Threads per web worker: the requests it serves at once.", _positive_int),
    Setting("query_workers", 4,
            "Query worker processes per web worker: the queries it runs at once (each in a process "
            "that can be stopped and cannot reach the network).", _positive_int),
    Setting("query_timeout", 10.0,
            "Time limit of a query in seconds; a client may ask for less with timeout=.", _positive_float),
    Setting("max_rows", 10_000,
            "Most rows (or triples) a query returns; a longer result is cut and says so.", _positive_int),
    Setting("max_query_bytes", 100_000,
            "Longest query text accepted, in bytes (GET or POST; request lines are sized to match).",
            _positive_int),
    Setting("client_max_queries", 4,
            "Queries one client address may run at once (per web worker); more get 429.", _positive_int),
    Setting("max_long_queries", 2,
            "Queries per web worker that may run longer than long_query_after at once; a query that runs "
            "long beyond that is stopped with 429, keeping workers free for short ones.", _positive_int),
    Setting("client_max_long_queries", 1,
            "Long queries one client address may run at once (per web worker); beyond, 429.", _positive_int),
    Setting("long_query_after", 0.25, "Seconds after which a running query counts as long.", _positive_float),
    Setting("client_query_seconds", 60.0,
            "Query time one client address may use per minute (per web worker); beyond it, 429 with "
            "Retry-After.", _positive_float),
    Setting("trusted_proxies", 0,
            "Reverse proxies in front of the server whose X-Forwarded-For is trusted to name the client "
            "(0: the client is the peer address).", _non_negative_int),
    Setting("query_memory_mb", 2048,
            "Address space a query may use in its worker, in MiB, beyond what the worker maps once "
            "ready, its store open (0: no cap); a query over it is stopped.",
            _non_negative_int),
    Setting("service_allow", (),
            "Endpoints a query may call with SERVICE (comma-separated IRIs); empty: none.", _iri_list),
    Setting("wikidata_endpoint", "https://query.wikidata.org/sparql",
            "Wikidata-compatible SPARQL endpoint that `link check` and `link propose` ask, and that "
            "federated queries may call when federation is on.", _http_iri),
    Setting("federation", False,
            "Allow SERVICE calls to wikidata_endpoint (besides service_allow).", _bool),
    Setting("memory_store_max_triples", 200_000,
            "Datasets up to this size are queried from memory (one copy per web worker, which its query "
            "workers share until their queries touch it: each may come to hold a copy of its own); larger "
            "ones from the on-disk store, which every worker shares through the page cache.", _non_negative_int),
    Setting("release_memory_max_triples", 2_000_000,
            "Quads of earlier releases one web worker keeps in memory to answer their data documents "
            "(/releases/<version>/data/…), each release loaded on first use, least recently used first out "
            "(0: none).", _non_negative_int),
    Setting("store_dir", None,
            "Folder for the service's on-disk store (default: store/ under the dist folder).", Path),
    # --- an external store instead of the embedded one
    Setting("store", None,
            "SPARQL 1.1 query endpoint of an external store holding the release (put there by "
            "`gpai-kg load`), to serve from instead of the embedded store. Credentials, if it needs "
            "them, come from GPAI_KG_STORE_USER and GPAI_KG_STORE_PASSWORD.", _store_url),
    Setting("graph_store", None,
            "SPARQL 1.1 Graph Store HTTP Protocol endpoint of that store, which `gpai-kg load` "
            "writes to (Oxigraph: …/store; Virtuoso: …/sparql-graph-crud-auth).", _store_url),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
_ALWAYS_PARSED = (_contact, _positive_int, _non_negative_int, _positive_float, _paths, _iri_list, _bool, _store_url)


def allowed_services(settings) -> tuple[str, ...]:
    """The endpoints a query may call with SERVICE: the allow-list, plus Wikidata under federation."""
    extra = (settings.wikidata_endpoint,) if settings.federation else ()
    return tuple(dict.fromkeys((*settings.service_allow, *extra)))


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
            if isinstance(value, str) or BY_NAME[name].parse in _ALWAYS_PARSED:
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
        def plain(value):
            if isinstance(value, Path):
                return str(value)
            if isinstance(value, tuple):
                return [plain(v) for v in value]
            return value

        return {k: plain(v) for k, v in self._values.items()}


def _parse(setting: Setting, raw: str, where: str) -> Any:
    try:
        return setting.parse(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}={raw!r} is not a valid {setting.name}: {exc}") from None
