"""Tests for kg.ingest on real UN documents (fixtures in tests/fixtures/ingest/)."""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kg import ingest
from kg.ingest import IngestError, Limits, SourceText, find_documents, read_document
from test_hostile import flate_bomb_pdf, pdf as make_pdf   # PDFs crafted in the test, no committed binaries

HERE = Path(__file__).parent
FIX = HERE / "fixtures" / "ingest"
REPO = HERE.parent
CORPUS_002 = REPO / "corpus" / "002_7ba849221ed25377.txt"
CORPUS_001 = REPO / "corpus" / "001_b1dfee940f1dd054.txt"
CORPUS_000 = REPO / "corpus" / "000_69eed672c96147f9.txt"

PDF_729 = FIX / "A_79_729.pdf"            # joint symbol A/79/729-S/2025/40, 3 pages, 1 footnote
PDF_260 = FIX / "S_2025_260.pdf"          # S/2025/260, 3 pages, 2 footnotes citing symbols
PDF_EMRIP = FIX / "A_HRC_EMRIP_2025_1.pdf"  # Geneva layout: masthead at the end of the stream
DOCX = FIX / "letter_2023.docx"
HTML = FIX / "letter_2021.html"
PDFS = [PDF_729, PDF_260, PDF_EMRIP]

SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"


@pytest.fixture(scope="module")
def docs() -> dict[str, tuple[SourceText, str]]:
    """Each fixture read once: (SourceText, source text)."""
    return {p.name: ingest._read(p) for p in PDFS + [DOCX, HTML, CORPUS_002, CORPUS_001]}


# --------------------------------------------------------------------------- offset map

def _same(t: str, s: str, media_type: str) -> bool:
    """A text character copied from source character s, possibly normalised one-for-one."""
    if t == s:
        return True
    if t == " " and (s.isspace() or s in "\u00a0\u202f"):
        return True
    if t == "\n" and s in "\r\f\u2028\u2029\x85":
        return True
    if t == "-" and s == "\ufffe":            # pdfium's line-end hyphen
        return True
    if t in SUP and s == str(SUP.index(t)):   # a digit set as a footnote mark
        return True
    if s in SUP and t == str(SUP.index(s)):   # km² -> km2
        return True
    if media_type == "text/html" and s == "&":   # a character reference
        return True
    return False


def assert_offset_map(doc: SourceText, source: str):
    assert doc.source_text_length == len(source)
    text = doc.text
    covered = bytearray(len(text))
    prev_end = 0
    for t0, s0, n in doc.segments:
        assert n > 0 and t0 >= prev_end and 0 <= s0 and s0 + n <= len(source)
        prev_end = t0 + n
        covered[t0:t0 + n] = b"\x01" * n
        for k in range(n):
            i = t0 + k
            assert doc.to_source(i) == s0 + k
            assert _same(text[i], source[s0 + k], doc.media_type), (i, text[i], source[s0 + k])
    # the property in the brief: every character copied unchanged maps back to itself
    for i, c in enumerate(text):
        j = doc.to_source(i)
        assert 0 <= j <= len(source)
        if covered[i]:
            assert source[j] == c or _same(c, source[j], doc.media_type)
        else:
            # inserted characters: breaks, the space after a footnote number, docx footnote numbers
            assert c in "\n " or c in SUP, (i, c)
    assert doc.to_source(len(text)) <= len(source)
    with pytest.raises(ValueError):
        doc.to_source(len(text) + 1)


@pytest.mark.parametrize("name", [p.name for p in PDFS] + [DOCX.name, HTML.name, CORPUS_002.name,
                                                            CORPUS_001.name])
def test_offset_map(docs, name):
    doc, source = docs[name]
    assert_offset_map(doc, source)


