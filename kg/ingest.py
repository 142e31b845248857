"""Ingestion: read a document file (.txt/.md, .pdf, .docx, .html/.htm) into normalised text.

Every format is brought to the same conventions, so that extraction sees one kind of text:

* Paragraphs are separated by ``"\\n\\n"``; line breaks inside a paragraph are ``"\\n"``.
  Spaces are single, lines carry no leading/trailing spaces, non-breaking and other
  Unicode spaces become ``" "``, zero-width/format and control characters are removed
  (form feeds become paragraph breaks, so ``text`` contains no ``"\\f"``).
* Markdown is removed: emphasis markers (``**``, ``*``, ``_`` by the CommonMark
  delimiter rules, so ``report***`` keeps its asterisk footnote mark), ``[label](url)``
  becomes ``label``, ``<url>`` becomes ``url``, ATX heading marks ``#`` are dropped.
* Footnote markers are Unicode superscript digits (``¹²³``) glued to the preceding
  character; footnote texts are paragraphs that begin with the superscript number and a
  space (``"¹ A/77/686-S/2023/22."``).
* PDF page furniture (running symbol headers, page counters, job numbers, bar codes,
  "Please recycle", footnote separator rules) is removed; the first page's masthead is
  kept, with its job-number line once.  Words are not de-hyphenated, but a UN symbol
  broken at a slash across lines (``"A/79/\\n710"``) is rejoined.
* Redaction blocks (``█``) are kept.

``SourceText.segments`` maps runs of ``text`` back to character offsets in *the source
text*: the decoded characters of a text/markdown/HTML file; for a PDF the pdfium text of
all pages joined by ``"\\f"``; for a .docx the paragraph texts (``w:t`` text, tabs,
breaks; body paragraphs and table-cell paragraphs in document order, then the footnote
paragraphs) joined by ``"\\n"``.  Characters of ``text`` inside a segment were copied
from the source (possibly normalised one-for-one: a digit made superscript, a
non-breaking space made a space, an HTML character reference decoded); characters outside
every segment were inserted (line/paragraph breaks, the space after a footnote number,
docx footnote numbers).

PDF heuristics (pypdfium2; see ``_pdf_to_out``):

* Lines are pdfium's lines, split after its line-end hyphen mark (U+FFFE, written "-" and
  joined to the next line without a break) and where a run of text drops to a lower
  baseline while returning to the left margin; pieces of one printed line that pdfium
  split (after a raised footnote number) are merged back.  Spaces pdfium generated inside
  a word ("acceler ated": a gap under 0.2 em) are dropped.
* Type size is the font size times the vertical scale of the character's matrix.
  A superscript digit is a digit set at <= 0.8 of its line's median size whose origin is
  raised by 0.15-1.0 of that size above the line's median baseline.  After a unit symbol
  (km2, m3) it stays an ordinary digit.
* Furniture: bar-code lines ``*2500259*`` and "Please recycle" anywhere; job numbers
  (``25-00259 (E) 100125``, ``GE.25-05965 (E)``) kept once on the first page and dropped
  elsewhere; page counters (``2/5 25-00259``, ``25-00259 3/5``, ``10 GE.25-05162``, lone page
  numbers) in the top 12 % / bottom 10 % of a page or in rotated text; on pages 2+ lines
  that are only UN symbols in the top band.  A masthead printed at the end of page 1's
  text stream (Geneva layout) is moved to the front.
* Footnotes: below a separator rule (``____``) in the lower 60 % of a page, or, without a
  rule, from the first small-type line in the lower half that opens with a superscript
  number (or "* ") when only small type follows below it.  Each footnote is a paragraph
  "¹ text"; a page's footnotes are placed after the paragraph that is running at the
  foot of the page (so a sentence continued on the next page is not cut).
* Paragraph breaks: a gap of more than 1.45 line heights or a change of type size; across
  pages, a first line that is indented or numbered ("12.", "(a)"), or that starts with a
  capital after a line ending a sentence.
"""
from __future__ import annotations

import bisect
import codecs
import hashlib
import html
import io
import math
import os
import re
import stat
import statistics
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "IngestError", "Limits", "SourceText", "SUPPORTED_SUFFIXES", "read_document",
    "find_documents",
]

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")

MEDIA_TYPES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".html": "text/html",
    ".htm": "text/html",
}

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TO_SUP = str.maketrans("0123456789", SUPERSCRIPT_DIGITS)
_SUP_SET = frozenset(SUPERSCRIPT_DIGITS)


# --------------------------------------------------------------------------- interface

class IngestError(Exception):
    """A file that cannot be read. str(e) is one line: '<path>: <reason>'."""

    path: str
    reason: str

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = " ".join(str(reason).split())
        super().__init__(f"{self.path}: {self.reason}")

    def __reduce__(self):  # picklable across process pools
        return (type(self), (self.path, self.reason))


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50_000_000      # larger files are refused with a clear reason
    max_pages: int = 2_000
    max_uncompressed_bytes: int = 200_000_000   # docx parts and PDF streams: decompression-bomb guard
    # kg build: seconds to read and extract one file (None: no limit). Files are read in long-lived
    # reader processes; one that overruns is killed and replaced, and only that file fails.
    max_seconds: float | None = 300.0


@dataclass(frozen=True)
class SourceText:
    path: str            # the path as given
    source: str          # base name of the file, e.g. "A_79_716.pdf"
    media_type: str
    sha256: str          # hex digest of the raw bytes
    text: str            # the normalised text
    segments: tuple[tuple[int, int, int], ...]   # (text_start, source_start, length)
    source_text_length: int

    def to_source(self, offset: int) -> int:
        """Offset in ``text`` -> offset in the source text.

        Inside a segment the mapping is exact; an inserted character maps to the source
        offset just after the preceding segment (the nearest copied character before it),
        or to the start of the first segment when nothing precedes it.
        ``offset == len(text)`` is allowed and maps to the end of the last segment.
        """
        if offset < 0 or offset > len(self.text):
            raise ValueError(f"offset {offset} outside text of length {len(self.text)}")
        segs = self.segments
        if not segs:
            return min(offset, self.source_text_length)
        i = bisect.bisect_right(segs, offset, key=lambda s: s[0]) - 1
        if i < 0:
            return segs[0][1]
        t0, s0, n = segs[i]
        if offset - t0 < n:
            return s0 + (offset - t0)
        return s0 + n


# --------------------------------------------------------------------------- helpers

def _human(n: int) -> str:
    if n >= 1_000_000_000:
        return f"{n / 1e9:.1f} GB"
    if n >= 10_000_000:
        return f"{n / 1e6:.0f} MB"
    if n >= 1_000_000:
        return f"{n / 1e6:.1f} MB"
    if n >= 1_000:
        return f"{n / 1e3:.1f} kB"
    return f"{n} bytes"


def _push(runs: list, t: int, s: int, n: int):
    """Append the run (text_start, source_start or -1, length), merging with the last one."""
    if n <= 0:
        return
    if runs:
        t0, s0, n0 = runs[-1]
        if t0 + n0 == t and ((s0 < 0 and s < 0) or (s0 >= 0 and s0 + n0 == s)):
            runs[-1] = (t0, s0, n0 + n)
            return
    runs.append((t, -1 if s < 0 else s, n))


