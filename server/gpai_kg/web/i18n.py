"""The reader's language: ``?lang=`` if given, else the best match for Accept-Language."""

from __future__ import annotations

from flask import request

#: The languages the data labels things in, with their names in themselves.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "de": "Deutsch",
    "ja": "日本語",
    "zh-hans": "简体中文",
}
DEFAULT = "en"


def reader_language() -> str:
    asked = request.args.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    # Werkzeug matches case-insensitively and falls back on the primary tag ("zh" → "zh-hans").
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT).lower()