def test_pdf_source_text_is_pdfium_text_joined_by_formfeed(docs):
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(PDF_260))
    try:
        expected = "\f".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    doc, source = docs[PDF_260.name]
    assert source == expected
    # a word of the body maps back to the same characters of the source
    i = doc.text.index("Panel of Experts on the Sudan")
    j = doc.to_source(i)
    assert source[j:j + len("Panel of Experts on the Sudan")] == "Panel of Experts on the Sudan"


def test_to_source_for_inserted_characters(docs):
    doc, source = docs[PDF_260.name]
    # the paragraph break after the masthead line was inserted: it maps next to the copied text
    i = doc.text.index("\n\n")
    assert doc.text[:i] == "United Nations S/2025/260"
    t0, s0, n = doc.segments[0]
    assert (t0, s0, n) == (0, 0, i)                       # copied run ...
    assert doc.to_source(i) == doc.to_source(i + 1) == i  # ... then two inserted characters
    assert source[i:i + 2] == "\r\n"


def test_metadata_fields(docs):
    doc, _ = docs[PDF_729.name]
    assert doc.path == str(PDF_729)
    assert doc.source == "A_79_729.pdf"
    assert doc.media_type == "application/pdf"
    assert doc.sha256 == hashlib.sha256(PDF_729.read_bytes()).hexdigest()
    assert docs[DOCX.name][0].media_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert docs[HTML.name][0].media_type == "text/html"
    assert docs[CORPUS_002.name][0].media_type == "text/plain"


# --------------------------------------------------------------------------- PDF

def _lines(text: str) -> list[str]:
    return [ln for ln in text.split("\n")]


def test_pdf_masthead_survives(docs):
    text = docs[PDF_729.name][0].text
    head = _lines(text)[:12]
    assert "United Nations A/79/729-S/2025/40" in head
    assert "Distr.: General" in head
    assert "17 January 2025" in head
    assert "Original: English" in head
    assert "25-00746 (E) 230125" in head          # the job number, kept once as metadata
    assert text.count("25-00746") == 1
    assert "*2500746*" not in text                 # bar code dropped

    text = docs[PDF_260.name][0].text
    head = _lines(text)[:10]
    assert "United Nations S/2025/260" in head
    assert "29 April 2025" in head
    assert text.count("25-06744") == 1


def test_pdf_geneva_masthead_moved_to_front(docs):
    text = docs[PDF_EMRIP.name][0].text
    head = _lines(text)[:10]
    assert head[0] == "United Nations A/HRC/EMRIP/2025/1"
    assert "14 April 2025" in head
    assert "GE.25-05965 (E)" in head


@pytest.mark.parametrize("pdf,symbols,job", [
    (PDF_729, ["A/79/729", "S/2025/40"], "25-00746"),
    (PDF_260, ["S/2025/260"], "25-06744"),
    (PDF_EMRIP, ["A/HRC/EMRIP/2025/1"], "GE.25-05965"),
])
def test_pdf_running_headers_and_counters_removed(docs, pdf, symbols, job):
    text = docs[pdf.name][0].text
    lines = [ln.strip() for ln in _lines(text)]
    for sym in symbols:
        assert sym not in lines, f"running header {sym} left in the text"
    for ln in lines:
        assert not re.fullmatch(r"(\d+/\d+ )?(GE\.)?\d\d-\d{5}( \d+/\d+)?|\d+ GE\.\d\d-\d{5}|"
                                r"GE\.\d\d-\d{5} \d+|\d{1,3}|\d+/\d+|\*\d{7}\*|_+", ln), ln
    # pages 2+ really were read: their text is there, without furniture in between
    if pdf is PDF_260:
        assert ("The United Arab Emirates urges\nthe Security Council to take all necessary "
                "measures") in text


