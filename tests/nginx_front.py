"""nginx from Debian in front of a server, with the repository's deploy/nginx/gpai-kg.conf.

Only the configuration's three marked lines (cache folder, upstream, listen address) are changed,
to a temporary folder and loopback ports, so that the file users deploy is the file tested and
benchmarked. Used by tests/test_http_cache_front.py and bench/http_bench.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import requests
from stores import free_port, stop_process

CONF = Path(__file__).resolve().parents[1] / "deploy" / "nginx" / "gpai-kg.conf"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def site_conf(tmp: Path, upstream: str, port: int) -> str:
    """deploy/nginx/gpai-kg.conf with its three marked lines pointed at the given places."""
    text = CONF.read_text(encoding="utf-8")
    edits = {"/var/lib/nginx/gpai-kg-cache": str(tmp / "cache"), "127.0.0.1:8000": upstream,
             "listen 8080;": f"listen 127.0.0.1:{port};"}
    for old, new in edits.items():
        if text.count(old) != 1:
            raise AssertionError(f"{CONF.name} no longer has one {old!r} to point elsewhere")
        text = text.replace(old, new)
    return text


class Nginx:
    """nginx on a loopback port, proxying (and caching) for ``upstream`` (host:port)."""

    def __init__(self, tmp: Path, upstream: str, worker_processes: int | str = 1) -> None:
        if NGINX is None:
            raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (tmp / "site.conf").write_text(site_conf(tmp, upstream, self.port), encoding="utf-8")
        temp = {name: tmp / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
        main = [
            "daemon off;", f"worker_processes {worker_processes};", f"pid {tmp / 'nginx.pid'};",
            f"error_log {tmp / 'error.log'} warn;",
            # A root master's workers would run as nobody, who cannot enter private temporary folders.
            "user root;" if os.geteuid() == 0 else "",
            "events { worker_connections 1024; }",
            "http {", "access_log off;",
            *(f"{name}_temp_path {path};" for name, path in temp.items()),
            f"include {tmp / 'site.conf'};", "}",
        ]
        (tmp / "nginx.conf").write_text("\n".join(main) + "\n", encoding="utf-8")
        command = [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
        if checked.returncode != 0:
            raise AssertionError(checked.stderr)
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/health", timeout=10)
                return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"nginx did not start: {(tmp / 'error.log').read_text()}")

    def stop(self) -> None:
        stop_process(self.process)
