"""Long lists come in pages of PAGE_SIZE; ``?page=`` picks one, clamped to those that exist."""

from __future__ import annotations

from flask import request

PAGE_SIZE = 50


def page_number(total: int) -> tuple[int, int]:
    """(the page asked for, the last page) for a list of ``total`` items."""
    last = max(1, -(-total // PAGE_SIZE))
    try:
        number = int(request.args.get("page", "1"))
    except ValueError:
        number = 1
    return min(max(number, 1), last), last