def test_pdf_footnotes_are_superscript_markers_and_paragraphs(docs):
    text = docs[PDF_260.name][0].text
    assert "attempted to discredit the final report of the Panel of Experts.¹" in text
    assert "since the outbreak of the civil war in April 2023.²" in text
    paras = text.split("\n\n")
    fn2 = [p for p in paras if p.startswith("² ")]
    assert len(fn2) == 1
    assert fn2[0].startswith("² Letters dated 20 March 2024 (S/2024/252), 21 April 2024 (S/2024/326)")
    assert "(A/79/604-S/2024/809)" in fn2[0]
    assert any(p.startswith("¹ 9878th meeting of the Security Council") for p in paras)
    # the page's footnotes come after the paragraph that runs on to the next page
    i_fn = text.index("¹ 9878th")
    assert text.index("occur in the future.") < i_fn

    text = docs[PDF_729.name][0].text
    assert "(The full text of the speech is attached)¹" in text
    assert "\n\n¹ The text of the speech with an unofficial translation is available at the " \
           "Secretariat." in text

    text = docs[PDF_EMRIP.name][0].text
    paras = text.split("\n\n")
    assert "¹ A/520/Rev.17." in paras
    assert "³ A/HRC/EMRIP/2025/2." in paras


def test_pdf_ordinary_numbers_are_not_markers(docs):
    for pdf in PDFS:
        text = docs[pdf.name][0].text
        marks = re.findall(rf"(?<=[^\s{SUP}])[{SUP}]+", text)
        defs = re.findall(rf"(?m)^[{SUP}]+(?= )", text)
        assert sorted(marks) == sorted(defs), pdf.name      # every mark has its footnote
    text = docs[PDF_260.name][0].text
    assert "resolution 1591 (2005)" in text
    assert "dated 17 April 2025 (S/2025/239)" in text
    assert "dispatched 162 relief flights, delivering more than 12,000 tons" in text
    assert "$3.5 billion" in text


def test_pdf_spurious_spaces_and_line_end_hyphens(docs):
    text = docs[PDF_260.name][0].text
    assert "civilian-led" in text and "civilian -led" not in text   # pdfium-generated space
    assert "good-\nfaith negotiations" in text                       # real hyphen, not joined
    assert "\ufffe" not in text and "\f" not in text and "\r" not in text


def test_pdf_paragraphs_and_lines(docs):
    text = docs[PDF_260.name][0].text
    assert "\n\n\n" not in text
    assert not re.search(r" \n|\n | {2}", text)
    assert "(a) Publicizing confidential reporting to the Security Council Committee\n" \
           "established pursuant to resolution 1591 (2005)" in text


def test_pdf_errors(tmp_path):
    data = PDF_260.read_bytes()
    trunc = tmp_path / "truncated.pdf"
    trunc.write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError, match="not a PDF or damaged"):
        read_document(trunc)
    fake = tmp_path / "fake.pdf"
    fake.write_text("<html>this is not a pdf</html>")
    with pytest.raises(IngestError, match="not a PDF or damaged"):
        read_document(fake)
    with pytest.raises(IngestError, match=r"above the 2-page limit \(raise --max-pages\)"):
        read_document(PDF_729, Limits(max_pages=2))


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for b in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _encrypted_pdf(user_password: bytes = b"secret") -> bytes:
    """A one-page PDF under the standard security handler (RC4, R2) with a user password."""
    pad = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
    padded = lambda pw: (pw + pad)[:32]  # noqa: E731
    owner = _rc4(hashlib.md5(padded(b"owner")).digest()[:5], padded(user_password))
    file_id = b"0123456789abcdef"
    key = hashlib.md5(padded(user_password) + owner + struct.pack("<i", -4) + file_id).digest()[:5]
    user = _rc4(key, pad)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + owner.hex().encode() + b"> /U <"
        + user.hex().encode() + b"> /P -4 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objs) + 1, file_id.hex().encode(), file_id.hex().encode(), xref))
    return bytes(out)


def test_pdf_encrypted(tmp_path):
    f = tmp_path / "locked.pdf"
    f.write_bytes(_encrypted_pdf())
    with pytest.raises(IngestError, match=r"encrypted PDF \(password required\)"):
        read_document(f)


