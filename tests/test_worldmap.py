"""The world map of GPAI's members: TopoJSON decoding, projection, the vendored data, the view
queries against the release, and the SVG (links, names, legend, text alternative, accessibility)."""

from __future__ import annotations

import hashlib
import json
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from conftest import ROOT
from gpai_kg.gate import Policy, Template, check
from gpai_kg.queries import read_query, rows
from gpai_kg.store import run_query
from gpai_kg.web import worldmap
from gpai_kg.web.worldmap import MapLabels, members_map_svg

SVG = "{http://www.w3.org/2000/svg}"
ID = "https://w3id.org/gpai-kg/id/"
VENDOR = ROOT / "server/gpai_kg/web/static/vendor/world-atlas"
VIEWS = ROOT / "queries" / "views"

#: Countries that joined GPAI each year, in the release (the European Union, in 2020, is not a country).
JOINED = {"2020": 18, "2021": 6, "2022": 4, "2024": 16}


def view(store, name: str, lang: str = "en") -> list[dict]:
    """A view query's rows, run as the service runs it: through the checked door, over the release.
    The views give a row per name (every language); the page keeps the reader's: here, English."""
    checked = check(Template(read_query(VIEWS / f"{name}.rq").text, name).fill(), Policy(frozenset(), None))
    return [r for r in rows(run_query(store, checked.text)) if "name" not in r or r["name"].language == lang]


def href(iri: str) -> str:
    return "/page/" + iri.split("/id/", 1)[1]


def year_labels(years: list[str]) -> MapLabels:
    return MapLabels([(y, y) for y in years], "GPAI's member countries, by the year they joined.",
                     "Year joined", "Not a member")


@pytest.fixture(scope="module")
def year_map(store) -> str:
    map_rows, years = worldmap.year_rows(view(store, "map-members"), href)
    return members_map_svg(map_rows, "GPAI's members by the year they joined", year_labels(years), id="years")


@pytest.fixture(scope="module")
def overlap_map(store) -> str:
    map_rows, keys = worldmap.overlap_rows(view(store, "map-overlap"), href)
    names = {"oecd-g7-g20": "OECD, G7 and G20", "oecd-g20": "OECD and G20", "oecd": "OECD only",
             "g20": "G20 only", "none": "None of them"}
    labels = MapLabels([(k, names[k]) for k in keys], "GPAI's member countries in other bodies.",
                       "Also a member of", "Not a member of GPAI")
    return members_map_svg(map_rows, "GPAI and the OECD, G7 and G20", labels,
                           colours=worldmap.OVERLAP_COLOURS, id="overlap")


# --- TopoJSON and the projection --------------------------------------------------------------------

TINY = {  # two unit squares side by side sharing arc 0, quantized (scale 2, translate -10, 40)
    "type": "Topology",
    "transform": {"scale": [2, 2], "translate": [-10, 40]},
    "arcs": [[[1, 0], [0, 1]], [[1, 1], [-1, 0], [0, -1], [1, 0]], [[1, 0], [1, 0], [0, 1], [-1, 0]]],
    "objects": {"shapes": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "id": "1", "arcs": [[0, 1]]},
        {"type": "MultiPolygon", "id": "2", "arcs": [[[2, ~0]], [[0, 1]]], "properties": {"name": "Both"}},
    ]}},
}


def test_topology_decoder_on_a_tiny_fixture():
    west, both = worldmap.features(TINY, "shapes")
    assert west.polygons == [[[(-8, 40), (-8, 42), (-10, 42), (-10, 40), (-8, 40)]]]
    east, again = both.polygons
    assert east == [[(-8, 40), (-6, 40), (-6, 42), (-8, 42), (-8, 40)]]   # arc 0 walked backwards
    assert again == west.polygons[0] and both.name == "Both" and both.id == "2"
    for polygon in (west.polygons[0], east):
        assert polygon[0][0] == polygon[0][-1]                               # rings close
        assert worldmap.area_centroid(polygon[0])[0] == 4
    with pytest.raises(ValueError):
        list(worldmap.features({"arcs": [], "objects": {"p": {"type": "Point", "coordinates": [0, 0]}}}, "p"))


