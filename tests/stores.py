"""External SPARQL stores for the tests and the benchmark: each a real server on a free
loopback port over a throw-away database, started here and stopped by the caller.

* :class:`OxigraphStore`: ``oxigraph serve`` (PyPI package ``oxigraph``), read-write;
* :class:`VirtuosoStore`: Virtuoso Open Source 7 (Debian package ``virtuoso-opensource``,
  installed by ``.ci/run``), its Graph Store endpoint behind digest authentication.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import sys
import time
from pathlib import Path

import requests

OXIGRAPH = str(Path(sys.executable).with_name("oxigraph"))
VIRTUOSO = shutil.which("virtuoso-t")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen, timeout: float = 30) -> None:
    """Ask a server to stop, then make it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class ExternalStore:
    """A running store: where to query it, where to load it, and what credentials it wants."""

    name = "store"
    query_url: str
    graph_store_url: str
    credentials: dict[str, str] = {}
    process: subprocess.Popen

    def _wait(self, seconds: float, log: Path | None = None) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {log.read_text()[-2000:] if log else ''}")
            try:
                if requests.post(self.query_url, data={"query": "ASK {}"}, timeout=10).ok:
                    return
            except requests.RequestException:  # not up yet, or slow to answer on a busy machine
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not start within {seconds:g} s")

    @property
    def env(self) -> dict[str, str]:
        """The environment variables that give ``gpai-kg`` this store's credentials."""
        return {f"GPAI_KG_STORE_{k.upper()}": v for k, v in self.credentials.items()}

    def stop(self) -> None:
        stop_process(self.process, 60)


class OxigraphStore(ExternalStore):
    name = "oxigraph"

    def __init__(self, tmp: Path, timeout_s: int = 10) -> None:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        self.query_url, self.graph_store_url = base + "/query", base + "/store"
        tmp.mkdir(parents=True, exist_ok=True)
        # Its own time limit, so that a query gpai-kg abandoned does not run on for ever.
        self.process = subprocess.Popen(
            [OXIGRAPH, "serve", "--location", str(tmp / "oxigraph-store"), "--bind", f"127.0.0.1:{port}",
             "--timeout-s", str(timeout_s)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait(60)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = {dir}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
MaxCheckpointRemap = 2000
CheckpointInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 16
MaxClientConnections = 16
MaxKeepAlives = 16
KeepAliveTimeout = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
; Above any row cap gpai-kg uses, so the store never cuts a result short silently.
ResultSetMaxRows = 100000000
; Its own time limit, so that a query gpai-kg abandoned does not run on for ever.
MaxQueryExecutionTime = {timeout_s}
MaxQueryCostEstimationTime = 0
"""


class VirtuosoStore(ExternalStore):
    """A fresh database: its ``dba`` account has the password ``dba`` until someone changes it."""

    name = "virtuoso"
    credentials = {"user": "dba", "password": "dba"}

    def __init__(self, tmp: Path, timeout_s: int = 10, memory_mb: int = 400) -> None:
        if VIRTUOSO is None:
            raise FileNotFoundError("virtuoso-t is not installed (Debian package virtuoso-opensource)")
        folder = tmp / "virtuoso"
        folder.mkdir(parents=True, exist_ok=True)
        http_port, sql_port = free_port(), free_port()
        buffers = memory_mb * 1024 // 8 * 2 // 3  # 8 KiB pages; Virtuoso's own rule of thumb
        (folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(
            dir=folder, sql_port=sql_port, http_port=http_port, buffers=buffers, dirty_buffers=buffers * 3 // 4,
            timeout_s=timeout_s))
        base = f"http://127.0.0.1:{http_port}"
        self.query_url, self.graph_store_url = base + "/sparql", base + "/sparql-graph-crud-auth"
        self.log = folder / "stdout.log"
        with open(self.log, "w") as out:
            self.process = subprocess.Popen([VIRTUOSO, "-f", "-c", str(folder / "virtuoso.ini")],
                                            cwd=folder, stdout=out, stderr=subprocess.STDOUT)
        self._wait(180, self.log)


STORES = {"oxigraph": OxigraphStore, "virtuoso": VirtuosoStore}


class CountingListener:
    """Counts every TCP connection made to it (it answers nothing): the service must make none."""

    def __init__(self) -> None:
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()