def test_pdf_without_text_layer(tmp_path):
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(300, 400)
    buf = io.BytesIO()
    pdf.save(buf)
    pdf.close()
    f = tmp_path / "scan.pdf"
    f.write_bytes(buf.getvalue())
    with pytest.raises(IngestError, match=r"no text layer \(scanned PDF\?\)"):
        read_document(f)


# --------------------------------------------------------------- PDF decompression-bomb guard
# kg.ingest._pdf_inflated_size counts what a PDF's Flate streams inflate to before pdfium sees the file.
# It once looped forever on a real PDF (A/80/82) on a stream zlib could make no progress with; these
# tests run it in a child process with a time limit, so a regression fails instead of hanging the suite.

HELLO = b"BT /F1 12 Tf 72 712 Td (Hello bomb) Tj ET\n"     # flate_bomb_pdf's content, before the padding

_GUARD_CHILD = r'''
import sys, types, zlib
from kg import ingest

path, limit, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if mode == "stall":
    class Stalled:
        # A decompressor that inflates the first piece it is given, then makes no progress at all: it
        # returns nothing and consumes nothing, with input left over and no end of stream in sight.
        def __init__(self):
            self.real, self.calls, self.eof, self.unconsumed_tail = zlib.decompressobj(), 0, False, b""

        def decompress(self, data, max_length=0):
            self.calls += 1
            if self.calls == 1:
                out = self.real.decompress(data, max_length)
                self.unconsumed_tail = self.real.unconsumed_tail or bytes(data[-1:])
                return out
            self.unconsumed_tail = bytes(data) or self.unconsumed_tail
            return b""

    ingest.zlib = types.SimpleNamespace(decompressobj=Stalled, error=zlib.error)
if mode == "read":
    try:
        ingest.read_document(path, ingest.Limits(max_uncompressed_bytes=limit))
        print("READ")
    except ingest.IngestError as e:
        print("REFUSED", e)
else:
    print(ingest._pdf_inflated_size(open(path, "rb").read(), limit))
'''


def _guard_in_child(path: Path, limit: int = Limits().max_uncompressed_bytes, mode: str = "size",
                    seconds: float = 60) -> str:
    """Run the guard (mode "size", or "stall" with a decompressor that makes no progress) or
    read_document (mode "read") on `path` in a child process; fail, not hang, when it does not return
    within `seconds`."""
    try:
        r = subprocess.run([sys.executable, "-c", _GUARD_CHILD, str(path), str(limit), mode],
                           capture_output=True, text=True, timeout=seconds, cwd=REPO)
    except subprocess.TimeoutExpired:
        pytest.fail(f"no answer within {seconds:g} s on {path.name} ({mode}): the PDF inflation guard "
                    f"loops on a stream zlib cannot go on with")
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def _stream_start(data: bytes) -> int:
    return data.index(b"stream\n") + len(b"stream\n")


def _stalling_pdfs() -> dict[str, bytes]:
    """PDFs whose Flate stream zlib cannot finish: no error, no end of stream, nothing more to inflate."""
    small, bomb = flate_bomb_pdf(0), flate_bomb_pdf(20)
    i, j = _stream_start(small), _stream_start(bomb)
    rest = b"\nendstream\nendobj\n%%EOF\n"
    return {
        # the file ends inside the stream: zlib has taken all the input and wants more
        "truncated-at-end-of-file": small[: i + 10],
        "only-the-zlib-header": small[: i + 2],
        # a bomb cut short after some 1 MB pieces (the unconsumed-tail path), at the end of the file
        "truncated-bomb-at-end-of-file": bomb[: j + 4000],
        # cut short in the middle of the file, the rest of the PDF after it
        "truncated-bomb-then-endstream": bomb[: j + 4000] + rest,
        # a stream that is not Flate at all
        "garbage": small[:i] + bytes(range(256)) * 64 + rest,
        "zlib-header-then-garbage": small[:i] + b"\x78\x9c" + b"\xff" * 5000 + rest,
    }


