"""A world map of GPAI's members, drawn on the server as accessible inline SVG.

The boundaries are Natural Earth's 1:110m countries as the npm package ``world-atlas`` ships
them (TopoJSON, vendored by ``scripts/vendor_world_atlas.py`` under ``static/vendor/world-atlas``),
with one point for each country that scale leaves out (Singapore), taken from its 1:50m file.
This module decodes the TopoJSON in plain Python, projects it with the Equal Earth projection
and draws:

* each member country as a link (``<a href>``) to its page, with a ``<title>`` and an accessible
  name, filled with the colour of its category (the year it joined, or the other bodies it belongs
  to); countries too small to see or to tap get a dot as well;
* every other country in one neutral, hidden, unfocusable shape;
* a legend, and a ``<desc>`` text alternative listing the members of each category.

The SVG root has ``role="group"``, never ``role="img"``: an image's children are hidden from
assistive technology, and the links must stay reachable by keyboard and screen reader.
Every string a reader sees is given by the caller (:class:`MapLabels`), so pages can translate it.
The data come from ``queries/views/map-members.rq`` and ``map-overlap.rq``;
:func:`year_rows` and :func:`overlap_rows` turn their rows into the plain rows drawn here.

Stdlib only: ``scripts/vendor_world_atlas.py`` loads this file by path to derive the points.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from math import asin, cos, radians, sin, sqrt
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "static" / "vendor" / "world-atlas"
#: Not drawn: Antarctica (no member; it would take a fifth of the map's height).
LEFT_OUT = frozenset({"010"})

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]


# --- TopoJSON (https://github.com/topojson/topojson-specification) -----------------------------

@dataclass(frozen=True)
class Feature:
    id: str | None
    name: str
    polygons: list[Polygon]


def decode_arcs(topology: Mapping) -> list[Ring]:
    """The topology's arcs as lists of positions.

    With a ``transform``, arcs are quantized and delta-encoded: each position is the sum of the
    deltas so far, scaled and translated (specification, 2.1.2 and 2.2).

    >>> decode_arcs({"transform": {"scale": [0.5, 2], "translate": [10, 20]},
    ...              "arcs": [[[2, 1], [2, 0], [0, -1]]]})
    [[(11.0, 22), (12.0, 22), (12.0, 20)]]
    >>> decode_arcs({"arcs": [[[0.5, 1], [2, 3]]]})
    [[(0.5, 1), (2, 3)]]
    """
    transform = topology.get("transform")
    if not transform:
        return [[(p[0], p[1]) for p in arc] for arc in topology["arcs"]]
    (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for position in arc:
            x += position[0]
            y += position[1]
            points.append((x * kx + dx, y * ky + dy))
        arcs.append(points)
    return arcs


def ring(indices: Iterable[int], arcs: Sequence[Ring]) -> Ring:
    """The closed ring of positions the arc indices name (``~i``: arc ``i`` reversed).

    Consecutive arcs share their end and start positions; the shared one is kept once.
    """
    points: Ring = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def features(topology: Mapping, name: str) -> Iterator[Feature]:
    """The polygons and multipolygons of the object ``name`` (a geometry collection or one geometry).

    A tiny topology: two unit squares sharing one edge (arc 0), quantized with a transform.

    >>> squares = {"type": "Topology",
    ...     "transform": {"scale": [1, 1], "translate": [10, 20]},
    ...     "arcs": [[[1, 0], [0, 1]],                       # the shared edge, (11,20) to (11,21)
    ...              [[1, 1], [-1, 0], [0, -1], [1, 0]],     # the rest of the west square
    ...              [[1, 0], [1, 0], [0, 1], [-1, 0]]],     # the rest of the east square
    ...     "objects": {"countries": {"type": "GeometryCollection", "geometries": [
    ...         {"type": "Polygon", "id": "001", "arcs": [[0, 1]], "properties": {"name": "West"}},
    ...         {"type": "Polygon", "id": "002", "arcs": [[2, ~0]], "properties": {"name": "East"}},
    ...         {"type": "MultiPolygon", "id": "003", "arcs": [[[0, 1]], [[2, ~0]]]},
    ...         {"type": None, "id": "004"}]}}}
    >>> west, east, both, empty = features(squares, "countries")
    >>> west.id, west.name, west.polygons
    ('001', 'West', [[[(11, 20), (11, 21), (10, 21), (10, 20), (11, 20)]]])
    >>> east.polygons
    [[[(11, 20), (12, 20), (12, 21), (11, 21), (11, 20)]]]
    >>> len(both.polygons), both.polygons[1] == east.polygons[0], both.name, empty.polygons
    (2, True, '', [])
    """
    arcs = decode_arcs(topology)

    def walk(geometry: Mapping) -> Iterator[Feature]:
        kind = geometry.get("type")
        if kind == "GeometryCollection":
            for child in geometry["geometries"]:
                yield from walk(child)
            return
        if kind == "Polygon":
            polygons = [[ring(r, arcs) for r in geometry["arcs"]]]
        elif kind == "MultiPolygon":
            polygons = [[ring(r, arcs) for r in polygon] for polygon in geometry["arcs"]]
        elif kind is None:
            polygons = []
        else:
            raise ValueError(f"not an areal geometry: {kind}")
        identifier = geometry.get("id")
        yield Feature(None if identifier is None else str(identifier),
                      (geometry.get("properties") or {}).get("name", ""), polygons)

    yield from walk(topology["objects"][name])


def area_centroid(points: Ring) -> tuple[float, Point]:
    """The absolute area and the centroid of a closed ring (shoelace formula).

    >>> area_centroid([(0, 0), (2, 0), (2, 2), (0, 2), (0, 0)])
    (4.0, (1.0, 1.0))
    """
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if not area:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return 0.0, ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return abs(area) / 2, (cx / (3 * area), cy / (3 * area))


def split_antimeridian(points: Ring) -> list[Ring]:
    """A ring in degrees cut where it crosses the antimeridian (±180°), one ring per side.

    world-atlas stitches the countries astride it (Fiji, Russia) into single rings; a plane map
    must cut them, or a line would run across the world. The ring is unwrapped (longitudes made
    continuous), then clipped to [-180, 180] as it is and shifted by ±360°.

    >>> for piece in split_antimeridian([(170, 0), (-170, 0), (-170, 10), (170, 10), (170, 0)]):
    ...     print(piece)
    [(-170, 0), (-170, 10), (-180, 10.0), (-180, 0.0), (-170, 0)]
    [(180, 10.0), (170, 10), (170, 0), (180, 0.0), (180, 10.0)]
    >>> split_antimeridian([(1, 1), (2, 1), (2, 2), (1, 1)])
    [[(1, 1), (2, 1), (2, 2), (1, 1)]]
    """
    unwrapped = [points[0]]
    for lon, lat in points[1:]:
        previous = unwrapped[-1][0]
        lon += 360 * round((previous - lon) / 360)
        unwrapped.append((lon, lat))
    lons = [p[0] for p in unwrapped]
    if (-180 <= min(lons) and max(lons) <= 180) or lons[0] != lons[-1]:
        return [points]   # within the map, or around a pole (Antarctica, left out): as it is
    pieces = []
    for offset in (-360, 0, 360):
        piece = _clip(_clip([(lon + offset, lat) for lon, lat in unwrapped], -180, 1), 180, -1)
        if len(piece) >= 4:
            pieces.append(piece + [piece[0]] if piece[0] != piece[-1] else piece)
    return pieces


def _clip(points: Ring, edge: float, side: int) -> Ring:
    """Sutherland-Hodgman: the part of a closed ring where ``side * (lon - edge) >= 0``."""
    def inside(p: Point) -> bool:
        return side * (p[0] - edge) >= 0

    def cut(a: Point, b: Point) -> Point:
        return edge, a[1] + (b[1] - a[1]) * (edge - a[0]) / (b[0] - a[0])

    out: Ring = []
    for a, b in zip(points, points[1:]):
        if inside(b):
            if not inside(a):
                out.append(cut(a, b))
            out.append(b)
        elif inside(a):
            out.append(cut(a, b))
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def main_point(polygons: list[Polygon]) -> Point:
    """Where to put a dot for a country: the centroid of its largest outer ring."""
    return max((area_centroid(polygon[0]) for polygon in polygons if polygon), key=lambda a: a[0])[1]


# --- The Equal Earth projection -----------------------------------------------------------------
#
# Bojan Šavrič, Tom Patterson and Bernhard Jenny, "The Equal Earth map projection",
# International Journal of Geographical Information Science 33(3), 2019, pp. 454-465,
# doi:10.1080/13658816.2018.1504949, equations (2) and (3):
#   sin θ = (√3 / 2) sin φ
#   x = 2√3 λ cos θ / (3 (9 A4 θ⁸ + 7 A3 θ⁶ + 3 A2 θ² + A1))
#   y = A4 θ⁹ + A3 θ⁷ + A2 θ³ + A1 θ
# with A1 = 1.340264, A2 = −0.081106, A3 = 0.000893, A4 = 0.003796 (λ, φ in radians; unit sphere).
# An equal-area projection: every country is drawn at its true relative size.

A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> Point:
    """Equal Earth coordinates of a longitude and latitude in degrees (y grows northwards).

    >>> [round(v, 4) for v in equal_earth(180, 0) + equal_earth(0, 90) + equal_earth(-90, -45)]
    [2.7066, 0.0, 0.0, 1.3174, -1.1599, -0.8602]
    """
    lam, theta = radians(lon), asin(M * sin(radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


# --- The vendored world, projected once per process --------------------------------------------

@dataclass(frozen=True)
class Country:
    name: str               # Natural Earth's English name (for debugging; pages use the graph's)
    rings: tuple[Ring, ...]  # in SVG coordinates
    dot: Point               # where a dot goes when the country is too small to see
    size: float              # the larger side of its bounding box, in SVG units


@dataclass(frozen=True)
class World:
    width: int
    height: int
    countries: dict[str, Country]   # by ISO 3166-1 numeric code; points have no rings
    others: tuple[Ring, ...]        # territories without a code (Kosovo, N. Cyprus, Somaliland)


WIDTH = 1000
MARGIN = 8


@lru_cache(maxsize=4)
def load_world(folder: Path = VENDOR, width: int = WIDTH) -> World:
    """The vendored 1:110m countries (and 1:50m points) projected and fitted to ``width``."""
    topology = json.loads((folder / "countries-110m.json").read_text(encoding="utf-8"))
    points = json.loads((folder / "countries-50m-points.json").read_text(encoding="utf-8"))
    shapes = [(f.id, f.name, [[[equal_earth(*p) for p in piece] for r in polygon for piece in split_antimeridian(r)]
                              for polygon in f.polygons])
              for f in features(topology, "countries") if f.id not in LEFT_OUT]
    xs = [p[0] for _, _, polygons in shapes for polygon in polygons for r in polygon for p in r]
    ys = [p[1] for _, _, polygons in shapes for polygon in polygons for r in polygon for p in r]
    scale = (width - 2 * MARGIN) / (max(xs) - min(xs))
    left, top = min(xs), max(ys)
    height = round(2 * MARGIN + (top - min(ys)) * scale)

    def fit(p: Point) -> Point:
        return MARGIN + (p[0] - left) * scale, MARGIN + (top - p[1]) * scale

    countries, others = {}, []
    for identifier, name, polygons in shapes:
        fitted = [[[fit(p) for p in r] for r in polygon] for polygon in polygons]
        rings = tuple(r for polygon in fitted for r in polygon)
        if identifier is None:
            others.extend(rings)
            continue
        xs = [p[0] for r in rings for p in r]
        ys = [p[1] for r in rings for p in r]
        countries[identifier] = Country(name, rings, main_point(fitted),
                                        max(max(xs) - min(xs), max(ys) - min(ys)))
    for identifier, point in points.items():
        if identifier not in countries:
            countries[identifier] = Country(point["name"], (), fit(equal_earth(*point["coordinates"])), 0.0)
    return World(width, height, countries, tuple(others))


def path_data(rings: Iterable[Ring]) -> str:
    """SVG path data for closed rings, compactly: integers, the first point absolute, the rest relative.

    Coordinates are rounded first and the differences taken between rounded points, so the error
    never accumulates; repeated points are dropped, and rings that shrink to less than a triangle.

    >>> path_data([[(10.2, 10.4), (20.4, 10.1), (20.2, 20.3), (10.1, 10.2)], [(1, 1), (1.2, 1.1), (1, 1)]])
    'M10 10l10 0 0 10z'
    """
    out = []
    for points in rings:
        rounded: list[tuple[int, int]] = []
        for x, y in points:
            p = (round(x), round(y))
            if not rounded or p != rounded[-1]:
                rounded.append(p)
        if len(rounded) > 1 and rounded[-1] == rounded[0]:
            rounded.pop()
        if len(rounded) < 3:
            continue
        steps = [f"{b[0] - a[0]} {b[1] - a[1]}" for a, b in zip(rounded, rounded[1:])]
        out.append(f"M{rounded[0][0]} {rounded[0][1]}l" + " ".join(steps).replace(" -", "-") + "z")
    return "".join(out)


# --- Colours ------------------------------------------------------------------------------------
#
# Ordered categories (the year joined) take viridis (Nathaniel Smith and Stéfan van der Walt,
# matplotlib, 2015): perceptually uniform, ordered in lightness, readable with the common colour
# vision deficiencies and in greyscale. Only its darker four fifths (0 to 0.8) are used: its pale
# yellow end would sit too close to the non-members' light grey. Unordered categories (the other bodies) take the
# Okabe-Ito palette (Masataka Okabe and Kei Ito, "Color Universal Design", 2008), chosen to stay
# distinct for people with any common form of colour blindness.

VIRIDIS = ("#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884",
           "#44bf70", "#7ad151")
NONMEMBER = "#dfe3e8"
INK = "#1d2330"      # legend text: 15:1 on white, well above WCAG AA's 4.5:1


def sequential(keys: Sequence[str]) -> dict[str, str]:
    """Viridis colours for ordered keys, spread over its range.

    >>> sequential(["2020", "2021", "2022"])
    {'2020': '#440154', '2021': '#2a788e', '2022': '#7ad151'}
    """
    if len(keys) > len(VIRIDIS):
        raise ValueError(f"at most {len(VIRIDIS)} ordered categories")
    if len(keys) == 1:
        return {keys[0]: VIRIDIS[len(VIRIDIS) // 2]}
    last = len(VIRIDIS) - 1
    return {key: VIRIDIS[round(i * last / (len(keys) - 1))] for i, key in enumerate(keys)}


#: The combinations of the other bodies a member can belong to, in legend order.
OVERLAP_KEYS = ("oecd-g7-g20", "oecd-g20", "oecd-g7", "oecd", "g7-g20", "g7", "g20", "none")
#: Okabe-Ito's eight colours, one each; the combinations no member has today (every G7 member is in
#: the OECD and the G20) take black, vermillion and yellow, the least comfortable on this map.
OVERLAP_COLOURS = dict(zip(OVERLAP_KEYS, ("#0072b2", "#56b4e9", "#000000", "#009e73", "#d55e00",
                                          "#f0e442", "#e69f00", "#cc79a7")))


def overlap_key(oecd: bool, g7: bool, g20: bool) -> str:
    """The category of a member in the other bodies it belongs to.

    >>> overlap_key(True, True, True), overlap_key(False, False, True), overlap_key(False, False, False)
    ('oecd-g7-g20', 'g20', 'none')
    """
    return "-".join(name for name, yes in (("oecd", oecd), ("g7", g7), ("g20", g20)) if yes) or "none"


# --- Drawing ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MapLabels:
    """Every string the map shows or speaks, given by the caller (who may translate them).

    The templates are ``str.format`` strings with the named fields shown.
    """

    categories: Sequence[tuple[str, str]]   # (category key, its legend label), in legend order
    summary: str                              # the text alternative's opening sentence(s)
    legend: str                               # the legend's heading
    nonmember: str                            # the legend entry for the countries that are not members
    count: Callable[[int], str] = field(default=lambda n: f"{n} {'country' if n == 1 else 'countries'}")
    entry: str = "{category}: {count}"                 # a legend entry ({count} from ``count``)
    link: str = "{name} ({category})"                 # each member's link name and tooltip
    listing: str = "{category}: {count}: {names}."    # a sentence of the text alternative per category
    off_map: str = "Also a member, not a country on the map: {names}."   # the EU, in legend and text
    separator: str = ", "                             # between names in a list


Row = tuple[str | None, str, str, str]   # (ISO 3166-1 numeric or None, name, href, category key)

LEGEND_FONT, LEGEND_FONT_NARROW, ROW = 19, 36, 48
SMALL = 8    # a country whose bounding box is smaller than this (SVG units) also gets a dot
DOT = 4


def members_map_svg(rows: Iterable[Row], title: str, labels: MapLabels, *,
                    colours: Mapping[str, str] | None = None, id: str = "worldmap",
                    world: World | None = None) -> str:
    """An accessible SVG world map of ``rows``: each member country a link to its ``href``.

    ``rows`` are (ISO 3166-1 numeric code, name, href, category key); a row without a code on
    the map (the European Union) is named in the legend and the text alternative instead.
    ``colours`` maps category keys to fills (default: :func:`sequential` over the categories).
    ``id`` prefixes the element ids: give each map on a page its own.

    >>> svg = members_map_svg([("250", "France", "/fr", "2020"), ("702", "Singapore", "/sg", "2020"),
    ...                        (None, "European Union", "/eu", "2020")], "Members",
    ...                       MapLabels([("2020", "2020")], "Two countries.", "Joined", "Not a member"))
    >>> svg.count("<a "), 'role="img"' in svg, "2020: 2 countries" in svg, "European Union" in svg
    (2, False, True, True)
    """
    if not re.fullmatch(r"[A-Za-z][\w-]*", id):
        raise ValueError(f"{id!r}: an element id of letters, digits, '-' and '_' is needed")
    world = world or load_world()
    keys = [key for key, _ in labels.categories]
    names = dict(labels.categories)
    colours = dict(colours) if colours is not None else sequential(keys)
    on_map: dict[str, list[Row]] = {key: [] for key in keys}
    off_map: list[Row] = []
    for row in rows:
        code, name, href, key = row
        if key not in names:
            raise ValueError(f"{name}: category {key!r} is not among the labels' categories")
        (on_map[key] if code in world.countries else off_map).append(row)
    members = {row[0] for group in on_map.values() for row in group}

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="worldmap" role="group" '
             f'aria-labelledby="{id}-title" aria-describedby="{id}-desc" '
             f'font-family="system-ui, sans-serif" style="width:100%;height:auto;max-width:60rem" ',
             None,   # the viewBox, once the legend's height is known
             f'<title id="{id}-title">{escape(title)}</title>',
             f'<desc id="{id}-desc">{escape(_text_alternative(on_map, off_map, labels))}</desc>',
             _style(id)]
    others = [r for code, country in world.countries.items() if code not in members for r in country.rings]
    parts.append(f'<path aria-hidden="true" fill="{NONMEMBER}" stroke="#fff" stroke-width="0.5" '
                 f'fill-rule="evenodd" d="{path_data([*others, *world.others])}"/>')
    parts.append('<g class="members" stroke="#fff" stroke-width="0.5">')
    for key in keys:
        for code, name, href, _ in on_map[key]:
            country = world.countries[code]
            link = labels.link.format(name=name, category=names[key])
            d = path_data(country.rings)
            shape = f'<path fill-rule="evenodd" d="{d}"/>' if d else ""
            dot = (f'<circle cx="{country.dot[0]:.0f}" cy="{country.dot[1]:.0f}" r="{DOT}" stroke="{INK}" '
                   f'stroke-width="1.5"/>'
                   if country.size < SMALL else "")
            parts.append(f'<a href="{escape(href)}" aria-label="{escape(link)}" fill="{colours[key]}">'
                         f'<title>{escape(link)}</title>{shape}{dot}</a>')
    parts.append("</g>")
    legend, bottom = _legend(on_map, off_map, labels, colours, world)
    parts.append(legend)
    parts.append("</svg>")
    parts[1] = f'viewBox="0 0 {world.width} {bottom}">'
    return "".join(parts)


def _style(id: str) -> str:
    scope = f"#{id}"
    return ("<style>"
            f"{scope} path,{scope} circle,{scope} rect{{vector-effect:non-scaling-stroke}}"
            f"{scope} a:hover path,{scope} a:hover circle{{stroke:{INK};stroke-width:1.5px}}"
            f"{scope} a:focus path,{scope} a:focus circle{{stroke:#000;stroke-width:3px}}"
            f"@media (max-width:40em){{{scope} .legend{{font-size:{LEGEND_FONT_NARROW}px}}}}"
            "</style>")


def _text_alternative(on_map: dict[str, list[Row]], off_map: list[Row], labels: MapLabels) -> str:
    names = dict(labels.categories)
    sentences = [labels.summary]
    for key, rows in on_map.items():
        if rows:
            sentences.append(labels.listing.format(
                category=names[key], count=labels.count(len(rows)),
                names=labels.separator.join(row[1] for row in rows)))
    if off_map:
        sentences.append(labels.off_map.format(names=labels.separator.join(row[1] for row in off_map)))
    return " ".join(sentences)


def text_width(text: str, size: float) -> float:
    """A generous estimate of the width of ``text`` at font size ``size``: SVG text does not wrap.

    >>> text_width("2020", 10), text_width("日本", 10)
    (24.0, 20.0)
    """
    return size * sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def wrap(text: str, width: float, size: float) -> list[str]:
    """``text`` cut into lines no wider than ``width`` (between words; CJK between characters).

    >>> wrap("Also a member, not a country on the map: the European Union.", 400, 20)
    ['Also a member, not a country on', 'the map: the European Union.']
    """
    lines: list[str] = []
    words = text.split(" ") if " " in text else list(text)
    joiner = " " if " " in text else ""
    for word in words:
        if lines and text_width(lines[-1] + joiner + word, size) <= width:
            lines[-1] += joiner + word
        else:
            lines.append(word)
    return lines


def _legend(on_map: dict[str, list[Row]], off_map: list[Row], labels: MapLabels,
            colours: Mapping[str, str], world: World) -> tuple[str, int]:
    """The legend below the map, laid out for its larger (narrow-screen) font; and its bottom edge.

    Two columns when every entry fits on one line of one at that size; else one column, each
    entry wrapped to its width. The heading and the note on members off the map wrap too.
    """
    names = dict(labels.categories)
    entries = [(colours[key], labels.entry.format(category=names[key], count=labels.count(len(rows))))
               for key, rows in on_map.items()]
    entries.append((NONMEMBER, labels.nonmember))
    inner, swatch = world.width - 2 * MARGIN, 44
    half = inner // 2
    two = all(text_width(text, LEGEND_FONT_NARROW) <= half - swatch - 12 for _, text in entries)
    y = world.height + 8
    parts = [f'<g class="legend" font-size="{LEGEND_FONT}" fill="{INK}">']
    lines = wrap(labels.legend, inner, LEGEND_FONT_NARROW)
    parts.append(_text(MARGIN, y, lines, ' font-weight="bold"'))
    y += _height(lines)
    per_column = -(-len(entries) // 2) if two else len(entries)
    top = bottom = y
    for index, (colour, text) in enumerate(entries):
        column, row = divmod(index, per_column)
        if row == 0:
            y = top
        x = MARGIN + column * half
        lines = wrap(text, inner - swatch, LEGEND_FONT_NARROW)
        parts.append(f'<rect x="{x}" y="{y + 9}" width="30" height="30" fill="{colour}" stroke="{INK}"/>'
                     + _text(x + swatch, y, lines))
        y += _height(lines)
        bottom = max(bottom, y)
    y = bottom
    if off_map:
        lines = wrap(labels.off_map.format(names=labels.separator.join(row[1] for row in off_map)),
                     inner, LEGEND_FONT_NARROW)
        parts.append(_text(MARGIN, y, lines))
        y += _height(lines)
    parts.append("</g>")
    return "".join(parts), y + MARGIN


LINE = round(LEGEND_FONT_NARROW * 1.3)


def _height(lines: list[str]) -> int:
    return ROW + LINE * (len(lines) - 1)


def _text(x: float, y: float, lines: list[str], attributes: str = "") -> str:
    """A ``<text>`` whose first line is centred in a row of the legend starting at ``y``."""
    if len(lines) == 1:
        return f'<text x="{x}" y="{y + ROW // 2}" dy="0.35em"{attributes}>{escape(lines[0])}</text>'
    spans = "".join(f'<tspan x="{x}" dy="{"0.35em" if i == 0 else "1.3em"}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return f'<text x="{x}" y="{y + ROW // 2}"{attributes}>{spans}</text>'


# --- From the view queries' rows to the map's rows ----------------------------------------------

def _value(term) -> str | None:
    """A SPARQL result value as a string: a pyoxigraph term, a plain string, or None."""
    return None if term is None else getattr(term, "value", term)


def year_rows(view_rows: Iterable[Mapping], href: Callable[[str], str]) -> tuple[list[Row], list[str]]:
    """Rows of ``queries/views/map-members.rq`` as map rows keyed by the year joined, and the years.

    The years run from the first to the last without a gap, so that a year nobody joined in
    keeps its place (and colour) on the ordered scale.

    >>> rows, years = year_rows([{"member": "/fr", "iso": "250", "name": "France", "year": "2020"},
    ...                          {"member": "/cz", "iso": "203", "name": "Czechia", "year": "2022"}],
    ...                         lambda iri: iri + ".html")
    >>> rows, years
    ([('250', 'France', '/fr.html', '2020'), ('203', 'Czechia', '/cz.html', '2022')], ['2020', '2021', '2022'])
    """
    rows = [(_value(r.get("iso")), _value(r["name"]), href(_value(r["member"])), str(_value(r["year"])))
            for r in view_rows]
    present = sorted({int(row[3]) for row in rows})
    years = [str(y) for y in range(present[0], present[-1] + 1)] if present else []
    return rows, years


def overlap_rows(view_rows: Iterable[Mapping], href: Callable[[str], str]) -> tuple[list[Row], list[str]]:
    """Rows of ``queries/views/map-overlap.rq`` as map rows keyed by :func:`overlap_key`, and the
    keys that occur, in legend order.

    >>> overlap_rows([{"member": "/in", "iso": "356", "name": "India", "g20": "/m/g20--in"}], str)
    ([('356', 'India', '/in', 'g20')], ['g20'])
    """
    rows = [(_value(r.get("iso")), _value(r["name"]), href(_value(r["member"])),
             overlap_key(bool(r.get("oecd")), bool(r.get("g7")), bool(r.get("g20"))))
            for r in view_rows]
    present = {row[3] for row in rows}
    return rows, [key for key in OVERLAP_KEYS if key in present]