class _Out:
    """The text being built, as pieces (text, source offset of its first character or -1)."""

    __slots__ = ("pieces",)

    def __init__(self):
        self.pieces: list[tuple[str, int]] = []

    def copy(self, s: str, start: int, end: int, base: int = 0):
        """Copy s[start:end]; its characters come from source offsets base+start..."""
        if end > start:
            self.pieces.append((s[start:end], base + start))

    def put(self, text: str, src: int):
        """Text standing one-for-one for the source characters from src (-1: inserted)."""
        if text:
            self.pieces.append((text, src))

    def insert(self, s: str):
        if s:
            self.pieces.append((s, -1))

    def rstrip_spaces(self):
        while self.pieces:
            t, s = self.pieces[-1]
            u = t.rstrip(" \t")
            if u == t:
                return
            if u:
                self.pieces[-1] = (u, s)
                return
            self.pieces.pop()

    def build(self) -> tuple[str, list]:
        runs: list = []
        t = 0
        for text, s in self.pieces:
            _push(runs, t, s, len(text))
            t += len(text)
        return "".join(p[0] for p in self.pieces), runs


def _apply(S: str, R: list, edits: list) -> tuple[str, list]:
    """Apply sorted, non-overlapping edits (a, b, replacement, srcs) to S and its runs R.

    srcs: None -> the replacement stands one-for-one for S[a:b] (same length, same sources);
    "first" -> its first character takes the source of S[a], the rest are inserted;
    a list -> the source offset of each replacement character (-1: inserted).
    """
    if not edits:
        return S, R
    parts: list[str] = []
    NR: list = []
    t = 0
    ri = 0
    nr = len(R)

    def take(p: int, q: int, text: str | None = None):
        nonlocal t, ri
        if p >= q:
            return
        parts.append(S[p:q] if text is None else text)
        while R[ri][0] + R[ri][2] <= p:
            ri += 1
        k = ri
        while k < nr and R[k][0] < q:
            t0, s0, n = R[k]
            a = t0 if t0 > p else p
            b = t0 + n if t0 + n < q else q
            _push(NR, t + (a - p), -1 if s0 < 0 else s0 + (a - t0), b - a)
            k += 1
        t += q - p

    def src_at(i: int) -> int:
        nonlocal ri
        while R[ri][0] + R[ri][2] <= i:
            ri += 1
        t0, s0, _n = R[ri]
        return -1 if s0 < 0 else s0 + (i - t0)

    pos = 0
    for a, b, repl, srcs in edits:
        take(pos, a)
        if srcs is None:
            take(a, b, repl)
        elif repl:
            if srcs == "first":
                srcs = [src_at(a)] + [-1] * (len(repl) - 1)
            parts.append(repl)
            for s in srcs:
                _push(NR, t, s, 1)
                t += 1
        pos = b
    take(pos, len(S))
    return "".join(parts), NR


def _src_of(R: list, starts: list, i: int) -> int:
    k = bisect.bisect_right(starts, i) - 1
    t0, s0, _n = R[k]
    return -1 if s0 < 0 else s0 + (i - t0)


_TRANSLATE = {ord(c): " " for c in "\t\x0b\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u202f\u205f\u3000"}
_TRANSLATE.update({0x2028: "\n", 0x85: "\n", 0xFFFE: "-"})   # U+FFFE: pdfium's line-end hyphen
_KEEP_CONTROLS = frozenset("\n\r\f \u2029")

# A UN document symbol (A/79/716, S/2025/10/Add.31, A/HRC/59/L.17, A/ES-10/1027, S/PV.9228).
_SYM = r"[A-Z][A-Z0-9]*(?:[-.][A-Z0-9]+)*(?:/[A-Za-z0-9]+(?:[-.][A-Za-z0-9]+)*)+"
_SYM_PREFIX_END = re.compile(
    r"(?:^|[\s(\[“\"‘'])[A-Z][A-Z0-9]*(?:[-.][A-Z0-9]+)*(?:/[A-Za-z0-9]+(?:[-.][A-Za-z0-9]+)*)*/$")
_SYM_DASH_END = re.compile(rf"(?:^|[\s(\[“\"‘']){_SYM}[-–]$")
_SYM_START = re.compile(_SYM)
_ALNUM_START = re.compile(r"[A-Za-z0-9]")
_UNIT_EXP = re.compile(r"(?:(?<![A-Za-z])(?:[kcmdµ]?m|ft|yd|mi))([²³])")
_CONTENT_LINE = re.compile(r"[^\n]*[^\n ][^\n]*")
_SPACE_FIX = re.compile(rf"  +| +(?=[{SUPERSCRIPT_DIGITS}])")


def _drop_char(c: str) -> bool:
    return unicodedata.category(c) in ("Cc", "Cf", "Cs", "Cn") and c not in _KEEP_CONTROLS


def _finalize(out: _Out) -> tuple[str, tuple[tuple[int, int, int], ...]]:
    """Whitespace/control normalisation shared by all formats; returns (text, segments)."""
    S, R = out.build()
    # 1. characters: one-for-one mappings, then \r\n, form feeds and characters to drop
    S = S.translate(_TRANSLATE)
    drop = "".join(sorted(c for c in set(S) if (c < " " or c >= "\x7f") and _drop_char(c)))
    pat = r"\r\n?|[\f\u2029]" + (f"|[{re.escape(drop)}]+" if drop else "")
    edits = []
    for m in re.finditer(pat, S):
        a, b = m.span()
        c = S[a]
        if c == "\r":
            edits.append((a, a + 1, "", []) if b - a == 2 else (a, b, "\n", None))
        elif c in "\f\u2029":
            edits.append((a, b, "\n\n", "first"))
        else:
            edits.append((a, b, "", []))
    S, R = _apply(S, R, edits)
    # km², m³: superscript digits are reserved for footnote marks
    edits = [(m.start(1), m.end(1), "2" if m.group(1) == "²" else "3", None)
             for m in _UNIT_EXP.finditer(S)]
    S, R = _apply(S, R, edits)

    # 2. lines: strip, collapse spaces, glue superscript marks, one or two newlines between lines
    starts = [r[0] for r in R]
    edits = []
    prev_a = prev_b = -1            # the previous content line
    for m in _CONTENT_LINE.finditer(S):
        la, lb = m.span()
        line = m.group(0)
        ca = la + (len(line) - len(line.lstrip(" ")))
        cb = la + len(line.rstrip(" "))
        para = True
        if prev_b < 0:
            if ca > 0:
                edits.append((0, ca, "", []))
        else:
            gap = S[prev_b:ca]
            nl1 = S.find("\n", prev_b, ca)
            nl2 = S.find("\n", nl1 + 1, ca)
            para = nl2 >= 0
            if not para and (
                    (_SYM_PREFIX_END.search(S, max(prev_a - 1, prev_b - 120, 0), prev_b)
                     and _ALNUM_START.match(S, ca))
                    or (_SYM_DASH_END.search(S, max(prev_a - 1, prev_b - 120, 0), prev_b)
                        and _SYM_START.match(S, ca))):
                edits.append((prev_b, ca, "", []))          # "A/79/\n710" -> "A/79/710"
            elif para:
                if gap != "\n\n":
                    edits.append((prev_b, ca, "\n\n", [_src_of(R, starts, nl1), _src_of(R, starts, nl2)]))
            elif gap != "\n":
                edits.append((prev_b, ca, "\n", [_src_of(R, starts, nl1)]))
        if para:
            # a paragraph opening with a superscript number: one space after the number
            j = ca
            while j < cb and S[j] in _SUP_SET:
                j += 1
            if ca < j < cb and S[j] != " ":
                edits.append((j, j, " ", [-1]))
        for sm in _SPACE_FIX.finditer(S, ca, cb):
            a, b = sm.span()
            if b < cb and S[b] in _SUP_SET and S[a - 1] not in _SUP_SET:
                edits.append((a, b, "", []))               # "word ¹" -> "word¹"
            elif b - a > 1:
                edits.append((a + 1, b, "", []))
        prev_a, prev_b = ca, cb
    if prev_b < 0:
        return "", ()
    if prev_b < len(S):
        edits.append((prev_b, len(S), "", []))
    S, R = _apply(S, R, edits)
    return S, tuple(r for r in R if r[1] >= 0)