@pytest.mark.parametrize("name", list(_stalling_pdfs()))
def test_pdf_guard_returns_promptly_on_a_stream_zlib_cannot_finish(tmp_path, name):
    f = tmp_path / f"{name}.pdf"
    f.write_bytes(_stalling_pdfs()[name])
    total = int(_guard_in_child(f, seconds=30))
    assert 0 <= total <= 20 * 1_000_000 + len(HELLO)
    if name.startswith("truncated-bomb"):
        assert total > 1_000_000            # it did count what inflates before the cut
    # and read_document as a whole: refused with the file's name and a reason, or read, never stuck
    out = _guard_in_child(f, mode="read", seconds=60)
    assert out == "READ" or out.startswith(f"REFUSED {f}: "), out


def test_pdf_guard_stops_when_zlib_makes_no_progress(tmp_path):
    """A decompressor that returns nothing and consumes nothing, with input left: the guard goes on to
    the rest of the file and returns, instead of asking zlib again forever."""
    for name, data in {"small": flate_bomb_pdf(0), "bomb": flate_bomb_pdf(20)}.items():
        f = tmp_path / f"{name}.pdf"
        f.write_bytes(data)
        total = int(_guard_in_child(f, mode="stall", seconds=30))
        assert 0 < total <= len(HELLO) + 20 * 1_000_000, name


def test_pdf_decompression_bomb_is_refused_naming_the_file(tmp_path):
    bomb = tmp_path / "bomb.pdf"
    data = flate_bomb_pdf(30)                     # 30 MB of spaces in some 30 kB
    bomb.write_bytes(data)
    assert len(data) < 100_000
    limit = 10_000_000
    with pytest.raises(IngestError) as e:
        read_document(bomb, Limits(max_uncompressed_bytes=limit))
    assert e.value.path == str(bomb)
    assert str(e.value) == f"{bomb}: {e.value.reason}"
    assert "decompression-bomb guard" in e.value.reason and "10" in e.value.reason, e.value.reason
    # the guard gives up as soon as the limit is passed (1 MB pieces), it does not inflate it all
    assert limit < ingest._pdf_inflated_size(data, limit) <= limit + (1 << 20)
    assert ingest._pdf_inflated_size(data, 10 ** 9) == 30 * 1_000_000 + len(HELLO)


def test_pdf_small_compressed_pdf_passes_the_guard(tmp_path):
    data = flate_bomb_pdf(0)                      # one Flate content stream: the text "Hello bomb"
    assert b"/FlateDecode" in data
    assert ingest._pdf_inflated_size(data, Limits().max_uncompressed_bytes) == len(HELLO)
    f = tmp_path / "small.pdf"
    f.write_bytes(data)
    assert read_document(f).text == "Hello bomb"
    assert read_document(f, Limits(max_uncompressed_bytes=len(HELLO))).text == "Hello bomb"   # at the limit
    with pytest.raises(IngestError, match="decompression-bomb guard"):                       # one byte above
        read_document(f, Limits(max_uncompressed_bytes=len(HELLO) - 1))


def test_pdf_guard_counts_every_stream(tmp_path):
    """Two Flate streams (the page content and an object nothing uses): the sizes add up, the PDF reads."""
    content, extra = zlib.compress(HELLO), zlib.compress(b"x" * 5000)
    data = make_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                     b"/Resources << /Font << /F1 5 0 R >> >> >>",
                     b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
                     b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
                     b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(extra) + extra + b"\nendstream"])
    assert ingest._pdf_inflated_size(data, 10 ** 9) == len(HELLO) + 5000
    f = tmp_path / "two-streams.pdf"
    f.write_bytes(data)
    assert read_document(f).text == "Hello bomb"


# --------------------------------------------------------------------------- text / markdown

