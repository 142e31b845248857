"""Whole-text regex search that tries a pattern only where one of its matches can begin.

Python's re engine skips ahead quickly only when a pattern opens with a literal or a character set;
a pattern that opens with a lookbehind, a word boundary, an optional group or a group of words is
tried at every character of the text. For such a pattern, literal_prefixes() reads off the parsed
pattern the strings that every match opens with ('Criminal', 'Code', 'Law', ... for a domestic act),
and finditer() searches for those (which re does quickly) and tries the pattern only there.

finditer(rx, text) yields exactly the matches of rx.finditer(text) (same spans, same groups, same
order): rx.finditer tries the positions from left to right, from the end of the last match on, and
reports the first position where rx matches; a position where none of the prefixes starts cannot
be one, and rx.match(text, i) matches at i exactly as rx.search does (lookbehinds and \\b read the
text before i). Every prefix is non-empty, so no match is empty. A pattern that no prefix opens can
still be spared a whole-text search with `needs`, a pattern every match of it holds a match of.
"""
from __future__ import annotations

import re
from functools import lru_cache

try:   # CPython's own parser of patterns; without it, finditer() is rx.finditer()
    from re import _constants as _op, _parser as _sre_parse
except ImportError:   # pragma: no cover
    _sre_parse = None

_MAX_STRINGS = 400   # prefixes kept while reading a pattern; beyond, a prefix is cut short
_MAX_CLASS = 16      # a class of at most this many single characters ([Pp], [“"]) counts as literals
_SEARCH_LEN = 24     # characters of each prefix searched for


def _seq(data: list, i: int, memo: dict) -> tuple[frozenset[str], bool]:
    """(strings, complete) for the pattern items data[i:]: every match of them opens with one of the
    strings; complete: each string is the whole match along its path (so what follows may be appended)."""
    key = (id(data), i)
    if key in memo:
        return memo[key]
    memo[key] = out = _seq_uncached(data, i, memo)
    return out


def _then(first: tuple[frozenset[str], bool], data: list, i: int, memo: dict) -> tuple[frozenset[str], bool]:
    strings, complete = first
    if not complete:
        return strings, False
    rest, rest_complete = _seq(data, i, memo)
    if len(strings) * len(rest) > _MAX_STRINGS:
        return strings, False   # stopping early is always safe: a shorter prefix still opens every match
    return frozenset(a + b for a in strings for b in rest), rest_complete


def _union(sets) -> frozenset[str]:
    out = frozenset().union(*sets)
    while len(out) > _MAX_STRINGS:
        longest = max(map(len, out))
        out = frozenset(s[:longest - 1] for s in out)
    return out


def _seq_uncached(data: list, i: int, memo: dict) -> tuple[frozenset[str], bool]:
    if i == len(data):
        return frozenset({""}), True
    op, av = data[i]
    if op is _op.LITERAL:
        return _then((frozenset({chr(av)}), True), data, i + 1, memo)
    if op in (_op.AT, _op.ASSERT, _op.ASSERT_NOT):
        return _seq(data, i + 1, memo)   # zero width: the match text does not hold it
    if op is _op.IN:
        if len(av) <= _MAX_CLASS and all(o is _op.LITERAL for o, _ in av):
            return _then((frozenset(chr(c) for _, c in av), True), data, i + 1, memo)
        return frozenset({""}), False
    if op is _op.SUBPATTERN:
        _, add_flags, _, sub = av
        if add_flags & re.IGNORECASE:
            return frozenset({""}), False
        return _then(_seq(sub.data, 0, memo), data, i + 1, memo)
    if op is _op.ATOMIC_GROUP:
        return _then(_seq(av.data, 0, memo), data, i + 1, memo)
    if op is _op.BRANCH:
        parts = [_then(_seq(item.data, 0, memo), data, i + 1, memo) for item in av[1]]
        return _union(s for s, _ in parts), all(c for _, c in parts)
    if op in (_op.MAX_REPEAT, _op.MIN_REPEAT, _op.POSSESSIVE_REPEAT):
        lo, _, sub = av
        body = _seq(sub.data, 0, memo)[0]   # a match that takes the item opens with its first round
        if lo == 0:                          # ... or skips it
            return _union([body, _seq(data, i + 1, memo)[0]]), False
        return body, False
    return frozenset({""}), False   # any character, a class, a back-reference: no literal known


@lru_cache(maxsize=None)
def literal_prefixes(rx: re.Pattern) -> frozenset[str] | None:
    """Non-empty strings one of which opens every match of rx; None when none can be read off the
    pattern (a match may open with a character class, or the pattern ignores case)."""
    if _sre_parse is None or not isinstance(rx.pattern, str) or rx.flags & re.IGNORECASE:
        return None
    try:
        strings, _ = _seq(_sre_parse.parse(rx.pattern, rx.flags).data, 0, {})
    except (RecursionError, AttributeError, TypeError, ValueError):   # pragma: no cover
        return None
    if "" in strings:
        return None
    strings = {s[:_SEARCH_LEN] for s in strings}
    # a string that another one opens adds nothing to the search
    return frozenset(s for s in strings if not any(t != s and s.startswith(t) for t in strings))


def _trie(strings) -> str:
    """A pattern matching where one of `strings` starts, branching one character at a time
    (re then checks one character per branch instead of one per string)."""
    by_first: dict[str, list[str]] = {}
    for s in strings:
        by_first.setdefault(s[0], []).append(s[1:])
    alts = []
    for first, rests in sorted(by_first.items()):
        rests = [r for r in rests if r]
        if len(rests) < len(by_first[first]):   # a string ends here: what extends it adds nothing
            alts.append(re.escape(first))
        elif len(rests) == 1:
            alts.append(re.escape(first) + re.escape(rests[0]))
        else:
            alts.append(re.escape(first) + "(?:" + _trie(rests) + ")")
    return "|".join(alts)


@lru_cache(maxsize=None)
def _starts(rx: re.Pattern) -> re.Pattern | None:
    prefixes = literal_prefixes(rx)
    return re.compile(_trie(prefixes)) if prefixes else None


def finditer(rx: re.Pattern, text: str, needs: re.Pattern | None = None):
    """The matches of rx.finditer(text), rx being tried only where one of its literal prefixes starts;
    none at all, without trying rx, when `needs` (of which every match of rx holds a match) is not found."""
    if needs is not None and needs.search(text) is None:
        return
    starts = _starts(rx)
    if starts is None:
        yield from rx.finditer(text)
        return
    search, match = starts.search, rx.match
    c = search(text)
    while c is not None:
        at = c.start()
        m = match(text, at)
        if m is None:
            c = search(text, at + 1)
        else:
            yield m
            c = search(text, m.end())