def test_equal_earth_is_equal_area():
    """The published formulas keep areas: a small cell anywhere has the area it has on the unit sphere."""
    def cell(lon: float, lat: float, step: float = 0.01) -> float:
        corners = [worldmap.equal_earth(lon + dx, lat + dy) for dx, dy in ((0, 0), (step, 0), (step, step), (0, step))]
        return worldmap.area_centroid(corners + corners[:1])[0]
    for lat in (-80, -45, 0, 30, 60, 85):
        sphere = math.radians(0.01) * (math.sin(math.radians(lat + 0.01)) - math.sin(math.radians(lat)))
        assert cell(17, lat) == pytest.approx(sphere, rel=1e-3)
    x_max, _ = worldmap.equal_earth(180, 0)
    _, y_max = worldmap.equal_earth(0, 90)
    assert (round(x_max, 4), round(y_max, 4)) == (2.7066, 1.3174)   # Šavrič et al. 2019: width 2 × 2.7066


def test_countries_astride_the_antimeridian_are_cut():
    world = worldmap.load_world()
    for code in ("242", "643"):   # Fiji, Russia: no edge may cross the map
        for ring in world.countries[code].rings:
            assert all(abs(a[0] - b[0]) < world.width / 3 for a, b in zip(ring, ring[1:]))


# --- The vendored data --------------------------------------------------------------------------------

def test_vendored_world_atlas_is_pinned_and_intact():
    script = (ROOT / "scripts/vendor_world_atlas.py").read_text(encoding="utf-8")
    version = re.search(r'^VERSION = "(.+)"', script, re.M).group(1)
    integrity = re.search(r'^INTEGRITY = "(.+)"', script, re.M).group(1)
    lines = (VENDOR / "VERSION").read_text(encoding="utf-8").splitlines()
    tarball = f"https://registry.npmjs.org/world-atlas/-/world-atlas-{version}.tgz"
    assert lines[:4] == [f"world-atlas@{version}", tarball, integrity, "license ISC"]
    sums = dict(reversed(line.split()[1:]) for line in lines[4:])
    assert set(sums) == {"countries-110m.json", "countries-50m-points.json", "LICENSE"}
    for name, digest in sums.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert "Natural Earth" in (VENDOR / "LICENSE").read_text(encoding="utf-8")
    assert "web/static/vendor/world-atlas/*" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "scripts/vendor_world_atlas.py" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_every_member_country_has_a_place_on_the_map(store):
    world = worldmap.load_world()
    codes = {r["iso"].value for r in view(store, "map-members") if "iso" in r}
    assert len(codes) == 44
    assert codes <= set(world.countries)
    assert not world.countries["702"].rings           # Singapore: a point from the 1:50m data
    assert world.countries["250"].name == "France" and world.countries["250"].rings
    assert "010" not in world.countries                # Antarctica is left out


# --- The view queries against the release ---------------------------------------------------------

def test_view_queries_are_documented_and_portable():
    for name in ("map-members", "map-overlap"):
        query = read_query(VIEWS / f"{name}.rq")
        assert query.title != name and len(query.description) > 40
        code = "\n".join(line for line in query.text.splitlines() if not line.startswith("#"))
        assert "EXISTS" not in code and "COALESCE" not in code   # Virtuoso answers these differently


def test_map_members_rows_match_the_release(store):
    got = view(store, "map-members")
    members = view(store, "members")   # the home page's own view: the same members, the same start
    assert len(got) == len(members) == 45
    assert {r["member"].value: r["year"].value for r in got} == {
        r["member"].value: r["earliest"].value[:4] for r in members if "left" not in r}
    without_code = [r["member"].value for r in got if "iso" not in r]
    assert without_code == [ID + "organisation/eu"]
    assert Counter(r["year"].value for r in got if "iso" in r) == JOINED
    assert {r["iso"].value for r in got if r["member"].value == ID + "country/rs"} == {"688"}


def test_map_overlap_rows_match_the_release(store):
    got = {r["member"].value.rsplit("/", 1)[1]: r for r in view(store, "map-overlap")}
    assert len(got) == 45

    def having(column: str) -> set[str]:
        return {k for k, r in got.items() if column in r}
    assert having("g7") == set("ca fr de it jp gb us".split())               # Russia's G8 years ended
    assert having("g20") - having("oecd") == {"ar", "br", "in", "eu"}
    assert set(got) - having("oecd") - having("g20") == {"sn", "rs", "sg"}
    assert len(having("oecd")) == 38
    for key, row in got.items():   # each column is that body's membership of that member
        for body in ("oecd", "g7", "g20"):
            if body in row:
                assert row[body].value == f"{ID}membership/{body}--{key}"