def test_markdown_links_unwrapped_on_corpus_letter(docs):
    text = docs[CORPUS_002.name][0].text
    assert "[" not in text and "](#)" not in text and "<http" not in text
    assert "\n\n¹ A/77/686-S/2023/22.\n\n" in text
    assert "² A/77/597-S/2022/835 and A/77/611-S/2022/885." in text
    assert "https://tass.com/world/1302267." in text                    # <url> -> url
    assert "A/77/597-S/2022/835, p. 4." in text                          # [label](url) -> label
    # emphasis dropped, underscores inside a bare URL kept
    assert "See Landmine Monitor Report 2009: Toward a Mine-Free World" in text
    assert "Landmines_Report_2009.pdf" in text
    assert "**" not in text
    assert "dated 5 January 2023,¹ which" in text
    assert text.startswith("General Assembly Security Council\n\nDistr.: General\n9 February 2023")


def test_markdown_emphasis_keeps_asterisk_footnote_marks(docs):
    text = docs[CORPUS_001.name][0].text
    # "**Information ... report***": bold removed, the asterisk footnote mark kept
    assert "Information received from Azerbaijan on\nfollow-up to the concluding observations\n" \
           "on its fifth periodic report*\n" in text
    assert "\n* The present document is being issued without formal editing." in text


def test_markdown_headings_and_redactions():
    doc = read_document(CORPUS_000)
    assert "\nInformation of the Prosecutor General's Office of the Republic of Azerbaijan\n" in doc.text
    assert "#" not in doc.text
    assert "(██████████ and ██████████)" in doc.text
    # "Permanent Mission  \n" (markdown hard breaks): no trailing spaces
    assert doc.text.startswith("Permanent Mission\nof the Republic of Azerbaijan\n")


def test_text_normalisation(tmp_path):
    f = tmp_path / "n.txt"
    f.write_bytes("A\u00a0B  C\u200b D\t E \r\nsee A/79/\n710 and A/79/716-\nS/2025/18\r\n\r\n\r\n\f"
                  "¹ A/79/710.\x07\nword ¹ next\n".encode("utf-8"))
    doc, src = ingest._read(f)
    assert doc.text == ("A B C D E\nsee A/79/710 and A/79/716-S/2025/18\n\n¹ A/79/710.\nword¹ next")
    assert_offset_map(doc, src)


def test_text_page_furniture_of_converted_pdf():
    doc = read_document(REPO / "corpus" / "004_ffed4b976815c69f.txt")
    assert "2/3 21-06319" not in doc.text
    assert doc.text.startswith("United Nations A/75/875-S/2021/433\n\nDistr.: General 14 May 2021")


def test_utf16_with_bom(tmp_path):
    s = "Lettre datée du 5 mai 2021 — A/75/875-S/2021/433¹\n\n¹ Chargé d’affaires a.i.\n"
    for enc, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        f = tmp_path / f"{enc}.txt"
        f.write_bytes(bom + s.encode(enc))
        doc, src = ingest._read(f)
        assert doc.text == s.strip()
        assert_offset_map(doc, src)
    f = tmp_path / "bom8.md"
    f.write_bytes(b"\xef\xbb\xbf" + s.encode("utf-8"))
    assert read_document(f).text == s.strip()


def test_cp1252_text(tmp_path):
    f = tmp_path / "cp.txt"
    f.write_bytes("Chargé d’affaires a.i. of the Permanent Mission – “quoted” ".encode("cp1252")
                  + b"\x81 end")
    doc, src = ingest._read(f)
    assert doc.text == "Chargé d’affaires a.i. of the Permanent Mission – “quoted” end"
    assert_offset_map(doc, src)


# --------------------------------------------------------------------------- docx / html