# --------------------------------------------------------------------------- text decoding

def _cp1252_fallback(err):
    # the five bytes cp1252 leaves undefined are read as the C1 controls (dropped later)
    if isinstance(err, UnicodeDecodeError):
        b = err.object[err.start:err.end]
        return "".join(chr(x) for x in b), err.end
    raise err


codecs.register_error("kg_cp1252_fallback", _cp1252_fallback)


def _decode_text(data: bytes, path: str, html_meta: bool = False) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    for bom, enc in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                     (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            body = data[len(bom):]
            try:
                return body.decode(enc)
            except UnicodeDecodeError as e:
                raise IngestError(path, f"not valid {enc.upper()} text although it starts with a "
                                        f"{enc.upper()} byte-order mark ({e.reason} at byte "
                                        f"{e.start + len(bom)})") from None
    if b"\x00" in data:
        # UTF-16 without a byte-order mark: NULs on every other byte
        even = data[0::2].count(0)
        odd = data[1::2].count(0)
        half = len(data) // 2
        if len(data) % 2 == 0 and half and max(even, odd) >= 0.9 * half * 0.5 and min(even, odd) == 0:
            try:
                return data.decode("utf-16-le" if odd > even else "utf-16-be")
            except UnicodeDecodeError:
                pass
        raise IngestError(path, "binary data (NUL bytes), not a text file; "
                                "text must be UTF-8, UTF-16 with BOM or Windows-1252")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if html_meta:
        m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", data[:4096], re.I)
        if m:
            try:
                enc = codecs.lookup(m.group(1).decode("ascii")).name
            except (LookupError, UnicodeDecodeError):
                enc = None
            if enc and enc not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"):
                try:
                    return data.decode(enc)
                except UnicodeDecodeError:
                    pass
    return data.decode("cp1252", errors="kg_cp1252_fallback")


# --------------------------------------------------------------------------- markdown / text

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_HEADING_CLOSE = re.compile(r"[ \t]+#+[ \t]*$")
_LINK = re.compile(
    r"(!?)\[((?:[^\[\]\\]|\\.){0,1000})\]"
    r"\(\s*(<[^<>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^\s<>]+|mailto:[^\s<>]+|www\.[^\s<>]+)>", re.I)
_BARE_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\[\]()]+", re.I)
# (?<!`) and the possessive `++: a run of backticks is tried once, from its start (20,000 backticks took 4 s)
_CODE_SPAN = re.compile(r"(?<!`)(`++)([^`\n](?:[^\n]{0,1000}?[^`\n])?)\1(?!`)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_DELIM_RUN = re.compile(r"\*+|_+")
_TEXT_FURNITURE = re.compile(r"^\s*(?:\d{1,4}/\d{1,4}\s+(?:GE\.)?\d{2}-\d{5}|(?:GE\.)?\d{2}-\d{5}\s+\d{1,4}/\d{1,4}"
                             r"|\*\d{7}\*)\s*$")


def _is_punct(c: str) -> bool:
    return unicodedata.category(c)[0] in "PS"


def _emphasis(block: str, base: int, deleted: bytearray, literal: bytearray):
    """CommonMark emphasis on one block; marks the delimiter characters that close/open."""
    runs = []   # [char, start, length, can_open, can_close, orig_len]
    for m in _DELIM_RUN.finditer(block):
        st, en = m.start(), m.end()
        # split the run where literal/deleted characters interrupt it
        k = st
        while k < en:
            if literal[base + k] or deleted[base + k]:
                k += 1
                continue
            j = k
            while j < en and not literal[base + j] and not deleted[base + j]:
                j += 1
            ch = block[k]
            prev = block[k - 1] if k > 0 else " "
            nxt = block[j] if j < len(block) else " "
            pw, nw = prev.isspace(), nxt.isspace()
            pp, np_ = _is_punct(prev), _is_punct(nxt)
            left = not nw and (not np_ or pw or pp)
            right = not pw and (not pp or nw or np_)
            if ch == "*":
                can_open, can_close = left, right
            else:
                can_open = left and (not right or pp)
                can_close = right and (not left or np_)
            runs.append([ch, k, j - k, can_open, can_close, j - k])
            k = j
    if not runs:
        return
    stack: list[int] = []   # indices into runs, potential openers
    bottom: dict[tuple, int] = {}   # CommonMark's openers_bottom: keeps the search linear
    for ci, closer in enumerate(runs):
        if closer[4]:
            key = (closer[0], closer[3], closer[5] % 3)
            while closer[2] > 0:
                found = -1
                for si in range(len(stack) - 1, bottom.get(key, 0) - 1, -1):
                    op = runs[stack[si]]
                    if op[0] != closer[0] or op[2] == 0 or not op[3]:
                        continue
                    if (op[3] and op[4]) or (closer[3] and closer[4]):
                        if (op[5] + closer[5]) % 3 == 0 and not (op[5] % 3 == 0 and closer[5] % 3 == 0):
                            continue
                    found = si
                    break
                if found < 0:
                    bottom[key] = len(stack)
                    break
                op = runs[stack[found]]
                use = 2 if op[2] >= 2 and closer[2] >= 2 else 1
                # opener loses its innermost (last) characters, closer its first ones
                for q in range(op[1] + op[2] - use, op[1] + op[2]):
                    deleted[base + q] = 1
                for q in range(closer[1], closer[1] + use):
                    deleted[base + q] = 1
                op[2] -= use
                closer[1] += use
                closer[2] -= use
                del stack[found + 1:]        # delimiters between them are now text
                if op[2] == 0:
                    del stack[found]
                for k in bottom:
                    if bottom[k] > len(stack):
                        bottom[k] = len(stack)
        if closer[3] and closer[2] > 0:
            stack.append(ci)


def _markdown_to_out(src: str) -> _Out:
    n = len(src)
    deleted = bytearray(n)
    literal = bytearray(n)
    # blocks: headings are single-line blocks; otherwise runs of non-blank lines
    line_starts = [0]
    for m in re.finditer(r"\r\n|\r|\n", src):
        line_starts.append(m.end())
    blocks: list[tuple[int, int]] = []
    cur_start = None
    cur_end = 0
    for li, ls in enumerate(line_starts):
        le = line_starts[li + 1] if li + 1 < len(line_starts) else n
        line = src[ls:le].rstrip("\r\n")
        lend = ls + len(line)
        if not line.strip():
            if cur_start is not None:
                blocks.append((cur_start, cur_end))
                cur_start = None
            continue
        if _TEXT_FURNITURE.match(line):
            # text converted from a UN PDF: a page counter "2/3 21-06319" or a bar code line
            for q in range(ls, lend):
                deleted[q] = 1
            continue
        hm = _HEADING.match(line)
        if hm:
            if cur_start is not None:
                blocks.append((cur_start, cur_end))
                cur_start = None
            for q in range(ls, ls + hm.end()):
                deleted[q] = 1
            cm = _HEADING_CLOSE.search(line, hm.end())
            hend = lend
            if cm:
                for q in range(ls + cm.start(), lend):
                    deleted[q] = 1
                hend = ls + cm.start()
            blocks.append((ls + hm.end(), hend))
            continue
        if cur_start is None:
            cur_start = ls
        cur_end = lend
    if cur_start is not None:
        blocks.append((cur_start, cur_end))

    for bs, be in blocks:
        block = src[bs:be]
        # code spans: content literal, backticks dropped
        for m in _CODE_SPAN.finditer(block):
            for q in range(m.start(1), m.end(1)):
                deleted[bs + q] = 1
            for q in range(m.start(2), m.end(2)):
                literal[bs + q] = 1
            for q in range(m.end(2), m.end()):
                deleted[bs + q] = 1
        # backslash escapes
        for m in _ESCAPE.finditer(block):
            if literal[bs + m.start()]:
                continue
            deleted[bs + m.start()] = 1
            literal[bs + m.start(1)] = 1
        # autolinks <url> -> url
        for m in _AUTOLINK.finditer(block):
            if literal[bs + m.start()]:
                continue
            deleted[bs + m.start()] = 1
            deleted[bs + m.end() - 1] = 1
            for q in range(m.start(1), m.end(1)):
                literal[bs + q] = 1
        # links [label](target) -> label
        for m in _LINK.finditer(block):
            if literal[bs + m.start()] or deleted[bs + m.start()]:
                continue
            for q in range(m.start(), m.start(2)):
                deleted[bs + q] = 1          # "![" or "["
            for q in range(m.end(2), m.end()):
                deleted[bs + q] = 1          # "](target)"
        # bare URLs keep their * and _
        for m in _BARE_URL.finditer(block):
            literal[bs + m.start():bs + m.end()] = b"\x01" * (m.end() - m.start())
        _emphasis(block, bs, deleted, literal)

    out = _Out()
    i = 0
    while i < n:
        j = deleted.find(1, i)
        if j < 0:
            j = n
        out.copy(src, i, j)
        if j >= n:
            break
        i = deleted.find(0, j)
        if i < 0:
            break
    return out


# --------------------------------------------------------------------------- HTML

_BLOCK_PARA = frozenset("""p div h1 h2 h3 h4 h5 h6 ul ol dl table blockquote section article header
footer main nav aside figure pre address hr form fieldset details center body html""".split())
_BLOCK_LINE = frozenset("li tr dt dd caption figcaption summary br thead tbody tfoot legend".split())
_CELL = frozenset(("td", "th"))
_SKIP_CONTENT = frozenset("script style title noscript template svg math object iframe "
                          "textarea select option button".split())
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_ENTITY = re.compile(r"&(?:#[0-9]{1,8};?|#[xX][0-9a-fA-F]{1,7};?|[A-Za-z][A-Za-z0-9]{1,31};?)")
_HTML_WS = str.maketrans("\r\n\t\f", "    ")
_TAG_NAME = re.compile(r"/?([A-Za-z][A-Za-z0-9:_-]*)")
_QUOTE_OR_GT = re.compile(r"[\"'>]")


def _html_to_out(src: str) -> _Out:
    out = _Out()
    n = len(src)
    pos = 0
    sup_depth = 0
    pre_depth = 0
    no_close: dict[str, int] = {}      # raw-text elements with no closing tag after this position

    def emit_text(a: int, b: int):
        k = a
        while k < b:
            amp = src.find("&", k, b)
            stop = b if amp < 0 else amp
            if sup_depth:
                for q in range(k, stop):
                    c = src[q]
                    if c in "[]":
                        continue                      # <sup>[1]</sup>
                    out.put(c.translate(_HTML_WS if not pre_depth else {}).translate(_TO_SUP), q)
            elif stop > k:
                chunk = src[k:stop]
                out.put(chunk if pre_depth else chunk.translate(_HTML_WS), k)
            if amp < 0:
                break
            m = _ENTITY.match(src, amp, b)
            if not m:
                out.put("&", amp)
                k = amp + 1
                continue
            val = html.unescape(m.group(0))
            if val == m.group(0):
                out.copy(src, m.start(), m.end())
            elif val:
                c0 = val[0]
                if c0 in "\r\n\t\f" and not pre_depth:
                    c0 = " "
                if sup_depth and c0 in "0123456789":
                    c0 = c0.translate(_TO_SUP)
                out.put(c0, m.start())
                if len(val) > 1:
                    out.insert(val[1:])
            k = m.end()

    while pos < n:
        lt = src.find("<", pos)
        if lt < 0:
            emit_text(pos, n)
            break
        if lt > pos:
            emit_text(pos, lt)
        pos = lt
        if src.startswith("<!--", pos):
            e = src.find("-->", pos + 4)
            pos = n if e < 0 else e + 3
            continue
        if src.startswith("<![CDATA[", pos):
            e = src.find("]]>", pos + 9)
            pos = n if e < 0 else e + 3
            continue
        if src.startswith("<!", pos) or src.startswith("<?", pos):
            e = src.find(">", pos + 2)
            pos = n if e < 0 else e + 1
            continue
        m = _TAG_NAME.match(src, pos + 1)
        if not m:
            out.put("<", pos)
            pos += 1
            continue
        closing = m.group(0).startswith("/")
        name = m.group(1).lower()
        # find the end of the tag, skipping quoted attribute values
        k = m.end()
        end = n
        while k < n:
            q = _QUOTE_OR_GT.search(src, k)
            if not q:
                break
            if q.group(0) == ">":
                end = q.end()
                break
            close = src.find(q.group(0), q.end())
            if close < 0:
                break
            k = close + 1
        self_closing = src[max(pos, end - 2):end] == "/>"
        pos = end
        if not closing and name in _SKIP_CONTENT and not self_closing:
            cm = None
            if pos < no_close.get(name, n + 1):
                cm = re.compile(r"</" + re.escape(name) + r"\b[^>]*>", re.I).search(src, pos)
                if cm is None:
                    no_close[name] = pos
            if cm is not None:          # unclosed: parse on as if the tag were not there
                pos = cm.end()
            continue
        if name == "sup":
            if closing:
                sup_depth = max(0, sup_depth - 1)
            elif not self_closing:
                sup_depth += 1
            continue
        if name == "pre":
            pre_depth = max(0, pre_depth - 1) if closing else pre_depth + 1
        if name in _BLOCK_PARA:
            out.insert("\n\n")
        elif name in _BLOCK_LINE:
            if name == "br" or not closing:
                out.insert("\n")
        elif name in _CELL:
            out.insert(" ")
    return out


# --------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FOOTNOTES_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def _docx_paragraph(p, marker_for) -> tuple[str, list[tuple[int, str]], set[int]]:
    """Text of a w:p: (source text, [(position, inserted marker)], superscript positions)."""
    parts: list[str] = []
    inserts: list[tuple[int, str]] = []
    sup_pos: set[int] = set()
    length = 0
    skip_tags = {_W + "del", _W + "moveFrom", _W + "instrText", _W + "delText", _W + "fldData"}

    def walk(el, sup: bool):
        nonlocal length
        for ch in el:
            tag = ch.tag
            if not isinstance(tag, str) or tag in skip_tags:
                continue
            if tag == _W + "r":
                rsup = sup
                rpr = ch.find(_W + "rPr")
                if rpr is not None:
                    va = rpr.find(_W + "vertAlign")
                    if va is not None:
                        rsup = va.get(_W + "val") == "superscript"
                walk(ch, rsup)
            elif tag == _W + "t":
                t = ch.text or ""
                if sup:
                    for q, c in enumerate(t):
                        if c in "0123456789":
                            sup_pos.add(length + q)
                parts.append(t)
                length += len(t)
            elif tag == _W + "tab" or tag == _W + "ptab":
                parts.append("\t"); length += 1
            elif tag in (_W + "br", _W + "cr"):
                parts.append("\n"); length += 1
            elif tag == _W + "noBreakHyphen":
                parts.append("-"); length += 1
            elif tag == _W + "softHyphen":
                parts.append("\u00ad"); length += 1
            elif tag in (_W + "footnoteReference", _W + "footnoteRef"):
                mk = marker_for(ch)
                if mk:
                    inserts.append((length, mk))
            elif tag == _W + "rPr" or tag == _W + "pPr":
                continue
            else:
                walk(ch, sup)

    walk(p, False)
    return "".join(parts), inserts, sup_pos


def _docx_blocks(el, out_paras: list, kind: str):
    """Collect w:p elements in document order; tables row by row."""
    for ch in el:
        tag = ch.tag
        if not isinstance(tag, str):
            continue
        if tag == _W + "p":
            out_paras.append((ch, kind))
        elif tag == _W + "tbl":
            for tr in ch.findall(_W + "tr"):
                out_paras.append((None, "row-start"))
                for tc in tr.findall(_W + "tc"):
                    _docx_blocks(tc, out_paras, "cell")
                out_paras.append((None, "row-end"))
            out_paras.append((None, "table-end"))
        elif tag in (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "smartTag",
                     _W + "ins", _W + "moveTo"):
            _docx_blocks(ch, out_paras, kind)


def _docx_to_out(data: bytes, path: str, limits: Limits) -> tuple[_Out, str]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise IngestError(path, f"not a Word .docx file or damaged (not a valid zip container: {e})") from None
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise IngestError(path, f"docx expands to {_human(total)}, above the "
                                f"{_human(limits.max_uncompressed_bytes)} limit (decompression-bomb guard)")
    if len(infos) > 20_000:
        raise IngestError(path, f"docx holds {len(infos)} parts (decompression-bomb guard)")
    if "word/document.xml" not in zf.namelist() and "[Content_Types].xml" not in zf.namelist():
        raise IngestError(path, "not a Word .docx file (zip without word/document.xml)")
    try:
        import docx  # python-docx
        from lxml import etree
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        foot_root = None
        for rel in document.part.rels.values():
            if rel.reltype == _FOOTNOTES_RT and not rel.is_external:
                parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                         huge_tree=False)
                foot_root = etree.fromstring(rel.target_part.blob, parser)
                break
    except IngestError:
        raise
    except Exception as e:   # python-docx/lxml raise many kinds for a damaged package
        raise IngestError(path, f"not a Word .docx file or damaged ({type(e).__name__}: {e})") from None

    # footnotes: id -> element; number them by first reference in the body
    footnotes: dict[str, object] = {}
    if foot_root is not None:
        for fn in foot_root.findall(_W + "footnote"):
            if fn.get(_W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            fid = fn.get(_W + "id")
            if fid is not None:
                footnotes[fid] = fn
    numbers: dict[str, int] = {}

    def body_marker(el):
        if el.tag != _W + "footnoteReference":
            return None
        if el.get(_W + "customMarkFollows") in ("1", "true", "on"):
            return None          # the mark is typed in the following run
        fid = el.get(_W + "id")
        if fid not in footnotes:
            return None
        if fid not in numbers:
            numbers[fid] = len(numbers) + 1
        return str(numbers[fid]).translate(_TO_SUP)

    paras: list = []
    _docx_blocks(body, paras, "body")

    out = _Out()
    src_len = 0
    src_parts: list[str] = []
    first = True

    def add_para(walked, sep: str, prefix: str = ""):
        nonlocal src_len, first
        text, inserts, sup_pos = walked
        if not first:
            src_len += 1                      # the "\n" joining paragraphs in the source
        first = False
        base = src_len
        out.insert(sep)
        out.insert(prefix)
        ins: dict[int, str] = {}
        for pos_, mk in inserts:
            ins[pos_] = ins.get(pos_, "") + mk
        cuts = sorted(set(ins) | sup_pos | {q + 1 for q in sup_pos} | {len(text)})
        q0 = 0
        for q in cuts:
            out.copy(text, q0, q, base)
            if q in ins:
                out.rstrip_spaces()
                out.insert(ins[q])
            if q in sup_pos:
                out.put(text[q].translate(_TO_SUP), base + q)
                q += 1
            q0 = q
        src_len += len(text)
        src_parts.append(text)

    row_first = True
    for p, kind in paras:
        if kind == "row-start":
            row_first = True
            continue
        if kind == "row-end":
            continue
        if kind == "table-end":
            out.insert("\n\n")
            continue
        if kind == "cell":
            add_para(_docx_paragraph(p, body_marker), "\n" if not row_first else "\n\n")
            row_first = False
        else:
            add_para(_docx_paragraph(p, body_marker), "\n\n")

    # footnote texts, in number order (unreferenced ones after)
    order = sorted(numbers, key=numbers.get) + [f for f in footnotes if f not in numbers]
    for fid in order:
        if fid not in numbers:
            numbers[fid] = len(numbers) + 1
        num = str(numbers[fid]).translate(_TO_SUP)
        fn = footnotes[fid]
        first_p = True
        for p in fn.iter(_W + "p"):
            got = []

            def foot_marker(el, _got=got):
                if el.tag == _W + "footnoteRef" and not _got:
                    _got.append(1)
                    return num
                return None

            walked = _docx_paragraph(p, foot_marker)
            # no w:footnoteRef in the footnote's text: put the number in front
            prefix = num + " " if first_p and not got else ""
            add_para(walked, "\n\n" if first_p else "\n", prefix)
            first_p = False
    return out, "\n".join(src_parts)


# --------------------------------------------------------------------------- PDF

_RE_BARCODE = re.compile(r"^\*\d{6,8}\*$")
_RE_RECYCLE = re.compile(r"^please\s+recycle\b", re.I)
_RE_JOB = re.compile(r"^(?:GE\.)?\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{6}){0,3}$")
_RE_COUNTER = re.compile(
    r"^(?:\d{1,4}\s*/\s*\d{1,4}\s+(?:GE\.)?\d{2}-\d{5}"
    r"|(?:GE\.)?\d{2}-\d{5}\s+\d{1,4}\s*/\s*\d{1,4}"
    r"|\d{1,4}\s+GE\.\d{2}-\d{5}|GE\.\d{2}-\d{5}\s+\d{1,4}"
    r"|/\s*\d{1,4}\s+(?:GE\.)?\d{2}-\d{5}|\d{1,4}\s*/\s*\d{1,4})$")
_RE_PAGENUM = re.compile(r"^\d{1,4}$")
_RE_HEADER_SYM = re.compile(rf"^{_SYM}(?:\s*[-–—]?\s*{_SYM})*$")
_RE_RULE = re.compile(r"^[_\u2014\u2015-]{5,}$")
_RE_NUMBERED = re.compile(
    r"^(?:\d{1,3}\.(?:\d{1,3}\.?)*\s|\([a-z]{1,4}\)\s|\([ivxlc]{1,6}\)\s|\(\d{1,3}\)\s"
    r"|[IVXL]{1,6}\.\s|[A-H]\.\s|[•▪◦·\-–—]\s)")
_RE_MASTHEAD = re.compile(rf"^United\s+Nations\s+{_SYM}")
_UNIT_BEFORE = re.compile(r"(?:^|[^A-Za-z])(?:[kcmdµ]?m|ft|yd|mi)$")
_TERMINAL = re.compile(r"[.:;!?][”’\"')\]]*$")


class _Line:
    __slots__ = ("toks", "hyph", "size", "base", "x0", "x1", "vis", "text", "kind", "sup", "vertical")

    def __init__(self, toks, hyph):
        self.toks = toks          # list of [page_index, char, size, oy, left, right, generated]
        self.hyph = hyph          # ends with pdfium's line-end hyphen: join the next line directly
        self.kind = "body"
        self.sup: set[int] = set()
        self.stats()

    def stats(self):
        vis = [t for t in self.toks if t[2] > 0 and not t[1].isspace()]
        self.vis = vis
        self.text = "".join(t[1] for t in self.toks).strip()
        if vis:
            self.size = statistics.median(t[2] for t in vis)
            self.base = statistics.median(t[3] for t in vis)
            self.x0 = min(t[4] for t in vis)
            self.x1 = max(t[5] for t in vis)
            ys = [t[3] for t in vis]
            # rotated text (the running header of a landscape page) progresses vertically
            self.vertical = len(vis) >= 3 and max(ys) - min(ys) > 1.5 * self.size \
                and self.x1 - self.x0 < 2 * self.size
        else:
            self.size = self.base = self.x0 = self.x1 = 0.0
            self.vertical = False

    def find_sup(self):
        """Indices of tokens that are superscript digits (small and raised)."""
        self.sup = set()
        if not self.vis or self.size <= 0:
            return
        sz, base = self.size, self.base
        for k, t in enumerate(self.toks):
            if t[1] in "0123456789" and 0 < t[2] <= 0.8 * sz and 0.15 * sz <= t[3] - base <= 1.0 * sz:
                self.sup.add(k)

    def starts_with_sup(self) -> bool:
        for k, t in enumerate(self.toks):
            if t[1].isspace():
                continue
            return k in self.sup
        return False


def _pdf_error(path: str, e: Exception) -> IngestError:
    code = getattr(e, "err_code", None)
    if code == 4:
        return IngestError(path, "encrypted PDF (password required)")
    if code == 5:
        return IngestError(path, "PDF uses an unsupported security handler (encrypted?)")
    return IngestError(path, f"not a PDF or damaged: {e}")


_PDF_STREAM = re.compile(rb"stream\r?\n")


def _pdf_inflated_size(data: bytes, limit: int) -> int:
    """The total size of the PDF's Flate streams once inflated, counted in 1 MB pieces without keeping
    them, and given up as soon as it passes `limit` (pdfium would inflate and hold them all)."""
    total = 0
    view = memoryview(data)
    for m in _PDF_STREAM.finditer(data):
        d = zlib.decompressobj()
        pos = m.end()
        try:
            while not d.eof and pos < len(data):
                piece = view[pos:pos + 65536]
                pos += len(piece)
                total += len(d.decompress(piece, 1 << 20))
                while d.unconsumed_tail and total <= limit and not d.eof:
                    more = d.decompress(d.unconsumed_tail, 1 << 20)
                    if not more:
                        break        # no progress (a stream zlib cannot go on with): stop, never spin
                    total += len(more)
                if total > limit:
                    return total
        except zlib.error:
            continue                 # not a Flate stream (or a damaged one): pdfium judges it
    return total


def _pdf_pages(path: str, data: bytes, limits: Limits):
    """Per page: (pdfium text, width, height, per-char geometry) for all pages."""
    import ctypes
    import pypdfium2 as pdfium
    import pypdfium2.raw as pr

    if _pdf_inflated_size(data, limits.max_uncompressed_bytes) > limits.max_uncompressed_bytes:
        raise IngestError(path, f"PDF streams expand to more than {_human(limits.max_uncompressed_bytes)} "
                                f"(decompression-bomb guard)")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise _pdf_error(path, e) from None
    except Exception as e:
        raise IngestError(path, f"not a PDF or damaged: {e}") from None
    pages = []
    try:
        npages = len(pdf)
        if npages > limits.max_pages:
            raise IngestError(path, f"PDF has {npages:,} pages, above the {limits.max_pages:,}-page "
                                    f"limit (raise --max-pages)")
        if npages == 0:
            raise IngestError(path, "PDF has no pages")
        x, y = ctypes.c_double(), ctypes.c_double()
        l, r, b, t = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        bx, by, bl, br, bb, bt = (ctypes.byref(v) for v in (x, y, l, r, b, t))
        get_size, get_origin, get_box = pr.FPDFText_GetFontSize, pr.FPDFText_GetCharOrigin, pr.FPDFText_GetCharBox
        get_matrix = pr.FPDFText_GetMatrix
        mat = pr.FS_MATRIX()
        bmat = ctypes.byref(mat)
        is_gen = pr.FPDFText_IsGenerated
        to_char = pr.FPDFText_GetCharIndexFromTextIndex
        for pi in range(npages):
            try:
                page = pdf[pi]
                width, height = page.get_size()
                tp = page.get_textpage()
            except pdfium.PdfiumError as e:
                raise IngestError(path, f"damaged PDF: page {pi + 1} cannot be read ({e})") from None
            try:
                text = tp.get_text_range()
                nchars = tp.count_chars()
                same = len(text) == nchars
                tpr = tp.raw
                geo = [None] * len(text)
                for ti, c in enumerate(text):
                    if c in "\r\n":
                        continue
                    ci = ti if same else to_char(tpr, ti)
                    if ci < 0:
                        continue
                    if c == " ":
                        if is_gen(tpr, ci):
                            get_box(tpr, ci, bl, br, bb, bt)
                            geo[ti] = (0.0, 0.0, l.value, r.value, True)
                        continue
                    # the size as set: font size times the vertical scale of the text matrix
                    # (some PDFs set 1-pt type and scale it by 10)
                    sz = get_size(tpr, ci)
                    if get_matrix(tpr, ci, bmat):
                        sz *= math.hypot(mat.c, mat.d)
                    get_origin(tpr, ci, bx, by)
                    if not get_box(tpr, ci, bl, br, bb, bt):
                        l.value = r.value = x.value
                    geo[ti] = (sz, y.value, l.value, r.value, False)
            finally:
                tp.close()
                page.close()
            pages.append((text, width, height, geo))
    finally:
        pdf.close()
    return pages


def _pdf_lines(text: str, geo: list) -> list[_Line]:
    """Physical lines of one page, in pdfium order."""
    lines: list[_Line] = []
    toks: list = []

    last_vis = None

    def flush(hyph=False):
        nonlocal toks, last_vis
        if toks:
            lines.append(_Line(toks, hyph))
        toks = []
        last_vis = None

    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "\r" or c == "\n":
            flush()
            if c == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1
            i += 1
            continue
        g = geo[i]
        if g is None:
            toks.append([i, c, 0.0, 0.0, 0.0, 0.0, False])
        else:
            if g[0] > 0 and last_vis is not None:
                # pdfium sometimes runs two printed lines together: a drop to a lower
                # baseline together with a return to the left starts a new line
                big = max(last_vis[2], g[0])
                if last_vis[3] - g[1] > 0.7 * big and g[2] < last_vis[4] - 3 * big:
                    flush()
            toks.append([i, c, g[0], g[1], g[2], g[3], g[4]])
            if g[0] > 0:
                last_vis = toks[-1]
        if c == "\ufffe":
            flush(hyph=True)
        i += 1
    flush()
    lines = [ln for ln in lines if ln.vis]
    # drop generated spaces squeezed between two characters (pdfium's "acceler ated")
    for ln in lines:
        keep = []
        tk = ln.toks
        for k, t in enumerate(tk):
            if t[6] and 0 < k < len(tk) - 1:
                a, z = tk[k - 1], tk[k + 1]
                if a[2] > 0 and z[2] > 0 and not a[1].isspace() and not z[1].isspace() \
                        and z[4] - a[5] < 0.2 * a[2] and abs(z[3] - a[3]) < 0.1 * a[2] \
                        and z[1] not in "0123456789":
                    continue
            keep.append(t)
        if len(keep) != len(tk):
            ln.toks = keep
            ln.stats()
    # merge pieces of one visual line that pdfium split (a raised footnote mark ends a line)
    merged: list[_Line] = []
    for ln in lines:
        if merged:
            p = merged[-1]
            sz = max(p.size, 1.0)
            dy = ln.base - p.base
            same_base = abs(dy) <= 0.25 * sz
            sup_only = all(t[1] in "0123456789" and t[2] <= 0.8 * sz for t in ln.vis) and 0 < dy <= 0.7 * sz
            if not p.hyph and (same_base or sup_only) and ln.x0 >= p.x1 - 1 and ln.x0 - p.x1 <= 2.5 * sz:
                tk = p.toks + ([] if ln.toks[0][1].isspace() or sup_only else [[-1, " ", 0.0, 0.0, 0.0, 0.0, False]]) + ln.toks
                p.toks = tk
                p.hyph = ln.hyph
                p.stats()
                continue
        merged.append(ln)
    # a footnote number that pdfium put on a line of its own, before its text
    final: list[_Line] = []
    k = 0
    while k < len(merged):
        p = merged[k]
        if k + 1 < len(merged) and not p.hyph and 0 < len(p.vis) <= 3 \
                and all(t[1] in "0123456789" for t in p.vis):
            ln = merged[k + 1]
            sz = max(ln.size, 1.0)
            dy = p.base - ln.base
            if p.size <= 0.8 * sz and 0 < dy <= 0.7 * sz and ln.x0 >= p.x1 - 1 \
                    and ln.x0 - p.x1 <= 2.5 * sz:
                ln.toks = p.toks + ln.toks
                ln.stats()
                final.append(ln)
                k += 2
                continue
        final.append(p)
        k += 1
    for ln in final:
        ln.find_sup()
    return final


def _doc_symbols(first_page_lines: list[_Line]) -> set[str]:
    syms = set()
    for ln in first_page_lines[:6]:
        for m in re.finditer(_SYM, ln.text):
            whole = m.group(0)
            syms.add(whole)
            # a joint symbol A/79/716-S/2025/18 names two documents
            for part in re.split(r"[-–](?=[A-Z]+/)", whole):
                syms.add(part)
    return syms


def _pdf_to_out(path: str, data: bytes, limits: Limits) -> tuple[_Out, str]:
    pages = _pdf_pages(path, data, limits)
    if not any(ch.strip() for p in pages for ch in p[0]):
        raise IngestError(path, "no text layer (scanned PDF?); OCR it first")

    page_lines = [_pdf_lines(text, geo) for text, _w, _h, geo in pages]
    # Geneva-style PDFs put the masthead ("United Nations A/HRC/59/L.17", "Distr.: ...", the
    # date) at the end of the first page's text stream: move it to the front
    if page_lines and page_lines[0]:
        lines0, h0 = page_lines[0], pages[0][2]
        for k, ln in enumerate(lines0):
            if k > 0 and ln.base > 0.85 * h0 and _RE_MASTHEAD.match(ln.text):
                j = k + 1
                while j < len(lines0) and lines0[j].base > 0.75 * h0:
                    j += 1
                page_lines[0] = lines0[k:j] + lines0[:k] + lines0[j:]
                break
    # the body font size: the most common size, weighted by characters
    hist: dict[float, int] = {}
    for lines in page_lines:
        for ln in lines:
            for t in ln.vis:
                k = round(t[2] * 2) / 2
                hist[k] = hist.get(k, 0) + 1
    body_size = max(hist, key=hist.get) if hist else 10.0
    symbols = _doc_symbols(page_lines[0]) if page_lines else set()

    # ---- classify lines: furniture, footnote zone, body
    job_kept = False
    for pi, lines in enumerate(page_lines):
        _text, _w, height, _g = pages[pi]
        top_band = height * 0.88
        bot_band = height * 0.10
        for ln in lines:
            s = ln.text
            in_band = ln.base >= top_band or ln.base <= bot_band or ln.vertical
            if _RE_BARCODE.match(s) or _RE_RECYCLE.match(s):
                ln.kind = "drop"
            elif _RE_JOB.match(s):
                if pi == 0 and not job_kept:
                    job_kept = True      # document metadata: kept once, on the first page
                elif in_band or pi > 0:
                    ln.kind = "drop"
            elif in_band and _RE_COUNTER.match(s):
                ln.kind = "drop"
            elif in_band and _RE_PAGENUM.match(s) and ln.size >= 0.7 * body_size:
                ln.kind = "drop"
            elif pi > 0 and (ln.base >= top_band or ln.vertical) and (_RE_HEADER_SYM.match(s) or s in symbols):
                ln.kind = "drop"
            elif pi > 0 and in_band and s in symbols:
                ln.kind = "drop"
        # footnote zone
        rest = [ln for ln in lines if ln.kind != "drop"]
        zone_start = None
        for k, ln in enumerate(rest):
            if _RE_RULE.match(ln.text) and ln.base < height * 0.6:
                ln.kind = "drop"
                zone_start = k + 1
                break
        if zone_start is not None:
            sep_base = rest[zone_start - 1].base
            for ln in rest[zone_start:]:
                if ln.base > sep_base + 1 or ln.size > 1.05 * body_size:
                    continue          # above the separator, or a heading: still body
                ln.kind = "foot"
        else:
            # no separator rule: the first small-type line in the lower half that opens with a
            # raised number (or "* ") and has only small type below it
            for k, ln in enumerate(rest):
                if ln.base < height * 0.5 and ln.size <= 0.95 * body_size and (
                        ln.starts_with_sup() or ln.text.startswith("* ")):
                    below = [o for o in rest[k:] if o.base <= ln.base + 1]
                    if all(o.size <= 0.95 * body_size for o in below) and any(
                            o.starts_with_sup() for o in below):
                        for o in below:
                            o.kind = "foot"
                        break

    # ---- page margins (for telling a continued paragraph from a new one across pages)
    def margin(lines):
        xs: dict[int, int] = {}
        for ln in lines:
            if ln.kind == "body" and abs(ln.size - body_size) <= 0.6:
                xs[round(ln.x0)] = xs.get(round(ln.x0), 0) + 1
        if not xs:
            return None
        best = max(xs.values())
        return min(x for x, c in xs.items() if c >= max(2, best * 0.5)) if best >= 2 else min(xs)

    out = _Out()
    pending_notes: list[list[_Line]] = []
    page_base = 0
    prev: _Line | None = None
    prev_page = -1

    def emit_line(ln: _Line, base: int, footnote_start=False):
        tk = ln.toks
        k = 0
        if footnote_start:
            # marker: superscript digits, then exactly one space
            while k < len(tk) and tk[k][1].isspace():
                k += 1
            while k < len(tk) and k in ln.sup:
                out.put(tk[k][1].translate(_TO_SUP), base + tk[k][0])
                k += 1
            if k < len(tk) and not tk[k][1].isspace():
                out.insert(" ")
        run: list[str] = []          # consecutive characters copied from consecutive offsets
        run_src = -1
        for q in range(k, len(tk)):
            t = tk[q]
            c = t[1]
            if q in ln.sup or t[0] < 0 or (run and base + t[0] != run_src + len(run)):
                if run:
                    out.put("".join(run), run_src)
                    run = []
            if q in ln.sup:
                if c in "23" and (q + 1 >= len(tk) or q + 1 not in ln.sup) and _UNIT_BEFORE.search(
                        "".join(p[0] for p in out.pieces[-4:])[-4:]):
                    pass                     # km2, m3: a unit exponent, not a footnote mark
                else:
                    out.rstrip_spaces()      # glue the marker to the preceding character
                    c = c.translate(_TO_SUP)
                out.put(c, base + t[0])
            elif t[0] < 0:
                out.insert(c)
            else:
                if not run:
                    run_src = base + t[0]
                run.append(c)
        if run:
            out.put("".join(run), run_src)

    def flush_notes():
        for note in pending_notes:
            out.insert("\n\n")
            for j, ln in enumerate(note):
                if j:
                    if not note[j - 1].hyph:
                        out.insert("\n")
                emit_line(ln, ln_base[id(ln)], footnote_start=(j == 0 and ln.starts_with_sup()))
        pending_notes.clear()

    ln_base: dict[int, int] = {}
    for pi, lines in enumerate(page_lines):
        text, width, height, _g = pages[pi]
        for ln in lines:
            ln_base[id(ln)] = page_base
        body = [ln for ln in lines if ln.kind == "body"]
        marg = margin(lines)
        for ln in body:
            if prev is None:
                sep = ""
            elif prev.hyph:
                sep = ""
            elif prev_page == pi:
                gap = prev.base - ln.base
                big = max(prev.size, ln.size, 1.0)
                similar = 0.8 <= (prev.size or 1) / (ln.size or 1) <= 1.25
                if 0 < gap <= 1.45 * big and similar:
                    sep = "\n"
                else:
                    sep = "\n\n"
            else:
                indented = marg is not None and ln.x0 > marg + 0.6 * max(ln.size, 1.0)
                similar = 0.8 <= (prev.size or 1) / (ln.size or 1) <= 1.25
                first_char = ln.text[:1]
                cont = (similar and not indented and not _RE_NUMBERED.match(ln.text)
                        and (not _TERMINAL.search(prev.text) or first_char.islower()))
                sep = "\n" if cont else "\n\n"
            if sep == "\n\n" and pending_notes:
                flush_notes()
            out.insert(sep)
            emit_line(ln, page_base)
            prev = ln
            prev_page = pi
        # footnotes of this page: paragraphs, emitted at the next paragraph break
        for ln in lines:
            if ln.kind != "foot":
                continue
            if ln.starts_with_sup() or ln.text.startswith("*") or not pending_notes:
                pending_notes.append([ln])
            else:
                pending_notes[-1].append(ln)
        page_base += len(text) + 1
    flush_notes()
    return out, "\f".join(p[0] for p in pages)


# --------------------------------------------------------------------------- entry points

def read_document(path, limits: Limits = Limits(), data: bytes | None = None) -> SourceText:
    """Read one file into a SourceText; raises IngestError with an actionable reason. ``data``: the
    file's bytes when the caller has already read them with read_bytes."""
    if data is None:
        return _read(path, limits)[0]
    return _parse(path, data, limits)[0]


def _read(path, limits: Limits = Limits()) -> tuple[SourceText, str]:
    """read_document, also returning the source text the segments point into."""
    return _parse(path, read_bytes(path, limits), limits)


def read_bytes(path, limits: Limits = Limits()) -> bytes:
    """The raw bytes of a document file, after the checks every reader makes (a regular file of a
    supported type, within the size limit, not empty). Hashing these decides whether a cached
    extraction can be used without parsing the file again."""
    p = Path(path)
    spath = str(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        if p.is_symlink():
            raise IngestError(spath, "broken symbolic link") from None
        raise IngestError(spath, "no such file or directory") from None
    except PermissionError:
        raise IngestError(spath, "permission denied") from None
    except OSError as e:
        raise IngestError(spath, f"cannot access: {e.strerror or e}") from None
    if p.is_dir():
        raise IngestError(spath, "is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise IngestError(spath, "not a regular file (device, socket or pipe)")
    suffix = p.suffix.lower()
    if suffix not in MEDIA_TYPES:
        raise IngestError(spath, f"unsupported file type {suffix or '(no suffix)'}; "
                                 f"supported: {', '.join(SUPPORTED_SUFFIXES)}")
    if st.st_size > limits.max_bytes:
        raise IngestError(spath, f"file is {_human(st.st_size)}, above the {_human(limits.max_bytes)} "
                                 f"limit (raise --max-bytes)")
    try:
        with open(p, "rb") as f:
            data = f.read(limits.max_bytes + 1)
    except PermissionError:
        raise IngestError(spath, "permission denied") from None
    except IsADirectoryError:
        raise IngestError(spath, "is a directory") from None
    except OSError as e:
        raise IngestError(spath, f"cannot read: {e.strerror or e}") from None
    if len(data) > limits.max_bytes:
        raise IngestError(spath, f"file is above the {_human(limits.max_bytes)} limit (raise --max-bytes)")
    if not data:
        raise IngestError(spath, "empty file")
    return data


def _parse(path, data: bytes, limits: Limits) -> tuple[SourceText, str]:
    p = Path(path)
    spath = str(path)
    suffix = p.suffix.lower()
    digest = hashlib.sha256(data).hexdigest()
    if suffix in (".txt", ".md"):
        src = _decode_text(data, spath)
        out = _markdown_to_out(src)
        what = "no text (the file holds only whitespace/control characters)"
    elif suffix in (".html", ".htm"):
        src = _decode_text(data, spath, html_meta=True)
        out = _html_to_out(src)
        what = "no text in the HTML body"
    elif suffix == ".docx":
        out, src = _docx_to_out(data, spath, limits)
        what = "no text in the document"
    else:
        out, src = _pdf_to_out(spath, data, limits)
        what = "no text layer (scanned PDF?); OCR it first"
    text, segments = _finalize(out)
    if not text:
        raise IngestError(spath, what)
    return SourceText(path=spath, source=p.name, media_type=MEDIA_TYPES[suffix], sha256=digest,
                      text=text, segments=segments, source_text_length=len(src)), src


_SKIP_NAMES = {"readme.md", "readme.txt"}


def find_documents(paths) -> list[Path]:
    """Expand paths to document files, sorted by path.

    Directories are searched recursively for supported suffixes, skipping README.md /
    README.txt, hidden files and directories, and Word lock files (~$x.docx).  A file
    named explicitly is returned whatever its suffix (read_document then reports an
    unsupported type).  A path that does not exist, or a broken link, raises IngestError.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    found: set[Path] = set()
    for given in paths:
        p = Path(given)
        if not p.exists():
            if p.is_symlink():
                raise IngestError(str(given), "broken symbolic link")
            raise IngestError(str(given), "no such file or directory")
        if p.is_dir():
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in files:
                    low = name.lower()
                    if name.startswith(".") or name.startswith("~$") or low in _SKIP_NAMES:
                        continue
                    if os.path.splitext(low)[1] not in SUPPORTED_SUFFIXES:
                        continue
                    f = Path(root) / name
                    if f.is_file() or (f.is_symlink() and not f.exists()):
                        found.add(f)          # a broken link is kept, so that read_document reports it
        else:
            found.add(p)
    return sorted(found)