# --- The SVG ------------------------------------------------------------------------------------------

def test_svg_parses_and_scales(year_map):
    root = ET.fromstring(year_map)
    assert root.tag == SVG + "svg"
    assert "width" not in root.attrib and "height" not in root.attrib
    x, y, width, height = map(float, root.attrib["viewBox"].split())
    assert (x, y, width) == (0, 0, 1000) and 500 < height < 900
    assert len(year_map) < 80_000   # 1:110m, integer coordinates, relative path steps


def test_each_member_country_is_a_named_link(year_map, store):
    root = ET.fromstring(year_map)
    links = root.findall(f".//{SVG}a")
    assert len(links) == 44
    names = {r["name"].value: href(r["member"].value) for r in view(store, "map-members") if "iso" in r}
    by_name = {}
    for link in links:
        title = link.find(f"{SVG}title").text
        assert link.get("aria-label") == title
        by_name[title.rsplit(" (", 1)[0]] = link.get("href")
        assert link.find(f"{SVG}path") is not None or link.find(f"{SVG}circle") is not None
    assert by_name == names
    assert by_name["Serbia"] == "/page/country/rs" and "European Union" not in by_name
    singapore = next(a for a in links if a.get("href") == "/page/country/sg")
    assert singapore.find(f"{SVG}circle") is not None   # too small at 1:110m: a dot


def test_non_members_are_neither_links_nor_focusable(year_map):
    root = ET.fromstring(year_map)
    parents = {child: parent for parent in root.iter() for child in parent}
    for element in root.iter():
        assert element.get("role") != "img"
        assert element.get("tabindex") is None
        if element.tag in (SVG + "path", SVG + "circle"):
            ancestor = parents[element]
            inside_link = ancestor.tag == SVG + "a"
            assert inside_link or element.get("aria-hidden") == "true"
    assert root.get("role") == "group"
    assert root.get("aria-labelledby") == "years-title" and root.get("aria-describedby") == "years-desc"
    hidden = [e for e in root.iter(SVG + "path") if e.get("aria-hidden") == "true"]
    assert len(hidden) == 1 and hidden[0].get("fill") == worldmap.NONMEMBER


def test_legend_and_text_alternative_name_the_counts(year_map):
    root = ET.fromstring(year_map)
    desc = root.find(f"{SVG}desc").text
    legend = " ".join("".join(t.itertext()) for t in root.iter(SVG + "text"))
    for year, count in JOINED.items():
        assert f"{year}: {count} countries" in legend
        assert f"{year}: {count} countries: " in desc
    assert "2023: 0 countries" in legend             # nobody joined that year: it keeps its place
    assert "2023" not in desc
    assert "Not a member" in legend
    assert "European Union" in legend and "European Union" in desc   # a member, not on the map
    listed = re.findall(r"\d{4}: \d+ countries: ([^.]+)\.", desc)
    assert len(listed) == len(JOINED) and sum(len(names.split(", ")) for names in listed) == 44
    assert "Serbia" in listed[2].split(", ")


def test_overlap_map(overlap_map):
    root = ET.fromstring(overlap_map)
    assert len(root.findall(f".//{SVG}a")) == 44
    legend = " ".join("".join(t.itertext()) for t in root.iter(SVG + "text"))
    for entry in ("OECD, G7 and G20: 7 countries", "OECD and G20: 4 countries", "OECD only: 27 countries",
                  "G20 only: 3 countries", "None of them: 3 countries"):
        assert entry in legend
    fills = {a.get("aria-label"): a.get("fill") for a in root.iter(SVG + "a")}
    assert fills["India (G20 only)"] == worldmap.OVERLAP_COLOURS["g20"]
    assert fills["Japan (OECD, G7 and G20)"] == worldmap.OVERLAP_COLOURS["oecd-g7-g20"]
    assert "European Union" in root.find(f"{SVG}desc").text


