#!/usr/bin/env python3
"""Vendor Swagger UI (npm swagger-ui-dist) into the package's static files, reproducibly.

It renders the service's OpenAPI description at ``/api``. As for YASGUI (scripts/vendor_yasgui.py), the
version and the registry's sha512 integrity are pinned here and the tarball is checked against them
before anything is written; its licence (Apache-2.0), NOTICE and the licences of what its bundle
includes are copied beside it. Pages then load it from our own server, never from a CDN. Run:
``make vendor``.
"""

from __future__ import annotations

import io
import json
import sys
import tarfile
from pathlib import Path

from npm_tarball import fetch_pinned  # scripts/ is on sys.path when run as a script

PACKAGE = "swagger-ui-dist"
VERSION = "5.35.0"
INTEGRITY = "sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ=="
TARBALL = f"https://registry.npmjs.org/{PACKAGE}/-/{PACKAGE}-{VERSION}.tgz"
FILES = ("package/swagger-ui-bundle.js", "package/swagger-ui.css", "package/LICENSE", "package/NOTICE",
         "package/swagger-ui-bundle.js.LICENSE.txt", "package/package.json")
TARGET = Path(__file__).resolve().parent.parent / "server/gpai_kg/web/static/vendor/swagger-ui"


def main() -> int:
    try:
        data = fetch_pinned(TARBALL, INTEGRITY)
    except ValueError as exc:
        print(f"vendor_swagger_ui: {exc}", file=sys.stderr)
        return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        contents = {name: tar.extractfile(name).read() for name in FILES}
    meta = json.loads(contents.pop("package/package.json"))
    if meta.get("license") != "Apache-2.0":
        print(f"vendor_swagger_ui: licence changed to {meta.get('license')!r}; review it", file=sys.stderr)
        return 1
    for name, body in contents.items():
        (TARGET / Path(name).name).write_bytes(body)
    (TARGET / "VERSION").write_text(f"{PACKAGE}@{VERSION}\n{TARBALL}\n{INTEGRITY}\n", encoding="utf-8")
    print(f"vendored {PACKAGE}@{VERSION} into {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
