"""Fetch an npm package's tarball and check it against the integrity its lock pins (SRI, sha512)."""

from __future__ import annotations

import base64
import hashlib
import urllib.request


def fetch_pinned(url: str, integrity: str) -> bytes:
    """The tarball's bytes; ValueError if they are not what ``integrity`` pins."""
    with urllib.request.urlopen(url, timeout=60) as response:
        data = response.read()
    algorithm, _, expected = integrity.partition("-")
    if base64.b64encode(hashlib.new(algorithm, data).digest()).decode() != expected:
        raise ValueError(f"{url} does not match the pinned integrity")
    return data