def test_every_string_a_reader_meets_comes_from_the_caller():
    labels = MapLabels([("2020", "en 2020")], "Résumé.", "Année d'adhésion", "Non membre",
                       count=lambda n: f"{n} pays", entry="{category} : {count}", link="{name}, {category}",
                       listing="Adhésion {category} : {names}.", off_map="Aussi membre, hors carte : {names}.",
                       separator=" ; ")
    svg = members_map_svg([("250", "France", "/fr", "2020"), ("276", "Allemagne", "/de", "2020"),
                           (None, "Union européenne", "/eu", "2020")], "Carte", labels, id="carte")
    root = ET.fromstring(svg)
    texts = [root.find(f"{SVG}title").text, root.find(f"{SVG}desc").text,
             *("".join(t.itertext()) for t in root.iter(SVG + "text")),
             *(a.get("aria-label") for a in root.iter(SVG + "a")),
             *(t.text for t in root.iter(SVG + "title"))]
    assert texts[:2] == ["Carte", "Résumé. Adhésion en 2020 : France ; Allemagne. "
                                  "Aussi membre, hors carte : Union européenne."]
    assert "en 2020 : 2 pays" in texts and "France, en 2020" in texts and "Non membre" in texts
    english = re.compile(r"\b(countr|member|Not|Also|joined)", re.I)
    assert not [t for t in texts if english.search(t)]
    assert 'id="carte-title"' in svg and 'id="carte-desc"' in svg and "#carte " in svg


def test_long_and_east_asian_legends_fit(store):
    """Entries too wide for two columns at the phone size go in one; long notes wrap."""
    labels = MapLabels([("2020", "2020年")], "概要。", "加盟年", "非加盟国", count=lambda n: f"{n}か国",
                       entry="{category}に加盟した国と地域のうち地図に示すもの：{count}",
                       off_map="欧州連合もメンバーですが、国ではないため地図には示していません（{names}）。")
    svg = members_map_svg([("392", "日本", "/jp", "2020"), (None, "欧州連合", "/eu", "2020")], "地図", labels)
    root = ET.fromstring(svg)
    width = float(root.get("viewBox").split()[2])
    lines = 0
    for text in root.iter(SVG + "text"):
        for line in text.findall(f"{SVG}tspan") or [text]:
            lines += 1
            right = float(line.get("x")) + worldmap.text_width(line.text, worldmap.LEGEND_FONT_NARROW)
            assert right <= width, line.text
    assert lines >= 5
    assert len({rect.get("x") for rect in root.iter(SVG + "rect")}) == 1   # one column
    note = [t for t in root.iter(SVG + "text") if "欧州連合" in "".join(t.itertext())]
    assert len(note) == 1 and len(note[0].findall(f"{SVG}tspan")) >= 2   # wrapped


def test_unknown_category_or_unsafe_id_is_an_error():
    with pytest.raises(ValueError, match="category"):
        members_map_svg([("250", "France", "/fr", "1999")], "t", year_labels(["2020"]))
    with pytest.raises(ValueError, match="id"):
        members_map_svg([], "t", year_labels(["2020"]), id="x}a{color:red")


def test_rows_helpers_take_pyoxigraph_terms(store):
    map_rows, years = worldmap.year_rows(view(store, "map-members"), href)
    assert years == ["2020", "2021", "2022", "2023", "2024"]
    assert ("688", "Serbia", "/page/country/rs", "2022") in map_rows
    assert (None, "European Union", "/page/organisation/eu", "2020") in map_rows
    overlap, keys = worldmap.overlap_rows(view(store, "map-overlap"), href)
    assert keys == ["oecd-g7-g20", "oecd-g20", "oecd", "g20", "none"]
    assert ("702", "Singapore", "/page/country/sg", "none") in overlap
    assert json.loads((VENDOR / "countries-50m-points.json").read_text(encoding="utf-8"))["702"]["name"] == "Singapore"


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_legend_text_and_swatches_have_contrast(year_map):
    root = ET.fromstring(year_map)
    legend = root.find(f".//{SVG}g[@class='legend']")
    assert legend.get("fill") == worldmap.INK and not any(t.get("fill") for t in legend.iter(SVG + "text"))
    assert contrast(worldmap.INK, "#ffffff") >= 4.5               # WCAG AA for text, on the page's white
    for rect in legend.iter(SVG + "rect"):                        # every swatch outlined in ink
        assert rect.get("stroke") == worldmap.INK
    assert contrast(worldmap.INK, worldmap.NONMEMBER) >= 3        # the non-members' swatch still shows
