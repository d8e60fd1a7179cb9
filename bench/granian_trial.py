"""The same app under granian (a Rust HTTP server for Python) beside gunicorn: what would it buy, what would it cost?

    .venv/bin/pip install granian==2.8.9     # not a dependency of the project: a trial
    .venv/bin/python bench/granian_trial.py [--seconds 6] [--passes 2]

Both serve the latest release's N-Quads on loopback with the same settings (two web workers,
16 threads each, the benches' admission limits): gunicorn as ``gpai-kg serve FILE`` starts it,
granian through :func:`make_app` (``--interface wsgi --factory``). For each request of
``http_bench.py``, plus a POST that no cache answers, wrk runs against each in turn, interleaved;
the script prints median requests/s and CPU per request. Then it checks two guarantees the
hardening issue set for the server itself, on both:

* a malformed request gets the service's JSON error (gunicorn: our worker class writes it);
* on SIGTERM a query in flight ends at once with 503 and every process is gone soon after
  (gunicorn: our worker class stops the query workers first).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from http_bench import REQUESTS, _url, wrk  # noqa: E402
from processes import tree  # noqa: E402
from sparql_bench import ADMIT_ALL  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from stores import free_port  # noqa: E402

FILE_VARIABLE = "GPAI_KG_TRIAL_FILE"
#: A query no cache answers (POST), small enough to be about the HTTP tier.
POST_QUERY = "ASK { ?s ?p ?o }"
#: A query that runs until its time limit: in flight when the server is told to stop.
LONG_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def make_app():
    """granian's factory: the app as ``gpai-kg serve FILE`` would build it, with the benches' limits."""
    from gpai_kg.web import create_app

    overrides = {"files": [os.environ[FILE_VARIABLE]], "query_timeout": 120}
    flags = iter(ADMIT_ALL)
    for flag, value in zip(flags, flags):
        overrides[flag.removeprefix("--").replace("-", "_")] = float(value) if "seconds" in flag else int(value)
    return create_app(overrides)


class Server:
    def __init__(self, name: str, command: list[str], env: dict, port: int) -> None:
        self.name, self.url = name, f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/sparql", params={"query": "ASK {}"}, timeout=5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        raise SystemExit(f"granian_trial: {name} did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start(nquads: Path, tmp: Path) -> list[Server]:
    env = {**os.environ, FILE_VARIABLE: str(nquads), "GPAI_KG_STORE_DIR": str(tmp / "store")}
    cli = str(Path(sys.executable).with_name("gpai-kg"))
    granian = str(Path(sys.executable).with_name("granian"))
    gunicorn_port, granian_port = free_port(), free_port()
    gunicorn = Server("gunicorn", [cli, "serve", str(nquads), "--port", str(gunicorn_port), "--query-timeout", "120",
                                   *ADMIT_ALL], env, gunicorn_port)
    granian_server = Server("granian", [granian, "--interface", "wsgi", "--factory", "--workers", "2",
                                        "--blocking-threads", "16", "--no-ws", "--port", str(granian_port),
                                        "--log-level", "warning", "granian_trial:make_app"],
                            {**env, "PYTHONPATH": str(ROOT / "bench")}, granian_port)
    return [gunicorn, granian_server]


def malformed_request(url: str) -> str:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(b"GARBAGE\r\n\r\n")
        answer = b""
        while chunk := s.recv(4096):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].decode()
    return f"{status}, body {body[:60]!r}"


def stop_in_flight(server: Server) -> str:
    """SIGTERM to the server while a query runs: how the query ends, and how long until all is gone."""
    outcome: dict = {}

    def ask():
        started = time.monotonic()
        try:
            r = requests.post(server.url + "/sparql", data={"query": LONG_QUERY}, timeout=60,
                              headers={"Accept": "application/sparql-results+json"})
            outcome["answer"] = f"{r.status_code} after {time.monotonic() - started:.1f} s"
        except requests.RequestException as exc:
            outcome["answer"] = f"no answer ({type(exc).__name__} after {time.monotonic() - started:.1f} s)"

    thread = threading.Thread(target=ask)
    thread.start()
    time.sleep(3)
    processes = tree(server.process.pid)
    os.kill(server.process.pid, signal.SIGTERM)
    started = time.monotonic()
    while time.monotonic() - started < 30 and any(map(_running, processes)):
        time.sleep(0.2)
    left = [_command(p) for p in processes if _running(p)]
    gone = f"all {len(processes)} processes gone after {time.monotonic() - started:.1f} s" if not left else \
        f"{len(left)} of {len(processes)} processes still running after 30 s ({'; '.join(sorted(set(left)))})"
    thread.join()
    return f"the query in flight: {outcome['answer']}; {gone}"


def _running(pid: int) -> bool:
    """Alive and not a zombie (the server's own process stays one until this script reaps it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:90]
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--release", type=Path, default=ROOT / "dist" / "latest")
    args = parser.parse_args()
    if shutil.which("wrk") is None or not Path(sys.executable).with_name("granian").exists():
        raise SystemExit("granian_trial: needs wrk (apt-get install wrk) and granian (pip install granian==2.8.9)")
    nquads = args.release.resolve() / "gpai-kg.nq"
    load = os.getloadavg()
    rows: dict[tuple[str, str], list[dict]] = {}
    checks: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        servers = start(nquads, Path(tmp))
        try:
            requests_ = [*REQUESTS, ("POST ASK { ?s ?p ?o } (no cache)", {"post": POST_QUERY},
                                     "application/sparql-results+json")]
            for _ in range(args.passes):
                for name, target, accept in requests_:
                    for server in servers:
                        pids = (server.process.pid,)
                        if "post" in target:
                            rows.setdefault((name, server.name), []).append(_post(server, target["post"], args, pids))
                        else:
                            url = _url(server.url + "/sparql", "gpai-kg", target)
                            rows.setdefault((name, server.name), []).append(
                                wrk(url, accept, args.seconds, 8, pids))
            for server in servers:
                checks[server.name] = [malformed_request(server.url), stop_in_flight(server)]
        finally:
            for server in servers:
                server.stop()
    print(f"granian_trial.py, {time.strftime('%Y-%m-%d %H:%M')}, load average {load[0]:.1f} {load[1]:.1f} "
          f"{load[2]:.1f}; wrk -t2 -c8 -d{args.seconds:g}s, median of {args.passes} interleaved passes")
    print("| request | gunicorn req/s | granian req/s | granian / gunicorn | CPU ms/req gunicorn | granian |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in dict.fromkeys(n for n, _ in rows):
        a, b = (_median(rows[(name, s)]) for s in ("gunicorn", "granian"))
        print(f"| {name} | {a['rate']:,.0f} | {b['rate']:,.0f} | {b['rate'] / a['rate']:.1f}× | "
              f"{a['server_cpu_ms']:.3f} | {b['server_cpu_ms']:.3f} |")
    for name, (malformed, stop) in checks.items():
        print(f"- {name}: a malformed request: {malformed}")
        print(f"- {name}: SIGTERM with a query in flight: {stop}")


def _post(server: Server, query: str, args, pids) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(urlencode({"query": query}))}\n'
                     'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n')
    try:
        return wrk(server.url + "/sparql", "application/sparql-results+json", args.seconds, 8, pids,
                   extra=("-s", script.name))
    finally:
        os.unlink(script.name)


def _median(runs: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in runs) for k in ("rate", "server_cpu_ms")}


if __name__ == "__main__":
    main()
