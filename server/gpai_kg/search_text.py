"""Text as search compares it: one folding and one tokenisation for names and queries alike.

* :func:`fold`: width-, case- and accent-insensitive (NFKC, case folding, combining marks
  removed, a few letters that do not decompose mapped: ``ł`` → ``l``, ``ø`` → ``o``…). Kana keep
  their voicing marks: ``ガ`` and ``カ`` are different syllables, not accented ones.
* :func:`tokens`: the folded text cut into words of letters, digits and marks. Scripts written
  without spaces (Han, hiragana, katakana, bopomofo) give one token per character, so a query
  of two characters (``全球``) finds the names that contain them side by side, wherever they are.
* :func:`match_expression`: an SQLite FTS5 query built from those tokens only, each quoted by
  us: the user's text never reaches FTS5's query syntax (no ``NEAR``, ``*``, ``^``, column
  filters or quotes of theirs get through).

>>> fold("ＴÜＲKİYE"), fold("Straße"), fold("Łódź"), fold("ガイド")
('turkiye', 'strasse', 'lodz', 'ガイド')
>>> tokens("GPAI(ジーペイ)"), tokens("全球人工智能"), tokens("Côte d'Ivoire")
(['gpai', 'ジ', 'ー', 'ペ', 'イ'], ['全', '球', '人', '工', '智', '能'], ['cote', 'd', 'ivoire'])
>>> match_expression(tokens('serb" OR NEAR(x*) ^'), anchored=True)
'^ "serb or near x"*'
>>> match_expression(tokens("GPAI 全球"))
'"gpai" "全 球"*'
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

#: Letters that carry no combining mark to remove, folded as a reader would.
_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ı": "i", "ŀ": "l",
                          "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ĸ": "k"})
#: Kana voicing marks (combining dakuten and handakuten): part of the syllable, kept.
_KANA_MARKS = frozenset("\u3099\u309a")
#: Scripts written without spaces between words: each character is a token.
_UNSPACED = ((0x2E80, 0x2FDF), (0x3005, 0x3007), (0x3021, 0x3029), (0x3040, 0x30FF), (0x3100, 0x312F),
             (0x31A0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
#: At most this many tokens of a query are used: a name is never longer.
MAX_QUERY_TOKENS = 16


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case-, accent- and width-insensitive form of ``text``."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if c in _KANA_MARKS or not unicodedata.combining(c))
    return unicodedata.normalize("NFC", text).translate(_LETTERS)


def unspaced(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _UNSPACED)


def _is_token_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNM"


@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[str, ...]:
    out: list[str] = []
    word: list[str] = []
    for char in fold(text):
        if _is_token_char(char) and not unspaced(char):
            word.append(char)
            continue
        if word:
            out.append("".join(word))
            word = []
        if unspaced(char):
            out.append(char)
    if word:
        out.append("".join(word))
    return tuple(out)


def tokens(text: str) -> list[str]:
    """The folded words of ``text`` (one per character in scripts written without spaces)."""
    return list(_tokens(text))


def key(text: str) -> str:
    """The comparable form of a name or query: its tokens, joined by single spaces.

    >>> key("  Türkiye ") == key("TURKIYE"), key("Korea, Republic of")
    (True, 'korea republic of')
    """
    return " ".join(_tokens(text))


def _quote(phrase: str) -> str:
    return '"' + phrase.replace('"', '""') + '"'


def _groups(toks: list[str]) -> list[str]:
    """Tokens as FTS5 phrases: a run of single characters of unspaced scripts stays together."""
    groups: list[list[str]] = []
    for tok in toks:
        single = len(tok) == 1 and unspaced(tok)
        if single and groups and len(groups[-1][-1]) == 1 and unspaced(groups[-1][-1]):
            groups[-1].append(tok)
        else:
            groups.append([tok])
    return [" ".join(g) for g in groups]


def match_expression(toks: list[str], *, anchored: bool = False, prefix: bool = True,
                     any_word: bool = False) -> str:
    """An FTS5 query over ``toks`` (which :func:`tokens` made): every group must match, the last
    as a prefix (``prefix``); ``anchored``: the whole query as one phrase at the start of the name;
    ``any_word``: any group (OR), each as a prefix, for the candidates of a fuzzy match."""
    toks = toks[:MAX_QUERY_TOKENS]
    if not toks:
        raise ValueError("no tokens to match")
    star = "*" if prefix else ""
    if anchored:
        return f"^ {_quote(' '.join(toks))}{star}"
    groups = [_quote(g) for g in _groups(toks)]
    if any_word:
        return " OR ".join(g + "*" for g in groups)
    groups[-1] += star
    return " ".join(groups)


__all__ = ["MAX_QUERY_TOKENS", "fold", "key", "match_expression", "tokens", "unspaced"]
