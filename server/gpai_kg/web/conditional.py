"""Release files over HTTP with conditional requests and ranges, as RFC 9110 says.

Werkzeug's ``send_file`` gets three cases wrong that download managers and caches rely on:
``If-Match: *`` on an existing file fails (it must succeed), a 412 carries the whole file as
its body, and a suffix range longer than the file (``bytes=-1024`` of 882 bytes) is refused
(the whole file must be sent). Preconditions are therefore evaluated here, in the order of
RFC 9110 section 13.2.2, and a single byte range is served here; several ranges are answered
with the whole file, which the RFC allows.

ETags are strong and name the content: the file's SHA-256 from the release's ``SHA256SUMS``,
so every replica of the service gives the same ETag for the same file.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from flask import Response, request
from werkzeug.datastructures import ETags
from werkzeug.http import http_date, parse_date, parse_etags, parse_range_header, quote_etag

from ..errors import PreconditionFailed, RangeNotSatisfiable

CHUNK = 1 << 16


def send_release_file(path: Path, media_type: str, etag: str, *, download_name: str | None = None,
                      max_age: int = 300, immutable: bool = False) -> Response:
    """``path`` as the answer to the current GET or HEAD, honouring preconditions and one range."""
    stat = path.stat()
    size = stat.st_size
    modified = datetime.fromtimestamp(int(stat.st_mtime), tz=timezone.utc)
    headers = {"ETag": quote_etag(etag), "Last-Modified": http_date(modified), "Accept-Ranges": "bytes",
               "Cache-Control": f"public, max-age={max_age}" + (", immutable" if immutable else "")}
    if download_name:
        headers["Content-Disposition"] = f'attachment; filename="{download_name}"'
    if not _preconditions_pass(etag, modified):
        if request.method in ("GET", "HEAD") and _if_none_match_fails(etag, modified):
            return Response(status=304, headers=headers)
        raise PreconditionFailed("the file does not match the request's preconditions (If-Match or "
                                 "If-Unmodified-Since)", etag=quote_etag(etag))
    span = _range(etag, modified, size)
    if span is None:
        start, stop, status = 0, size, 200
    else:
        (start, stop), status = span, 206
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    headers["Content-Length"] = str(stop - start)
    body = () if request.method == "HEAD" else _read(path, start, stop)
    response = Response(body, status=status, headers=headers, mimetype=None, content_type=media_type,
                        direct_passthrough=True)
    response.content_length = stop - start
    return response


def _preconditions_pass(etag: str, modified: datetime) -> bool:
    """Steps 1 to 4 of RFC 9110 13.2.2 (False: 412, or 304 when If-None-Match/If-Modified-Since fail)."""
    if_match = request.headers.get("If-Match")
    if if_match is not None:
        if not _matches(parse_etags(if_match), etag, weak=False):
            return False
    else:
        since = parse_date(request.headers.get("If-Unmodified-Since"))
        if since is not None and modified > since:
            return False
    return not _if_none_match_fails(etag, modified)


def _if_none_match_fails(etag: str, modified: datetime) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return _matches(parse_etags(if_none_match), etag, weak=True)
    if request.method in ("GET", "HEAD"):
        since = parse_date(request.headers.get("If-Modified-Since"))
        return since is not None and modified <= since
    return False


def _matches(etags: ETags, etag: str, weak: bool) -> bool:
    if etags.star_tag:
        return True  # the file exists: "*" matches it
    return etags.contains_weak(etag) if weak else etags.contains(etag)


def _range(etag: str, modified: datetime, size: int) -> tuple[int, int] | None:
    """The one byte range to send, None for the whole file, or 416."""
    header = request.headers.get("Range")
    if header is None or request.method not in ("GET", "HEAD"):
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None:
        date = parse_date(if_range)
        if date is not None:
            if modified != date:
                return None
        elif if_range.strip() != quote_etag(etag):
            return None  # a range of another version is worthless: send the whole file
    parsed = parse_range_header(header)
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        return None  # malformed ranges are ignored; several ranges get the whole file
    start, stop = parsed.ranges[0]
    if start < 0:                      # the last -start bytes; all of them if the file is shorter
        start, stop = max(size + start, 0), size
    else:
        stop = size if stop is None else min(stop, size)
    if start >= size or start >= stop:
        raise RangeNotSatisfiable(f"the range {header!r} is outside the file's {size} bytes",
                                  headers={"Content-Range": f"bytes */{size}"})
    return start, stop


def _read(path: Path, start: int, stop: int):
    with open(path, "rb") as handle:
        handle.seek(start)
        left = stop - start
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk
