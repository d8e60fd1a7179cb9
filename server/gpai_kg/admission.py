"""Admission control: a few expensive queries must not starve everyone else.

No engine can tell a cheap query from an expensive one before running it, so the rules look
at what clients do, as the Wikidata Query Service does:

1. **Concurrency per client**: at most ``client_max_queries`` queries of one client address
   run at once; one more is answered 429 at once, before it takes a worker.
2. **Long queries**: a query still running after ``long_query_after`` seconds is *long*. At
   most ``max_long_queries`` run at once, and at most one per client; a query that becomes
   long beyond either is stopped and answered 429 (``client_max_long_queries`` per client). So
   there are always workers for short queries and pages.
3. **Budget per client**: each client may use ``client_query_seconds`` seconds of query time
   per minute (a query that was stopped for being long beyond the caps is charged as if it
   had run for the whole ``query_timeout``). A client over its budget is answered 429, with
   ``Retry-After`` the seconds until it is back under it, without running anything.

The counts are per web worker process (each has its own query workers); a client's budget is
therefore per process too, and across the service at most ``workers`` times as large.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from .errors import TooManyRequests

WINDOW = 60.0  # seconds over which a client's query time is counted


@dataclass(frozen=True)
class Limits:
    client_max_queries: int = 4
    max_long_queries: int = 2
    client_max_long_queries: int = 1
    long_query_after: float = 0.25
    client_query_seconds: float = 60.0
    query_timeout: float = 10.0


@dataclass
class _Client:
    running: int = 0
    long: int = 0
    spent: deque = field(default_factory=deque)  # (when, seconds)

    def used(self, now: float) -> float:
        while self.spent and self.spent[0][0] < now - WINDOW:
            self.spent.popleft()
        return sum(seconds for _, seconds in self.spent)


class Ticket:
    """One admitted query: says when it becomes long, and is closed when it ends."""

    def __init__(self, admission: Admission, client: str) -> None:
        self.admission = admission
        self.client = client
        self.started = time.monotonic()
        self.is_long = False
        self.stopped = False

    @property
    def long_after(self) -> float:
        return self.admission.limits.long_query_after

    def becomes_long(self) -> None:
        """Called once the query has run ``long_after`` seconds: raises TooManyRequests to stop it."""
        self.admission._becomes_long(self)

    def close(self) -> None:
        self.admission._close(self)


class Admission:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._clients: dict[str, _Client] = {}
        self._long = 0
        self._lock = threading.Lock()
        self.stats = {"admitted": 0, "refused": 0, "stopped": 0}

    def admit(self, client: str) -> Ticket:
        """A ticket for a query of ``client``, or TooManyRequests saying when to come back."""
        now = time.monotonic()
        with self._lock:
            state = self._clients.setdefault(client, _Client())
            if state.running >= self.limits.client_max_queries:
                self.stats["refused"] += 1
                raise TooManyRequests(
                    f"this client already has {state.running} queries running; at most "
                    f"{self.limits.client_max_queries} at once", retry_after=1)
            used = state.used(now)
            if used >= self.limits.client_query_seconds:
                self.stats["refused"] += 1
                raise TooManyRequests(
                    f"this client used {used:.0f} s of query time in the last minute; the budget is "
                    f"{self.limits.client_query_seconds:g} s", retry_after=self._back_in(state, now))
            state.running += 1
            self.stats["admitted"] += 1
        return Ticket(self, client)

    def _becomes_long(self, ticket: Ticket) -> None:
        with self._lock:
            state = self._clients[ticket.client]
            if self._long < self.limits.max_long_queries and state.long < self.limits.client_max_long_queries:
                self._long += 1
                state.long += 1
                ticket.is_long = True
                return
            ticket.stopped = True
            self.stats["stopped"] += 1
            why = ("this client already has a long query running" if state.long
                   else f"{self._long} long queries are running, the most this server runs at once")
        raise TooManyRequests(f"the query was stopped after {self.limits.long_query_after:g} s: {why}; "
                              f"try again later", retry_after=math.ceil(self.limits.query_timeout))

    def _close(self, ticket: Ticket) -> None:
        now = time.monotonic()
        seconds = self.limits.query_timeout if ticket.stopped else now - ticket.started
        with self._lock:
            state = self._clients[ticket.client]
            state.running -= 1
            if ticket.is_long:
                state.long -= 1
                self._long -= 1
            state.spent.append((now, seconds))
            if not state.running and not state.used(now):
                del self._clients[ticket.client]  # forget idle clients: the table stays small
            elif len(self._clients) > 10_000:
                self._forget_idle(now)

    def _back_in(self, state: _Client, now: float) -> int:
        """Seconds until the client's use falls under its budget again."""
        excess = state.used(now) - self.limits.client_query_seconds
        for when, seconds in state.spent:
            excess -= seconds
            if excess < 0:
                return max(1, math.ceil(when + WINDOW - now))
        return math.ceil(WINDOW)

    def _forget_idle(self, now: float) -> None:
        for client in [c for c, s in self._clients.items() if not s.running and not s.used(now)]:
            del self._clients[client]


__all__ = ["Admission", "Limits", "Ticket"]
