#!/usr/bin/env python3
"""Vendor YASGUI (npm @zazuko/yasgui) into the package's static files, reproducibly.

The version and the registry's sha512 integrity are pinned here: the tarball is checked
against them before anything is written, so running this again gives the same files.
Pages then load YASGUI from our own server, never from a CDN. Run: ``make vendor``.
"""

from __future__ import annotations

import io
import json
import sys
import tarfile
from pathlib import Path

from npm_tarball import fetch_pinned  # scripts/ is on sys.path when run as a script

PACKAGE = "@zazuko/yasgui"
VERSION = "4.6.2"
INTEGRITY = "sha512-Zw45KdPoAE1KRaAoxIHdQqeJxvaVG1oQdntw0hy0ktX35Zu8ZccuOLrXCLwR+GU+0xMzLw8Mjw6BkSZV2vUuQw=="
TARBALL = f"https://registry.npmjs.org/{PACKAGE}/-/yasgui-{VERSION}.tgz"
FILES = ("package/build/yasgui.min.js", "package/build/yasgui.min.css", "package/package.json")
TARGET = Path(__file__).resolve().parent.parent / "server/gpai_kg/web/static/vendor/yasgui"

MIT = """MIT License

Copyright (c) {holders}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def main() -> int:
    try:
        data = fetch_pinned(TARBALL, INTEGRITY)
    except ValueError as error:
        print(f"vendor_yasgui: {error}", file=sys.stderr)
        return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        contents = {name: tar.extractfile(name).read() for name in FILES}
    meta = json.loads(contents.pop("package/package.json"))
    if meta.get("license") != "MIT":
        print(f"vendor_yasgui: licence changed to {meta.get('license')!r}; review it", file=sys.stderr)
        return 1
    for name, body in contents.items():
        (TARGET / Path(name).name).write_bytes(body)
    holders = ", ".join([meta["author"]] + [c["name"] for c in meta.get("contributors", [])])
    (TARGET / "LICENSE").write_text(MIT.format(holders=holders), encoding="utf-8")
    (TARGET / "VERSION").write_text(f"{PACKAGE}@{VERSION}\n{TARBALL}\n{INTEGRITY}\n", encoding="utf-8")
    print(f"vendored {PACKAGE}@{VERSION} into {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
