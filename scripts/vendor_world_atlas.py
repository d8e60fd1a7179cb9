#!/usr/bin/env python3
"""Vendor Natural Earth's country boundaries (npm ``world-atlas``) into the package, reproducibly.

The version and the registry's sha512 integrity are pinned here: the tarball is checked against
them before anything is written, so running this again gives the same files. It writes, under
``server/gpai_kg/web/static/vendor/world-atlas/``:

* ``countries-110m.json``: the package's 1:110m countries, TopoJSON, as published;
* ``countries-50m-points.json``: one point (the centroid of the largest part, in degrees) for each
  country of the package's 1:50m file that the 1:110m one leaves out (Singapore among them), so
  that the map can show every member; derived here, from the same tarball;
* ``LICENSE`` (the package's ISC licence; Natural Earth's data are in the public domain) and
  ``VERSION`` (package, version, tarball, integrity, and the sha256 of each file written).

The world map (``gpai_kg/web/worldmap.py``) draws from these files; nothing is fetched at run
time. Run: ``make vendor``.
"""

from __future__ import annotations

import importlib.util
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

from npm_tarball import fetch_pinned  # scripts/ is on sys.path when run as a script

PACKAGE = "world-atlas"
VERSION = "2.0.2"
INTEGRITY = "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ=="
TARBALL = f"https://registry.npmjs.org/{PACKAGE}/-/{PACKAGE}-{VERSION}.tgz"
LICENCE = "ISC"
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "server/gpai_kg/web/static/vendor/world-atlas"

NOTICE = """
Boundaries: Natural Earth (https://www.naturalearthdata.com/), Admin 0 countries, version 4.1.0,
in the public domain ("No permission is needed to use Natural Earth"), as TopoJSON by the npm
package {package}@{version} (https://github.com/topojson/world-atlas), under the licence above.
countries-50m-points.json is derived from that package's countries-50m.json by
scripts/vendor_world_atlas.py.
"""


def _worldmap():
    """gpai_kg/web/worldmap.py, loaded by path: it needs only the standard library."""
    path = ROOT / "server/gpai_kg/web/worldmap.py"
    spec = importlib.util.spec_from_file_location("worldmap", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["worldmap"] = module   # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def points(small: dict, large: dict) -> dict[str, dict]:
    """The countries of ``large`` missing from ``small``, each as one point, by ISO numeric code."""
    worldmap = _worldmap()
    known = {f.id for f in worldmap.features(small, "countries")}
    out = {}
    for feature in worldmap.features(large, "countries"):
        if feature.id is None or feature.id in known or not feature.polygons:
            continue
        lon, lat = worldmap.main_point(feature.polygons)
        out[feature.id] = {"name": feature.name, "coordinates": [round(lon, 3), round(lat, 3)]}
    return dict(sorted(out.items()))


def _one_per_line(values: dict) -> str:
    return "{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                               for k, v in values.items()) + "\n}\n"


def main() -> int:
    try:
        data = fetch_pinned(TARBALL, INTEGRITY)
    except ValueError as error:
        print(f"vendor_world_atlas: {error}", file=sys.stderr)
        return 1
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        read = {name: tar.extractfile(f"package/{name}").read()
                for name in ("package.json", "LICENSE", "countries-110m.json", "countries-50m.json")}
    meta = json.loads(read["package.json"])
    if meta.get("license") != LICENCE or meta.get("version") != VERSION:
        print(f"vendor_world_atlas: licence {meta.get('license')!r}, version {meta.get('version')!r}; "
              f"expected {LICENCE!r}, {VERSION!r}: review it", file=sys.stderr)
        return 1
    small = json.loads(read["countries-110m.json"])
    large = json.loads(read["countries-50m.json"])
    files = {
        "countries-110m.json": read["countries-110m.json"],
        "countries-50m-points.json": _one_per_line(points(small, large)).encode("utf-8"),
        "LICENSE": read["LICENSE"].rstrip(b"\n") + b"\n"
                   + NOTICE.format(package=PACKAGE, version=VERSION).encode("utf-8"),
    }
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (TARGET / name).write_bytes(body)
    sums = "".join(f"sha256 {hashlib.sha256(body).hexdigest()}  {name}\n" for name, body in files.items())
    (TARGET / "VERSION").write_text(f"{PACKAGE}@{VERSION}\n{TARBALL}\n{INTEGRITY}\nlicense {LICENCE}\n{sums}",
                                    encoding="utf-8")
    print(f"vendored {PACKAGE}@{VERSION} into {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
