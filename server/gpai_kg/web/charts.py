"""Charts drawn on the server as inline SVG: no script, no CDN, readable by screen readers.

The membership timeline is a step line of the number of members over time (a step at the
earliest day each membership can have begun, at the precision its sources give), with the
summits marked. Its input is the rows of ``queries/views/members.rq`` and ``summits.rq``
as run by the service itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape


@dataclass(frozen=True)
class Step:
    day: date
    members: int
    joined: tuple[str, ...]


@dataclass(frozen=True)
class Mark:
    day: date
    label: str
    href: str


def steps(join_days: list[tuple[date, str]], left_days: list[date] = ()) -> list[Step]:
    """The member count after each day someone joined or left, in order of days."""
    changes: dict[date, list] = {}
    for day, name in join_days:
        changes.setdefault(day, []).append(name)
    for day in left_days:
        changes.setdefault(day, []).append(None)
    count, out = 0, []
    for day in sorted(changes):
        names = changes[day]
        count += sum(1 if n is not None else -1 for n in names)
        out.append(Step(day, count, tuple(sorted(n for n in names if n is not None))))
    return out


def timeline_svg(points: list[Step], marks: list[Mark], until: date, *, width: int = 760,
                 height: int = 300, labels: dict[str, str] | None = None) -> str:
    """An accessible SVG step chart of ``points`` with vertical ``marks`` (summits).

    The chart is an image with a text alternative (``role="img"``, ``<title>``, ``<desc>``): the
    links to the summits it marks are the page's, next to it, where keyboards and screen readers
    reach them. Years have tick marks at their first day and their label in their middle.
    ``labels`` are the chart's words in the reader's language.

    >>> svg = timeline_svg([Step(date(2020, 6, 15), 15, ("A",)), Step(date(2022, 11, 22), 18, ())],
    ...                    [Mark(date(2021, 11, 11), "Paris", "/id/event/x")], date(2023, 1, 1))
    >>> svg.count("<path"), "Paris" in svg, 'role="img"' in svg, "<a " in svg
    (1, True, True, False)
    """
    if not points:
        return ""
    words = {"title": "GPAI members over time", "members": "members",
             "summary": "%(first)s members on %(first_day)s; %(last)s members from %(last_day)s.",
             "left": "a member left", **(labels or {})}
    left, right, top, bottom = 44, 16, 16, 40
    start = date(points[0].day.year, 1, 1)
    span = max((until - start).days, 1)
    peak = max(p.members for p in points)
    ceiling = max(10, -(-peak // 10) * 10)

    def x(day: date) -> float:
        return left + (day - start).days / span * (width - left - right)

    def y(members: int) -> float:
        return top + (1 - members / ceiling) * (height - top - bottom)

    first, last = points[0], points[-1]
    summary = words["summary"] % {"first": first.members, "first_day": first.day.isoformat(),
                                  "last": last.members, "last_day": last.day.isoformat()}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="timeline-title timeline-desc" class="chart">',
             f'<title id="timeline-title">{escape(words["title"])}</title>',
             f'<desc id="timeline-desc">{escape(summary)}</desc>']
    for value in range(0, ceiling + 1, 10):   # horizontal grid and y labels
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     f'class="grid"/><text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value}</text>')
    axis = height - bottom
    for year in range(start.year, until.year + 1):
        day, next_day = date(year, 1, 1), date(year + 1, 1, 1)
        parts.append(f'<line x1="{x(day):.1f}" x2="{x(day):.1f}" y1="{axis}" y2="{axis + 6}" class="tick"/>')
        middle = (x(day) + x(min(next_day, until))) / 2
        if x(min(next_day, until)) - x(day) > 24:  # a year too short to read is not labelled
            parts.append(f'<text x="{middle:.1f}" y="{axis + 18}" text-anchor="middle">{year}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{axis}" y2="{axis}" class="axis"/>')
    for index, mark in enumerate(marks):
        if start <= mark.day <= until:
            label_y = top + 10 + (index % 3) * 12   # stagger: summits can fall months apart
            parts.append(f'<line x1="{x(mark.day):.1f}" x2="{x(mark.day):.1f}" y1="{top}" y2="{axis}" class="mark"/>'
                         f'<text x="{x(mark.day) + 3:.1f}" y="{label_y}" class="mark-label">{escape(mark.label)}</text>')
    path = [f"M{x(points[0].day):.1f},{y(0):.1f}", f"V{y(points[0].members):.1f}"]
    for point in points[1:]:
        path += [f"H{x(point.day):.1f}", f"V{y(point.members):.1f}"]
    path.append(f"H{x(until):.1f}")
    parts.append(f'<path d="{" ".join(path)}" class="line"/>')
    for point in points:
        parts.append(f'<circle cx="{x(point.day):.1f}" cy="{y(point.members):.1f}" r="3.5" class="dot"/>')
    parts.append("</svg>")
    return "".join(parts)


#: Colours of the series of a bar chart: distinguishable with colour-blindness (Okabe and Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def bars_svg(years: list[int], series: list[tuple[str, dict[int, int]]], *, title: str, summary: str,
             width: int = 760, height: int = 320) -> str:
    """Stacked bars, one per year, a segment per series (name, {year: count}): an image with a text
    alternative; the numbers are in the table the page puts beside it.

    >>> svg = bars_svg([2021, 2022], [("A", {2021: 2}), ("B", {2021: 1, 2022: 3})], title="t", summary="s")
    >>> svg.count("<rect"), 'role="img"' in svg
    (3, True)
    """
    left, right, top, bottom = 36, 12, 12, 36
    totals = {y: sum(counts.get(y, 0) for _, counts in series) for y in years}
    peak = max([1, *totals.values()])
    ceiling = max(5, -(-peak // 5) * 5)
    slot = (width - left - right) / max(len(years), 1)
    bar = slot * 0.6

    def y(value: float) -> float:
        return top + (1 - value / ceiling) * (height - top - bottom)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="bars-title bars-desc" class="chart">',
             f'<title id="bars-title">{escape(title)}</title><desc id="bars-desc">{escape(summary)}</desc>']
    for value in range(0, ceiling + 1, max(1, ceiling // 5)):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value}</text>')
    for index, year in enumerate(years):
        x0 = left + index * slot + (slot - bar) / 2
        base = 0
        for colour, (name, counts) in zip(PALETTE * 4, series):
            count = counts.get(year, 0)
            if count:
                parts.append(f'<rect x="{x0:.1f}" y="{y(base + count):.1f}" width="{bar:.1f}" '
                             f'height="{y(base) - y(base + count):.1f}" fill="{colour}"/>')
                base += count
        parts.append(f'<text x="{x0 + bar / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle">{year}</text>')
    parts.append("</svg>")
    return "".join(parts)
