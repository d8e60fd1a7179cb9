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
                 height: int = 300) -> str:
    """An accessible SVG step chart of ``points`` with vertical ``marks``.

    >>> svg = timeline_svg([Step(date(2020, 6, 15), 15, ("A",)), Step(date(2022, 11, 22), 18, ())],
    ...                    [Mark(date(2021, 11, 11), "Paris", "/id/event/x")], date(2023, 1, 1))
    >>> svg.count("<path"), "Paris" in svg, 'role="img"' in svg
    (1, True, True)
    """
    if not points:
        return ""
    left, right, top, bottom = 44, 16, 16, 40
    start = date(points[0].day.year, 1, 1)
    span = max((until - start).days, 1)
    peak = max(p.members for p in points)
    ceiling = max(10, -(-peak // 10) * 10)

    def x(day: date) -> float:
        return left + (day - start).days / span * (width - left - right)

    def y(members: int) -> float:
        return top + (1 - members / ceiling) * (height - top - bottom)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="timeline-title timeline-desc" class="chart">',
             '<title id="timeline-title">GPAI members over time</title>',
             f'<desc id="timeline-desc">{escape(_summary(points, until))}</desc>']
    for value in range(0, ceiling + 1, 10):   # horizontal grid and y labels
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     f'class="grid"/><text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value}</text>')
    for year in range(start.year, until.year + 1):
        day = date(year, 1, 1)
        parts.append(f'<text x="{x(day):.1f}" y="{height - bottom + 16}" text-anchor="start">{year}</text>')
    for index, mark in enumerate(marks):
        if start <= mark.day <= until:
            label_y = top + 10 + (index % 3) * 12   # stagger: summits can fall months apart
            parts.append(f'<a href="{escape(mark.href)}"><line x1="{x(mark.day):.1f}" x2="{x(mark.day):.1f}" '
                         f'y1="{top}" y2="{height - bottom}" class="mark"><title>{escape(mark.label)} '
                         f'({mark.day.isoformat()})</title></line>'
                         f'<text x="{x(mark.day) + 3:.1f}" y="{label_y}" class="mark-label">'
                         f'{escape(mark.label)}</text></a>')
    path = [f"M{x(points[0].day):.1f},{y(0):.1f}", f"V{y(points[0].members):.1f}"]
    for point in points[1:]:
        path += [f"H{x(point.day):.1f}", f"V{y(point.members):.1f}"]
    path.append(f"H{x(until):.1f}")
    parts.append(f'<path d="{" ".join(path)}" class="line"/>')
    for point in points:
        names = ", ".join(point.joined) or "a member left"
        parts.append(f'<circle cx="{x(point.day):.1f}" cy="{y(point.members):.1f}" r="3.5" class="dot">'
                     f'<title>{point.day.isoformat()}: {point.members} members ({escape(names)})</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def _summary(points: list[Step], until: date) -> str:
    first, last = points[0], points[-1]
    return (f"{first.members} members on {first.day.isoformat()}; {last.members} members from "
            f"{last.day.isoformat()}, after {len(points)} steps, up to {until.isoformat()}.")
