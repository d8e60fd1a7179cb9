"""The reader's language, for the interface (Flask-Babel catalogues) and for the data's labels.

Chosen by ``?lang=`` (and then kept in a cookie), else the cookie, else the ``Accept-Language``
header matched as BCP 47 lookup says (RFC 4647, 3.4), after Babel has filled in the likely
script: ``zh-CN``, ``zh-Hans-CN`` and ``zh-SG`` read Simplified Chinese (``zh-Hans``), ``de-CH``
German; ``zh-TW`` (Traditional) is not offered, so the next language the reader accepts is.

>>> lookup("zh-CN"), lookup("zh-Hans-CN"), lookup("zh-SG"), lookup("zh"), lookup("de-CH"), lookup("zh-TW")
('zh-hans', 'zh-hans', 'zh-hans', 'zh-hans', 'de', None)
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from flask import request

from ..derive import LABEL_LANGUAGES

_NATIVE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "de": "Deutsch", "ja": "日本語",
                 "zh-hans": "简体中文"}
#: The languages the data labels things in (gpai_kg.derive), with their names in themselves.
LANGUAGES: dict[str, str] = {tag: _NATIVE_NAMES.get(tag, tag) for tag in LABEL_LANGUAGES}
DEFAULT = "en"
COOKIE = "lang"
#: BCP 47 tag (as the data writes it) → Babel locale of the interface's catalogue.
BABEL_LOCALES = {tag: ("zh_Hans" if tag == "zh-hans" else tag) for tag in LANGUAGES}


def reader_language() -> str:
    """The language of the current request: ?lang=, else the cookie, else Accept-Language."""
    asked = request.args.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    kept = request.cookies.get(COOKIE, "").lower()
    if kept in LANGUAGES:
        return kept
    for tag, _quality in request.accept_languages:  # Werkzeug sorts by quality
        found = lookup(tag)
        if found:
            return found
    return DEFAULT


def babel_locale() -> str:
    """Flask-Babel's locale selector."""
    return BABEL_LOCALES[reader_language()]


def lookup(tag: str) -> str | None:
    """The offered language a BCP 47 tag reads, by lookup after likely-subtag expansion, or None."""
    if not tag or tag == "*":
        return None
    try:
        locale = Locale.parse(tag.replace("_", "-"), sep="-")
    except (ValueError, UnknownLocaleError):
        return None
    script = locale.script
    if script is None:  # a bare language: Babel leaves it, the likely-subtags table knows its script
        likely = get_global("likely_subtags").get(locale.language, "")
        parts = likely.split("_")
        script = parts[1] if len(parts) > 2 or (len(parts) == 2 and len(parts[1]) == 4) else None
    candidates = [f"{locale.language}-{script}" if script else None, locale.language]
    for candidate in candidates:
        if candidate and candidate.lower() in LANGUAGES:
            return candidate.lower()
    return None
