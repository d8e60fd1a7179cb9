"""A polite client for a Wikidata-compatible SPARQL endpoint, through SPARQLWrapper.

It behaves as the Wikimedia User-Agent and query-service policies ask:

* a descriptive User-Agent naming the tool, its version and where to reach its authors;
* few, batched queries (``VALUES`` blocks of :data:`BATCH` entities);
* on 429 and 503, it waits as long as ``Retry-After`` says (seconds or an HTTP date), or
  backs off exponentially when the header is missing, and gives up after a few tries;
* answers are cached on disk by (endpoint, query), so a second run asks nothing again.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import time
import urllib.error
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from SPARQLWrapper import JSON, POST, SPARQLWrapper

from . import __version__
from .errors import GpaiKgError

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
USER_AGENT = (f"gpai-kg/{__version__} (link checker of the GPAI Knowledge Graph; "
              f"https://w3id.org/gpai-kg/) SPARQLWrapper")
BATCH = 50
RETRY_STATUSES = (429, 503)


class EndpointError(GpaiKgError):
    """The endpoint could not be queried (after retries): exit code 3, "could not check"."""

    exit_code = 3


class WikidataClient:
    def __init__(self, endpoint: str = DEFAULT_ENDPOINT, cache_dir: Path | None = None, *,
                 retries: int = 5, timeout: float = 60, sleep: Callable[[float], None] = time.sleep) -> None:
        self.endpoint = endpoint
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.retries = retries
        self.timeout = timeout
        self.sleep = sleep
        self.requests = 0      # requests actually sent (cache hits are not)
        self.waited: list[float] = []

    def select(self, query: str) -> list[dict[str, dict]]:
        """The SPARQL JSON bindings of a SELECT query."""
        cached = self._cache_path(query)
        if cached is not None and cached.is_file():
            return json.loads(cached.read_text(encoding="utf-8"))
        bindings = self._ask(query)["results"]["bindings"]
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            temporary = cached.with_suffix(".tmp")
            temporary.write_text(json.dumps(bindings, ensure_ascii=False), encoding="utf-8")
            temporary.replace(cached)
        return bindings

    def _ask(self, query: str) -> dict:
        client = SPARQLWrapper(self.endpoint, agent=USER_AGENT)
        client.setMethod(POST)          # long VALUES blocks do not fit in a URL
        client.setReturnFormat(JSON)
        client.setTimeout(int(self.timeout))
        client.setQuery(query)
        for attempt in range(self.retries + 1):
            self.requests += 1
            try:
                return client.queryAndConvert()
            except urllib.error.HTTPError as exc:
                if exc.code not in RETRY_STATUSES or attempt == self.retries:
                    raise EndpointError(f"{self.endpoint} answered HTTP {exc.code}") from None
                delay = retry_after(exc.headers.get("Retry-After"), default=2.0 ** attempt)
                self.waited.append(delay)
                self.sleep(delay)
            except (urllib.error.URLError, OSError) as exc:
                raise EndpointError(f"cannot reach {self.endpoint}: {getattr(exc, 'reason', exc)}") from None
            except Exception as exc:  # SPARQLWrapper's own errors (400, 404, 500…)
                raise EndpointError(f"{self.endpoint} refused the query: {type(exc).__name__}") from None
        raise AssertionError("unreachable")

    def _cache_path(self, query: str) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(f"{self.endpoint}\n{query}".encode()).hexdigest()
        return self.cache_dir / key[:2] / f"{key}.json"


def retry_after(value: str | None, default: float, ceiling: float = 300.0) -> float:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date).

    >>> retry_after("3", default=1)
    3.0
    >>> retry_after(None, default=4.0)
    4.0
    >>> retry_after("Wed, 21 Oct 2015 07:28:00 GMT", default=1)  # a date in the past: no wait
    0.0
    """
    if not value:
        return float(min(default, ceiling))
    try:
        return min(max(float(value), 0.0), ceiling)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return min(default, ceiling)
    return min(max(when - time.time(), 0.0), ceiling)


def batches(items: Iterable, size: int = BATCH) -> Iterator[list]:
    """
    >>> [len(b) for b in batches(range(120), 50)]
    [50, 50, 20]
    """
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