def test_docx(docs):
    doc, _ = docs[DOCX.name]
    text = doc.text
    assert text.startswith("General Assembly Security Council\n\nDistr.: General\n\n9 February 2023")
    assert "dated 5 January 2023,¹ which is nothing but" in text       # NBSP -> space, marker glued
    assert "displaced persons to their homes,² the author" in text
    assert "\n\nA/77/686-S/2023/22\n5 January 2023\n\n" in text          # table row
    assert "(Signed) Yashar Aliyev\nAmbassador" in text                  # tab, line break
    assert text.endswith("\n\n¹ A/77/686-S/2023/22.\n\n² A/77/597-S/2022/835 and A/77/611-S/2022/885.")


def test_docx_errors(tmp_path):
    with pytest.raises(IngestError, match=r"decompression-bomb guard"):
        read_document(DOCX, Limits(max_uncompressed_bytes=10_000))
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * 3_000_000)
    assert bomb.stat().st_size < 50_000
    with pytest.raises(IngestError, match=r"docx expands to 3\.0 MB, above the 1\.0 MB limit "
                                          r"\(decompression-bomb guard\)"):
        read_document(bomb, Limits(max_uncompressed_bytes=1_000_000))
    notzip = tmp_path / "plain.docx"
    notzip.write_text("just text")
    with pytest.raises(IngestError, match="not a Word .docx file or damaged"):
        read_document(notzip)
    other = tmp_path / "other.docx"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(IngestError, match="not a Word .docx file"):
        read_document(other)


def test_html(docs):
    doc, _ = docs[HTML.name]
    text = doc.text
    assert text.startswith("United Nations A/75/875–S/2021/433\n\nDistr.: General\n14 May 2021\n\n")
    assert "not text" not in text and "document.title" not in text and "font-size" not in text
    assert "converted from the PDF" not in text
    assert "located 3 km away" in text and "April 1993. Thus," in text
    assert "perpetrators and masterminds.¹\n\n" in text
    assert "\n\n¹ Photo evidence regarding the massacre is available at\n" not in text
    assert "\n\n¹ Photo evidence regarding the massacre is available at " \
           "https://azertag.az/en/xeber/1766151." in text
    assert "isolated case & adds" in text and "General Prosecutor’s Office’s view" in text
    assert "Date Event\n3 April 1993 Attack on the village\n" in text
    assert "(Signed) Jeyhun Bayramov" in text


def test_html_malformed(tmp_path):
    f = tmp_path / "bad.htm"
    f.write_bytes(b"<p>one &bogus; &lt; two<b>three <a href='x>y'>four</a>\n<p>five<script>lost"
                  b"<div attr=\"unclosed>six")
    doc, src = ingest._read(f)
    # an unclosed <script> is parsed on as text; an unclosed quote swallows the rest of the file
    assert doc.text == "one &bogus; < twothree four\n\nfivelost"
    assert_offset_map(doc, src)


# --------------------------------------------------------------------------- errors, finding

