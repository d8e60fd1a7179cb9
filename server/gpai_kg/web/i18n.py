"""The reader's language: ``?lang=`` if given, else the best match for Accept-Language."""

from __future__ import annotations

from flask import request

from ..derive import LABEL_LANGUAGES

_NATIVE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "de": "Deutsch", "ja": "日本語",
                 "zh-hans": "简体中文"}
#: The languages the data labels things in (gpai_kg.derive), with their names in themselves.
LANGUAGES: dict[str, str] = {tag: _NATIVE_NAMES.get(tag, tag) for tag in LABEL_LANGUAGES}
DEFAULT = "en"


def reader_language() -> str:
    asked = request.args.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    # Werkzeug matches case-insensitively and falls back on the primary tag ("zh" → "zh-hans").
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT).lower()
