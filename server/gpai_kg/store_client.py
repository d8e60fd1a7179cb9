"""Talking to an external SPARQL store over the standard protocols, and nothing else.

* SPARQL 1.1 Protocol: queries, POSTed as a form, the dataset named with
  ``default-graph-uri``/``named-graph-uri``;
* SPARQL 1.1 Graph Store HTTP Protocol: ``PUT ?graph=…`` replaces one named graph.

Any store that speaks them will do; Oxigraph's server and Virtuoso are the ones tested.

The HTTP client is ``requests``, with one keep-alive session per thread, rather than
SPARQLWrapper: SPARQLWrapper opens a connection per query and, for digest authentication,
installs a process-wide urllib opener, which threads serving other requests would share.

Credentials come from the environment only (``GPAI_KG_STORE_USER``/``GPAI_KG_STORE_PASSWORD``),
never from a flag (flags end up in shell histories and process lists), and they are sent only
when the store asks: the scheme (Basic or Digest) follows its ``WWW-Authenticate`` challenge.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO

import requests
from requests.adapters import HTTPAdapter
from requests.auth import HTTPBasicAuth, HTTPDigestAuth
from urllib3.util.retry import Retry

from . import __version__
from .errors import BadGateway, BadRequest, ConfigError, GatewayTimeout

USER_ENV = "GPAI_KG_STORE_USER"
PASSWORD_ENV = "GPAI_KG_STORE_PASSWORD"
USER_AGENT = f"gpai-kg/{__version__} (+https://w3id.org/gpai-kg/)"
FORM = "application/x-www-form-urlencoded"
#: Longest a store's error text we repeat to a client.
ERROR_EXCERPT = 400


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Credentials | None:
        env = os.environ if environ is None else environ
        user, password = env.get(USER_ENV), env.get(PASSWORD_ENV)
        if not user and not password:
            return None
        if not (user and password):
            missing = PASSWORD_ENV if user else USER_ENV
            raise ConfigError(f"{missing} is not set: give the store's user and password together")
        return cls(user, password)


class StoreClient:
    """An external store: its query endpoint and, for loading, its Graph Store endpoint."""

    def __init__(self, query_endpoint: str, graph_store: str | None = None,
                 credentials: Credentials | None = None) -> None:
        self.query_endpoint = query_endpoint
        self.graph_store = graph_store
        self.credentials = credentials
        self._auth = None  # chosen at the store's first challenge, then kept
        self._local = threading.local()

    # --- HTTP ------------------------------------------------------------------------------

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            # Retry only what never reached the store (a refused or stale connection): a query
            # or a PUT that did reach it is not repeated behind the caller's back.
            retry = Retry(total=2, connect=2, read=0, status=0, other=0, redirect=0, backoff_factor=0.1)
            session.mount("http://", HTTPAdapter(max_retries=retry))
            session.mount("https://", HTTPAdapter(max_retries=retry))
            session.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
            session.trust_env = False  # no proxy from the environment between us and our store
            self._local.session = session
        return session

    def request(self, method: str, url: str, *, body=None, timeout, **kwargs) -> requests.Response:
        """One request; on a 401 challenge, once more with the credentials in the scheme asked."""
        response = self._send(method, url, body, timeout, self._auth, **kwargs)
        if response.status_code == 401 and self.credentials and self._auth is None:
            challenge = response.headers.get("WWW-Authenticate", "")
            response.close()
            user, password = self.credentials.user, self.credentials.password
            if challenge.lower().startswith("digest"):
                self._auth = HTTPDigestAuth(user, password)
            else:
                self._auth = HTTPBasicAuth(user, password)
            response = self._send(method, url, body, timeout, self._auth, **kwargs)
        if response.status_code in (401, 403):
            detail = "it refused the credentials from " if self.credentials else "set "
            response.close()
            raise StoreRefusedAccess(f"the store at {url} answered HTTP {response.status_code}: "
                                     f"{detail}{USER_ENV} and {PASSWORD_ENV}")
        return response

    def _send(self, method, url, body, timeout, auth, **kwargs) -> requests.Response:
        if hasattr(body, "seek"):
            body.seek(0)  # a retried request sends its whole body again
        try:
            return self.session.request(method, url, data=body, timeout=timeout, auth=auth, **kwargs)
        except requests.Timeout:
            raise GatewayTimeout(f"the store at {url} did not answer within {_seconds(timeout)} s",
                                 limit="time") from None
        except requests.ConnectionError as exc:
            raise BadGateway(f"the store at {url} does not answer: {_reason(exc)}") from None

    # --- SPARQL 1.1 Protocol -----------------------------------------------------------------

    def query(self, query: str, accept: str, *, timeout: float,
              default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()) -> requests.Response:
        """POST a query; the response, still streaming, when the store accepted it."""
        form = [("query", query)]
        form += [("default-graph-uri", g) for g in default_graphs]
        form += [("named-graph-uri", g) for g in named_graphs]
        response = self.request("POST", self.query_endpoint, body=form, timeout=(min(timeout, 10), timeout),
                                headers={"Accept": accept}, stream=True)
        if response.status_code == 400:
            message = _excerpt(response)
            raise BadRequest(f"the store refused the query: {message}", kind="syntax", **_position(message))
        if response.status_code >= 300:
            raise BadGateway(f"the store answered HTTP {response.status_code}: {_excerpt(response)}",
                             store_status=response.status_code)
        if "X-SQL-State" in response.headers:
            # Virtuoso's "anytime" answer: what it found before its own time limit, marked only by
            # these headers. A partial answer must never pass for a whole one.
            state, message = response.headers["X-SQL-State"], response.headers.get("X-SQL-Message", "")
            response.close()
            raise GatewayTimeout(f"the store gave a partial answer ({state}: {message.strip()}): its own time "
                                 f"limit is below ours", limit="time")
        return response

    def select(self, query: str, *, timeout: float = 60, **dataset) -> list[dict[str, str]]:
        """The rows of a small SELECT, as plain strings (for counts and checks, not for users)."""
        with self.query(query, "application/sparql-results+json", timeout=timeout, **dataset) as response:
            try:
                bindings = response.json()["results"]["bindings"]
            except (ValueError, KeyError) as exc:
                raise BadGateway(f"the store's answer is not SPARQL JSON results: {exc}") from None
        return [{name: cell["value"] for name, cell in row.items()} for row in bindings]

    def ping(self, timeout: float = 2.0) -> tuple[bool, float, str | None]:
        """Whether the store answers a trivial query: (answers, seconds, why not)."""
        started = time.perf_counter()
        try:
            with self.query("ASK {}", "application/sparql-results+json, application/sparql-results+xml",
                            timeout=timeout) as response:
                response.content  # noqa: B018 - the whole answer, not just its headers
        except (BadGateway, GatewayTimeout, BadRequest, StoreRefusedAccess) as exc:
            return False, time.perf_counter() - started, str(exc)
        return True, time.perf_counter() - started, None

    def graph_counts(self, graphs: Iterable[str], timeout: float = 600) -> dict[str, int]:
        """Triples in each of ``graphs`` (0 for a graph the store does not hold)."""
        graphs = list(graphs)
        values = " ".join(f"<{g}>" for g in graphs)
        rows = self.select(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
                           f"GROUP BY ?g", timeout=timeout)
        found = {row["g"]: int(row["n"]) for row in rows}
        return {g: found.get(g, 0) for g in graphs}

    # --- SPARQL 1.1 Graph Store HTTP Protocol ------------------------------------------------

    def check_access(self, timeout: float = 30) -> None:
        """Whether the Graph Store endpoint answers and takes our credentials, by reading a graph that
        does not exist (a 404 is the good answer): cheap, and before the long validation of a load."""
        if not self.graph_store:
            raise ConfigError("no Graph Store endpoint: give --graph-store URL")
        response = self.request("GET", self.graph_store, timeout=(10, timeout), params={"graph": ACCESS_CHECK_GRAPH},
                                headers={"Accept": "application/n-triples"}, stream=True)
        response.close()
        if response.status_code >= 500:
            raise BadGateway(f"the store at {self.graph_store} answered HTTP {response.status_code}")

    def put_graph(self, graph: str, body: IO[bytes], media_type: str, timeout: float = 3600) -> None:
        """Replace the named graph ``graph`` with the triples in ``body``."""
        if not self.graph_store:
            raise ConfigError("no Graph Store endpoint: give --graph-store URL (Oxigraph: …/store, "
                              "Virtuoso: …/sparql-graph-crud-auth, Fuseki: …/DATASET/data)")
        response = self.request("PUT", self.graph_store, body=body, timeout=(10, timeout),
                                params={"graph": graph}, headers={"Content-Type": media_type})
        with response:
            if response.status_code not in (200, 201, 204):
                raise BadGateway(f"the store did not take graph <{graph}>: HTTP {response.status_code}: "
                                 f"{_excerpt(response)}")


#: A graph no store holds: reading it tells whether the endpoint answers and takes our credentials.
ACCESS_CHECK_GRAPH = "urn:x-gpai-kg:access-check"


class StoreRefusedAccess(BadGateway):
    """The store wants credentials we do not have, or refuses the ones we have."""


_POSITIONS = (re.compile(r"error at (\d+):(\d+)"), re.compile(r"line (\d+)"))


def _position(message: str) -> dict[str, int]:
    """Where a store's syntax error says the error is: Oxigraph gives line and column, Virtuoso the line."""
    for pattern in _POSITIONS:
        found = pattern.search(message)
        if found:
            return dict(zip(("line", "column"), map(int, found.groups())))
    return {}


def _excerpt(response: requests.Response) -> str:
    """The start of a store's error text: its first paragraph, on one line."""
    try:
        text = response.raw.read(4096, decode_content=True).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - an error body we cannot read is no reason for another error
        text = ""
    finally:
        response.close()
    text = text.strip().split("\n\n", 1)[0]
    text = " ".join(text.split())
    return (text[:ERROR_EXCERPT] + "…") if len(text) > ERROR_EXCERPT else (text or "(no message)")


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "Connection reset", "Remote end closed"):
        if marker in text:
            return marker.lower()
    return type(exc).__name__


def _seconds(timeout) -> str:
    value = timeout[1] if isinstance(timeout, tuple) else timeout
    return f"{value:g}"