def test_errors(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(IngestError, match=r"empty file$"):
        read_document(empty)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01")
    with pytest.raises(IngestError, match=r"binary data \(NUL bytes\)"):
        read_document(binary)
    with pytest.raises(IngestError, match=r"is a directory$"):
        read_document(tmp_path)
    with pytest.raises(IngestError, match=r"no such file or directory$"):
        read_document(tmp_path / "missing.pdf")
    with pytest.raises(IngestError, match=r"file is 163\.3 kB, above the 100\.0 kB limit "
                                          r"\(raise --max-bytes\)"):
        read_document(PDF_260, Limits(max_bytes=100_000))
    blank = tmp_path / "blank.md"
    blank.write_text("  \n\n \t\n")
    with pytest.raises(IngestError, match="no text"):
        read_document(blank)
    odd = tmp_path / "table.xlsx"
    odd.write_bytes(b"PK")
    with pytest.raises(IngestError, match=r"unsupported file type \.xlsx"):
        read_document(odd)
    if hasattr(os, "symlink"):
        link = tmp_path / "gone.txt"
        os.symlink(tmp_path / "nowhere.txt", link)
        with pytest.raises(IngestError, match="broken symbolic link"):
            read_document(link)


def test_ingest_error_is_one_line_and_picklable(tmp_path):
    e = IngestError(tmp_path / "x.pdf", "not a PDF\nor damaged")
    assert str(e) == f"{tmp_path / 'x.pdf'}: not a PDF or damaged"
    assert e.path == str(tmp_path / "x.pdf") and e.reason == "not a PDF or damaged"
    e2 = pickle.loads(pickle.dumps(e))
    assert str(e2) == str(e) and e2.reason == e.reason


def test_find_documents(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.PDF").write_bytes(b"%PDF")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "README.md").write_text("readme")
    (tmp_path / "b" / "README.txt").write_text("readme")
    (tmp_path / "notes.xlsx").write_text("x")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.txt").write_text("x")
    (tmp_path / "~$lock.docx").write_text("x")
    (tmp_path / "c.htm").write_text("<p>x</p>")
    found = find_documents([tmp_path])
    assert found == [tmp_path / "a.txt", tmp_path / "b" / "z.PDF", tmp_path / "c.htm"]
    # an explicit file is kept whatever its suffix; duplicates collapse; sorted
    found = find_documents([tmp_path / "notes.xlsx", tmp_path, tmp_path / "a.txt"])
    assert found == sorted([tmp_path / "a.txt", tmp_path / "b" / "z.PDF", tmp_path / "c.htm",
                            tmp_path / "notes.xlsx"])
    with pytest.raises(IngestError, match=r"unsupported file type \.xlsx"):
        read_document(tmp_path / "notes.xlsx")
    with pytest.raises(IngestError, match="no such file or directory"):
        find_documents([tmp_path / "nope"])
    if hasattr(os, "symlink"):
        os.symlink(tmp_path / "nowhere", tmp_path / "dangling.txt")
        with pytest.raises(IngestError, match="broken symbolic link"):
            find_documents([tmp_path / "dangling.txt"])


def test_find_documents_on_fixtures():
    found = find_documents([FIX])
    names = [p.name for p in found]
    assert found == sorted(found)
    assert find_documents(str(FIX)) == found          # a single path is accepted too
    assert {"A_79_729.pdf", "S_2025_260.pdf", "A_HRC_EMRIP_2025_1.pdf", "letter_2023.docx",
            "letter_2021.html"} <= set(names)
    assert "make_docx.py" not in names


# --------------------------------------------------------------------------- property tests

_MD_ALPHABET = st.sampled_from(list("ab Z19 *_[]()<>#\\`\n\r\t\u00a0\u200b¹²█/-.:&") +
                               ["](#)", "<https://x.org/a_b>", "A/79/\n710", "**", "\f"])


def _roundtrip(data: bytes, suffix: str):
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / f"doc{suffix}"
        f.write_bytes(data)
        try:
            doc, src = ingest._read(f)
        except IngestError as e:
            assert str(e).startswith(str(f) + ": ") and "\n" not in str(e)
            return
        assert doc.text == doc.text.strip() and "\r" not in doc.text and "\f" not in doc.text
        assert "\n\n\n" not in doc.text and "  " not in doc.text
        assert_offset_map(doc, src)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_property_random_text(s):
    _roundtrip(s.encode("utf-8", "surrogatepass"), ".txt")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_MD_ALPHABET, max_size=80).map("".join))
def test_property_markdownish_text(s):
    _roundtrip(s.encode("utf-8"), ".md")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_property_random_bytes(b):
    _roundtrip(b, ".txt")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["<p>", "</p>", "<sup>", "</sup>", "<br/>", "<script>", "</script>",
                                 "&amp;", "&#8217;", "&nbsp;", "&bogus", "<", ">", "x", "1", " ",
                                 "\n", "<!--", "-->", "<a href='", "'>", "<td>", "é"]),
                max_size=40).map("".join))
def test_property_html(s):
    _roundtrip(s.encode("utf-8"), ".html")
