"""Hostile input, end to end: bad files in a batch, hostile text, pathological (slow) text, query
injection and SERVICE smuggling, HTML escaping of the views, and the supply chain.

Through `kg build` as a user runs it (a subprocess), a batch of bad files beside real documents:
the real ones are built, every bad one is reported on stderr on one line with its name and a reason,
and the exit code is 1. tests/test_ingest.py checks the same files at the read_document level.
"""
from __future__ import annotations

import hashlib
import html.parser
import importlib.util
import json
import os
import re
import select
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import CORPUS, FIXTURES, ROOT
from kg import namespaces as ns

FIX = FIXTURES / "ingest"
REAL_EXTRA = [FIX / "S_2025_260.pdf", FIX / "letter_2021.html", FIX / "letter_2023.docx"]


def run_kg(*args, timeout=300, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, **kw)


# ===================================================================================== bad files

def _rc4(key: bytes, data: bytes) -> bytes:
    s, j = list(range(256)), 0
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


def pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref)
    return bytes(out)


def encrypted_pdf() -> bytes:
    """A one-page PDF under the standard security handler (RC4, R2) with a user password."""
    pad = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
    padded = lambda pw: (pw + pad)[:32]  # noqa: E731
    owner = _rc4(hashlib.md5(padded(b"owner")).digest()[:5], padded(b"secret"))
    file_id = b"0123456789abcdef"
    key = hashlib.md5(padded(b"secret") + owner + struct.pack("<i", -4) + file_id).digest()[:5]
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
            b"<< /Filter /Standard /V 1 /R 2 /O <" + owner.hex().encode() + b"> /U <"
            + _rc4(key, pad).hex().encode() + b"> /P -4 >>"]
    return pdf(objs, b"/Encrypt 4 0 R /ID [<%s> <%s>] " % (file_id.hex().encode(), file_id.hex().encode()))


def flate_bomb_pdf(expanded_mb: int) -> bytes:
    """A valid one-page PDF whose content stream inflates to `expanded_mb` MB (of spaces)."""
    z = zlib.compressobj(9)
    block = b" " * 1_000_000
    comp = z.compress(b"BT /F1 12 Tf 72 712 Td (Hello bomb) Tj ET\n")
    for _ in range(expanded_mb):
        comp += z.compress(block)
    comp += z.flush()
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>",
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(comp) + comp + b"\nendstream",
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


def scanned_pdf() -> bytes:
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"])


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/'
                 'word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
                 'document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def docx(path: Path, document_xml: str | bytes) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", document_xml)


def docx_body(inner: str, doctype: str = "") -> str:
    return f'<?xml version="1.0"?>{doctype}<w:document {W_NS}><w:body>{inner}</w:body></w:document>'


BILLION_LAUGHS = ('<!DOCTYPE d [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10))
                  + "]>")


def lying_zip_docx(path: Path) -> None:
    """A docx whose zip directory claims a 1 kB document.xml that really inflates to 100 MB."""
    docx(path, b"<" + b" " * 100_000_000)
    data = bytearray(path.read_bytes())
    # patch the uncompressed size of word/document.xml in the local header and the central directory
    name = b"word/document.xml"
    for sig, size_off, name_off in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        i = 0
        while (i := data.find(sig, i)) >= 0:
            if data[i + name_off:i + name_off + len(name)] == name:
                data[i + size_off:i + size_off + 4] = struct.pack("<I", 1000)
            i += 4
    path.write_bytes(bytes(data))


SECRET = "KG-TOP-SECRET-0xC0FFEE"


def make_batch(root: Path) -> dict:
    """A folder of real documents and bad files, and paths to name explicitly.

    Returns {"folder", "explicit", "real" (source names that must be built), "bad" (path -> reason regex)}.
    """
    folder = root / "batch"
    folder.mkdir(parents=True)
    real = []
    for p in sorted(CORPUS.glob("*.txt")) + REAL_EXTRA:
        shutil.copyfile(p, folder / p.name)
        real.append(p.name)
    bad: dict[Path, str] = {}
    secret = root / "secret.txt"
    secret.write_text(SECRET)

    def put(name: str, data: bytes, reason: str | None):
        (folder / name).write_bytes(data)
        if reason is None:
            real.append(name)
        else:
            bad[folder / name] = reason

    letter = (CORPUS / "004_ffed4b976815c69f.txt").read_text(encoding="utf-8")
    put("empty.txt", b"", r"empty file")
    put("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", r"binary data")
    put("blank.md", b"  \n\n\t \r\n", r"no text")
    pdf_bytes = (FIX / "S_2025_260.pdf").read_bytes()
    put("truncated.pdf", pdf_bytes[: len(pdf_bytes) // 2], r"not a PDF or damaged")
    put("not-a-pdf.pdf", b"<html>this is not a PDF</html>", r"not a PDF or damaged")
    put("encrypted.pdf", encrypted_pdf(), r"encrypted PDF \(password required\)")
    put("scanned.pdf", scanned_pdf(), r"no text layer")
    # a docx bomb: 250 MB of zeros in 250 kB, above the 200 MB default guard
    with zipfile.ZipFile(folder / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            block = b"\0" * 1_000_000
            for _ in range(250):
                f.write(block)
    bad[folder / "bomb.docx"] = r"decompression-bomb guard"
    lying_zip_docx(folder / "lying-zip.docx")
    bad[folder / "lying-zip.docx"] = r"not a Word \.docx file or damaged"
    docx(folder / "laughs.docx", docx_body("<w:p><w:r><w:t>Hello &lol9; world</w:t></w:r></w:p>", BILLION_LAUGHS))
    bad[folder / "laughs.docx"] = r"not a Word \.docx file or damaged|entity"
    docx(folder / "xxe.docx", docx_body(
        "<w:p><w:r><w:t>Leaked: &xxe; (nothing should follow)</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>Letter dated 1 March 2025 from the Permanent Representative of Armenia</w:t></w:r></w:p>",
        f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'))
    real.append("xxe.docx")
    with zipfile.ZipFile(folder / "not-word.docx", "w") as z:
        z.writestr("hello.txt", "hi")
    bad[folder / "not-word.docx"] = r"not a Word \.docx file"
    put("laughs.html", (f"<!DOCTYPE html {BILLION_LAUGHS[len('<!DOCTYPE d '):]}"
                        f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
                        "<html><body><p>Hello &lol9; &xxe; world, A/79/716.</p></body></html>").encode(), None)
    put("invalid-utf8.txt", letter.encode("ascii", "ignore") + b"\n\nCaf\xe9 \xc3\x28 \xff end.\n", None)
    put("utf16-bom.txt", b"\xff\xfe" + letter.encode("utf-16-le"), None)
    put("utf16-be-bom.txt", b"\xfe\xff" + letter.encode("utf-16-be"), None)
    put("utf16-no-bom.txt", letter.encode("utf-16-le"), None)
    put("utf8-bom.md", b"\xef\xbb\xbf" + letter.encode("utf-8"), None)
    put("utf16-broken.txt", b"\xff\xfe" + "Hello".encode("utf-16-le") + b"\x00\xd8" + "a".encode("utf-16-le"),
        r"not valid UTF-16")
    put("windows-1252.txt", ("Letter dated 1 March 2025 from the Permanent Representative of Côte d’Ivoire: "
                             "“quoted” – naïve café, 5 € and A/79/716.\n").encode("cp1252"), None)
    # 200 MB without writing 200 MB: a sparse file
    with open(folder / "huge.txt", "wb") as f:
        f.truncate(200_000_000)
    bad[folder / "huge.txt"] = r"file is 200 MB, above the 50 MB limit \(raise --max-bytes\)"
    # a file name with spaces, quotes and non-Latin letters: read like any other
    odd = "Письмо “quoted” 'single' \"double\" 信 رسالة (1).txt"
    shutil.copyfile(CORPUS / "003_5f0808684c00eb6a.txt", folder / odd)
    real.append(odd)
    # a sub-folder is searched
    (folder / "sub folder.pdf").mkdir()
    shutil.copyfile(FIX / "A_79_729.pdf", folder / "sub folder.pdf" / "A_79_729.pdf")
    real.append("A_79_729.pdf")
    # paths named on the command line
    other = root / "other"
    other.mkdir()
    shutil.copyfile(FIX / "A_HRC_EMRIP_2025_1.pdf", other / "A_HRC_EMRIP_2025_1.pdf")
    real.append("A_HRC_EMRIP_2025_1.pdf")
    explicit_bad = {root / "gone.txt": r"broken symbolic link", root / "missing.pdf": r"no such file or directory",
                    root / "table.xlsx": r"unsupported file type \.xlsx"}
    os.symlink(root / "nowhere.txt", root / "gone.txt")
    (root / "table.xlsx").write_bytes(b"PK\x03\x04")
    bad.update(explicit_bad)
    return {"folder": folder, "explicit": [other, *explicit_bad], "real": real, "bad": bad}


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    b = make_batch(root)
    out = root / "out"
    started = time.monotonic()
    r = run_kg("build", b["folder"], *b["explicit"], "--out", out, "-q")
    b.update(out=out, result=r, seconds=time.monotonic() - started)
    return b


def test_batch_builds_the_real_documents(batch_run):
    r, out = batch_run["result"], batch_run["out"]
    assert r.returncode == 1, r.stderr                    # some files failed
    manifest = json.loads((out / "build.json").read_text())
    built = sorted(g["source"] for g in manifest["graphs"].values())
    assert built == sorted(batch_run["real"])
    quads = list(ox.parse(path=str(out / "kg.trig"), format=ox.RdfFormat.TRIG))
    assert len(quads) > 50_000
    store = ox.Store.read_only(str(out / "store"))
    assert len(store) == len(set(quads))
    assert batch_run["seconds"] < 120


def test_batch_reports_each_bad_file_on_one_line(batch_run):
    r = batch_run["result"]
    lines = r.stderr.strip().splitlines()
    skipped = [ln for ln in lines if ln.startswith("kg: skipped ")]
    assert len(skipped) == len(batch_run["bad"]), r.stderr
    for path, reason in batch_run["bad"].items():
        mine = [ln for ln in skipped if ln.startswith(f"kg: skipped {path}: ")]
        assert len(mine) == 1, f"{path.name}: {r.stderr}"
        assert re.search(reason, mine[0][len(f"kg: skipped {path}: "):]), mine[0]
    assert re.search(rf"; {len(batch_run['bad'])} files skipped -> ", lines[-1])
    assert "Traceback" not in r.stderr


def test_batch_decodes_every_encoding_like_utf8(batch_run):
    """The same letter in UTF-16 (with and without BOM), UTF-16BE, UTF-8 with BOM and as .md gives the
    same facts as the UTF-8 original."""
    graphs = {g["source"]: g for g in json.loads((batch_run["out"] / "build.json").read_text())["graphs"].values()}
    n = graphs["004_ffed4b976815c69f.txt"]["quads"]
    for name in ("utf16-bom.txt", "utf16-be-bom.txt", "utf16-no-bom.txt", "utf8-bom.md"):
        assert graphs[name]["quads"] == n, name


def test_batch_entities_are_never_expanded_or_resolved(batch_run):
    trig = (batch_run["out"] / "kg.trig").read_text(encoding="utf-8")
    assert SECRET not in trig                          # XXE: no local file read
    assert "lollol" not in trig                         # no entity expansion
    store = ox.Store.read_only(str(batch_run["out"] / "store"))
    q = f'ASK {{ GRAPH ?g {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), "{SECRET}")) }} }}'
    assert not store.query(q)


def test_windows_1252_and_invalid_utf8_are_read_with_the_right_characters(batch_run):
    from kg.ingest import read_document
    text = read_document(batch_run["folder"] / "windows-1252.txt").text
    assert "Côte d’Ivoire: “quoted” – naïve café, 5 €" in text
    text = read_document(batch_run["folder"] / "invalid-utf8.txt").text
    assert text.endswith("Café Ã( ÿ end.")


def test_huge_file_is_refused_at_once_and_the_limit_is_the_users(tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as f:
        f.truncate(200_000_000)
    started = time.monotonic()
    r = run_kg("build", big, "--out", tmp_path / "out", "-q")
    assert time.monotonic() - started < 30
    assert r.returncode == 1 and f"kg: skipped {big}: file is 200 MB, above the 50 MB limit (raise --max-bytes)" in r.stderr
    # the limit is the user's: a small one refuses a normal letter, a large one reads the big file
    letter = tmp_path / "letter.txt"
    shutil.copyfile(CORPUS / "001_b1dfee940f1dd054.txt", letter)
    r = run_kg("build", letter, "--out", tmp_path / "out2", "-q", "--max-bytes", "20000")
    assert r.returncode == 1 and "above the 20.0 kB limit (raise --max-bytes)" in r.stderr
    r = run_kg("build", letter, "--out", tmp_path / "out3", "-q", "--max-bytes", "40000")
    assert r.returncode == 0, r.stderr


def test_time_limit_per_file_is_the_users(tmp_path):
    """`--max-seconds`: a file that takes longer to read and extract is reported (and the process that
    read it is gone), the others are built; `--max-pages` refuses long PDFs."""
    slow = tmp_path / "slow.md"
    # ~9 s of extraction here (2026-12-05): well past the limit even on a faster machine. 40,000 repeats
    # (7 s once) fell to 1.8 s as extraction got faster, and the test then failed for want of a slow file.
    slow.write_text("Armenia and Azerbaijan. " * 200_000, encoding="utf-8")
    letter = tmp_path / "letter.txt"
    shutil.copyfile(CORPUS / "000_69eed672c96147f9.txt", letter)
    started = time.monotonic()
    r = run_kg("build", slow, letter, "--out", tmp_path / "out", "-q", "--max-seconds", "2")
    assert time.monotonic() - started < 60
    assert r.returncode == 1, r.stderr
    assert f"kg: skipped {slow}: took longer than 2 s to read (raise --max-seconds)" in r.stderr
    graphs = json.loads((tmp_path / "out" / "build.json").read_text())["graphs"]
    assert [g["source"] for g in graphs.values()] == ["letter.txt"]
    pdf_file = tmp_path / "three-pages.pdf"
    shutil.copyfile(FIX / "A_79_729.pdf", pdf_file)
    r = run_kg("build", pdf_file, "--out", tmp_path / "out2", "-q", "--max-pages", "2")
    assert r.returncode == 1 and "above the 2-page limit (raise --max-pages)" in r.stderr


def test_pdf_decompression_bomb_is_refused(tmp_path):
    """A 1 MB PDF whose content stream inflates to 1 GB: refused by the decompression guard, quickly and
    without the gigabytes (pdfium itself would hold ~3 GB to read it)."""
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(flate_bomb_pdf(1000))
    assert bomb.stat().st_size < 2_000_000
    code = ("import resource, sys\n"
            "from kg.ingest import read_document, IngestError\n"
            "try:\n    read_document(sys.argv[1]); print('READ')\n"
            "except IngestError as e:\n    print('REFUSED', e)\n"
            "print('MAXRSS_MB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n")
    started = time.monotonic()
    r = subprocess.run([sys.executable, "-c", code, str(bomb)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - started < 30
    assert "REFUSED" in r.stdout and "decompression-bomb guard" in r.stdout, r.stdout
    # pdfium would inflate the bomb to ~3 GB; the guard refuses it before (the process itself, with spaCy
    # and the vocabularies loaded, takes some 800 MB on its own).
    assert int(r.stdout.rsplit("MAXRSS_MB", 1)[1]) < 1500, r.stdout


def test_a_named_pipe_does_not_hang_the_build(tmp_path):
    """A FIFO (or a device) named like a document would block read() forever: refused as not a regular file."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    letter = tmp_path / "letter.txt"
    shutil.copyfile(CORPUS / "000_69eed672c96147f9.txt", letter)
    try:
        r = run_kg("build", fifo, letter, "--out", tmp_path / "out", "-q", timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("kg build hung reading a named pipe")
    assert r.returncode == 1
    assert re.search(rf"kg: skipped {re.escape(str(fifo))}: not a regular file", r.stderr), r.stderr


def test_broken_link_inside_a_folder_is_reported(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copyfile(CORPUS / "000_69eed672c96147f9.txt", folder / "letter.txt")
    os.symlink(tmp_path / "moved-away.pdf", folder / "annex.pdf")
    r = run_kg("build", folder, "--out", tmp_path / "out", "-q")
    assert r.returncode == 1, r.stderr
    assert f"kg: skipped {folder / 'annex.pdf'}: broken symbolic link" in r.stderr


def test_file_names_cannot_forge_or_garble_messages(tmp_path):
    """A file name with a newline or terminal escape codes is still reported on one line, with the
    control characters shown escaped, never sent raw to the terminal."""
    folder = tmp_path / "docs"
    folder.mkdir()
    evil = "evil\nkg: built 999 documents\x1b[2J\x1b]0;owned\x07\r.txt"
    (folder / evil).write_bytes(b"")
    shutil.copyfile(CORPUS / "000_69eed672c96147f9.txt", folder / "letter.txt")
    r = run_kg("build", folder, "--out", tmp_path / "out", "-q")
    assert r.returncode == 1
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr and "\r" not in r.stderr
    lines = r.stderr.strip().split("\n")
    assert len(lines) == 2, lines                        # one failure, one summary
    assert lines[0].startswith("kg: skipped ") and lines[0].endswith(": empty file")
    assert "evil" in lines[0] and "built 999 documents" in lines[0]


def test_documents_named_in_different_scripts_all_get_built(tmp_path):
    """UN documents come in six languages: files named only in Cyrillic, Chinese or Arabic letters
    must not share one named graph (which made the build refuse all but one of them)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    names = ["Доклад.txt", "报告.txt", "تقرير.txt", "café.txt", "cafe.txt"]
    for name, src in zip(names, sorted(CORPUS.glob("*.txt"))):
        shutil.copyfile(src, folder / name)
    r = run_kg("build", folder, "--out", tmp_path / "out", "-q")
    assert r.returncode == 0, r.stderr
    manifest = json.loads((tmp_path / "out" / "build.json").read_text())
    assert sorted(g["source"] for g in manifest["graphs"].values()) == sorted(names)


# ======================================================================== pathological text (time)

def _cases() -> dict[str, str]:
    sym = "A/" + "7" * 10_000
    return {
        "50k asterisks": "*" * 50_000,
        "a: x16000 (spaCy's quadratic tokenizer case)": "a:" * 16_000,
        "40k brackets": "[" * 20_000 + "](" * 10_000,
        "20k backticks": "`" * 20_000 + "a",
        "50k <": "<" * 50_000,
        "50k &": "&" * 50_000,
        "30k escaped stars": "\\*" * 30_000,
        "a 10,000-character symbol": f"See {sym} and {sym}-S/{'2' * 10_000}.",
        "10,000 symbols in one sentence": " ".join(f"A/79/{i}" for i in range(10_000)),
        "30k capitalised words": "Armenia " * 30_000,
        "20k Ibid.": "Ibid. " * 20_000,
        "one 300k-character word": "x" * 300_000,
        "100k paragraphs": "a\n\n" * 100_000,
        "50k footnote markers": "word¹ " * 50_000,
        "20k URLs": "https://ex.org/a " * 20_000,
    }


CASE_BUDGET = 20.0      # seconds for read + extract + map of one case (each takes < 3 s when linear)

CASE_RUNNER = r"""
import sys, time, json
from pathlib import Path
from kg.ingest import read_document, IngestError
from kg.extract.pipeline import extract
from kg import mapping
extract("warm.txt", "0" * 64, "Letter dated 1 May 2020 from Armenia. A/75/875.")
for line in sys.stdin:
    name, path = json.loads(line)
    t0 = time.perf_counter()
    try:
        src = read_document(path)
        ex = extract(src.source, src.sha256, src.text, src.segments)
        mapping.map_extraction(ex, mapping.Aliases.from_extractions([ex]))
        what = "ok"
    except IngestError as e:
        what = "refused: " + e.reason
    print(json.dumps([name, time.perf_counter() - t0, what]), flush=True)
"""


def test_pathological_text_is_processed_in_linear_time(tmp_path):
    """Texts that make naive tokenizers and regular expressions quadratic or worse: each is read,
    extracted and mapped within a few seconds (or refused), never hangs the build."""
    cases = _cases()
    paths = {}
    for i, (name, text) in enumerate(cases.items()):
        paths[name] = tmp_path / f"case{i}.md"
        paths[name].write_text(text, encoding="utf-8")
    results: dict[str, tuple[float, str]] = {}
    remaining = list(cases)
    while remaining:
        proc = subprocess.Popen([sys.executable, "-c", CASE_RUNNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
        proc.stdin.write("".join(json.dumps([n, str(paths[n])]) + "\n" for n in remaining))
        proc.stdin.close()
        deadline = time.monotonic() + CASE_BUDGET + 15          # + start-up of the first one
        while remaining:
            ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:                                       # the current case overran its budget
                results[remaining.pop(0)] = (float("inf"), "killed")
                proc.kill()
                break
            line = proc.stdout.readline()
            if not line:
                results[remaining.pop(0)] = (float("inf"), "crashed")
                break
            name, seconds, what = json.loads(line)
            results[name] = (seconds, what)
            remaining.remove(name)
            deadline = time.monotonic() + CASE_BUDGET
        proc.wait()
    slow = {n: f"{s:.1f} s ({w})" for n, (s, w) in results.items() if s > CASE_BUDGET or w in ("killed", "crashed")}
    assert not slow, f"over {CASE_BUDGET:g} s: {slow}"


# ================================================================================ hostile text

HOSTILE_LETTER = """United Nations A/79/999<script>alert("KGXSS-sym")</script>-S/2025/999

Distr.: General
3 March 2025

Letter dated 1 March 2025 from the Permanent Representative of Armenia <script>alert("KGXSS-title")</script> \
to the United Nations addressed to the Secretary-General

I reject the letter of Azerbaijan <img src=x onerror=alert("KGXSS-img")> (A/79/716-S/2025/18), see \
https://example.org/"><script>alert("KGXSS-url")</script> and resolution 2334 (2016). <http://evil/> <http://evil/p> \
"o" . } ; DROP ALL ; INSERT DATA { <a> <b> <c> } # SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } @prefix x: <y> .
\u202eRight-to-left override\u202c, \u200fmark\u200e, zero\u200bwidth, bell\x07, escape\x1b[31m, \ufffe\uffff, \
\u2028line\u2029para, nul-free but control-full\x01\x02\x7f\x85.

On 3 April 2024, 12 civilians, including 5 children, were killed and 7 injured in the village of \
Evil<script>alert("KGXSS-place")</script>ville by the armed forces of Azerbaijan.

Article 7 of the Criminal Code of the Republic of <script>alert("KGXSS-law")</script> Armenia applies. See AL AZE 3/2024 \
and A/""" + "9" * 10_000 + """.

(Signed) John <script>alert("KGXSS-person")</script> Smith
Permanent Representative
"""


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-text")
    docs = root / "docs"
    docs.mkdir()
    (docs / "hostile <script>alert('KGXSS-name') letter.txt").write_text(HOSTILE_LETTER, encoding="utf-8")
    (docs / "hostile.html").write_text("<html><head><title>x</title></head><body><p>"
                                       + HOSTILE_LETTER.replace("<", "&lt;").replace("\n\n", "</p><p>")
                                       + "</p></body></html>", encoding="utf-8")
    shutil.copyfile(CORPUS / "002_7ba849221ed25377.txt", docs / "002_7ba849221ed25377.txt")
    out = root / "out"
    r = run_kg("build", docs, "--out", out, "-q")
    assert r.returncode == 0, r.stderr
    return out


def test_hostile_text_gives_strictly_parseable_output(hostile_build):
    trig = (hostile_build / "kg.trig").read_bytes()
    quads = list(ox.parse(trig, format=ox.RdfFormat.TRIG))
    assert any("<script>" in q.object.value for q in quads if isinstance(q.object, ox.Literal))   # it got through
    for q in quads:
        for t in (q.subject, q.predicate, q.object):
            if isinstance(t, ox.NamedNode):
                ox.NamedNode(t.value)
                assert not re.search(r"[\s<>\"{}|^`\\]", t.value), t.value
            elif isinstance(t, ox.Literal):
                assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", t.value)
    # and every export format parses back under the strict parser
    from kg.export import FORMATS, export
    for fmt, (rdf_format, ext, _graphs) in FORMATS.items():
        res = export(hostile_build, fmt, file=hostile_build / f"export.{ext}")
        n = sum(1 for _ in ox.parse(path=str(res.path), format=rdf_format))
        assert n > 1000, fmt


def test_hostile_text_keeps_evidence_exact(hostile_build):
    from kg.ingest import read_document
    store = ox.Store.read_only(str(hostile_build / "store"))
    docs = hostile_build.parent / "docs"
    texts = {p.name: read_document(p).text for p in docs.iterdir()}
    rows = list(store.query(f"""PREFIX oa: <{ns.OA}> PREFIX kg: <{ns.KG}>
        SELECT ?src ?s ?e ?exact WHERE {{ GRAPH ?g {{ ?ev oa:start ?s ; oa:end ?e ; oa:exact ?exact ;
        kg:inDocument ?d . ?d kg:sourceFile ?src }} }}"""))
    assert len(rows) > 50
    for row in rows:
        assert texts[row["src"].value][int(row["s"].value):int(row["e"].value)] == row["exact"].value


class _PageParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[dict] = []
        self.bad: list[str] = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k.startswith("on"):
                self.bad.append(f"<{tag} {k}=...>")
            if k in ("src", "href", "action", "formaction") and v and not v.startswith(("#", "data:")):
                self.bad.append(f"<{tag} {k}={v}>")
        if tag == "script":
            self._in = {"attrs": dict(attrs), "text": ""}
            self.scripts.append(self._in)
        elif tag in ("iframe", "object", "embed", "img", "link", "base", "form"):
            self.bad.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = None

    def handle_data(self, data):
        if self._in is not None:
            self._in["text"] += data


def test_script_in_any_field_stays_text_in_the_html_views(hostile_build):
    viz = pytest.importorskip("kg.viz")
    for kind in viz.VIEWS:
        path, _v = viz.write_viz(kind, out=hostile_build)
        page = path.read_text(encoding="utf-8")
        p = _PageParser()
        p.feed(page)
        assert p.bad == [], f"{kind}: {p.bad}"
        # the page's own three scripts: the JSON data, vis-network and the app; nothing else
        assert len(p.scripts) == 3, f"{kind}: {len(p.scripts)} scripts"
        data = next(s for s in p.scripts if s["attrs"].get("type") == "application/json")
        assert "<" not in data["text"] and ">" not in data["text"]
        json.loads(data["text"])
        assert "KGXSS" not in page.replace(data["text"], ""), f"{kind}: hostile text outside the JSON data"
        assert re.search(r"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'", page)
        assert not re.search(r"https?://(?!www\.w3\.org)", page.replace(data["text"], "").replace(
            viz.vis_network_js(), "")), f"{kind}: an external reference"
    citations = (hostile_build / "viz-citations.html").read_text(encoding="utf-8")
    assert "KGXSS" in citations                       # the hostile text did reach the page (as data)


# ================================================================================== query safety

QUERY_MISSING = importlib.util.find_spec("kg.query") is None
SERVE_MISSING = importlib.util.find_spec("kg.serve") is None


class Listener:
    """A local TCP listener that records every connection: proof of whether a query went out."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.hits: list[str] = []
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            try:
                c.settimeout(2)
                request_line = c.recv(4096).decode("latin-1").split("\r\n", 1)[0].split(" ")
                self.hits.append(request_line[1] if len(request_line) > 1 else "?")
            except OSError:
                self.hits.append("?")
            finally:
                c.close()


@pytest.fixture(scope="module")
def listener():
    return Listener()


def service_smuggling(port: int, tag: str = "t") -> dict[str, str]:
    """Queries that call SERVICE <http://127.0.0.1:PORT/TAG-qN> while hiding the keyword from a naive check.
    Each one does reach the network when pyoxigraph runs it (checked in test_smuggled_queries_are_real)."""
    u = f"<http://127.0.0.1:{port}/%s>"
    q = {
        "plain": "SELECT * WHERE { SERVICE %s { ?a ?b ?c } }",
        "lower case": "select * where { service %s { ?a ?b ?c } }",
        "silent": "SELECT * WHERE { SERVICE SILENT %s { ?a ?b ?c } }",
        "glued to a dot": "SELECT * WHERE { BIND(1 AS ?x) .SERVICE %s { ?a ?b ?c } }",
        "glued to a number": "SELECT * WHERE { ?s ?p 1SERVICE %s { ?a ?b ?c } }",
        "after an escaped quote in a name": "PREFIX ex: <http://e/> SELECT * WHERE { BIND(ex:a\\' AS ?o) . "
                                            "SERVICE %s { ?a ?b ?c } BIND('y' AS ?z) }",
        "after an escaped hash in a name": "PREFIX ex: <http://e/> SELECT * WHERE { BIND(ex:a\\# AS ?o) "
                                           "SERVICE %s { ?a ?b ?c } }",
        "with a default-prefix target": "PREFIX : <http://127.0.0.1:{port}/> SELECT * WHERE { SERVICE:%s { ?a ?b ?c } }",
        "in a sub-select": "SELECT * WHERE { { SELECT * WHERE { SERVICE %s { ?a ?b ?c } } } }",
        "in FILTER EXISTS": "SELECT * WHERE { BIND(1 AS ?x) FILTER EXISTS { SERVICE %s { ?a ?b ?c } } }",
        "after a comment ending in CR": "SELECT * WHERE { #c\rSERVICE %s { ?a ?b ?c } }",
        "ASK": "ASK { SERVICE %s { ?a ?b ?c } }",
        "CONSTRUCT": "CONSTRUCT { ?a ?b ?c } WHERE { SERVICE %s { ?a ?b ?c } }",
    }
    out = {}
    for i, (name, text) in enumerate(q.items()):
        target = f"{tag}-q{i}"
        if "SERVICE:%s" in text:
            out[name] = text.replace("{port}", str(port)).replace("%s", target)
        else:
            out[name] = text.replace("%s", u % target)
    return out


def _one_triple_store() -> ox.Store:
    st = ox.Store()
    st.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal(1)))
    return st


def _wait_for(listener: Listener, target: str, seconds: float = 1.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(h.strip("/") == target for h in listener.hits):
            return True
        time.sleep(0.02)
    return False


def test_smuggled_queries_are_real(listener):
    """Guard for the list below: run unchecked, every one of these queries reaches the network."""
    for i, (name, q) in enumerate(service_smuggling(listener.port, "real").items()):
        try:
            res = _one_triple_store().query(q)
            if not isinstance(res, ox.QueryBoolean):
                list(res)
        except (OSError, RuntimeError):
            pass
        assert _wait_for(listener, f"real-q{i}"), f"{name}: did not call out, so it proves nothing"


@pytest.mark.skipif(QUERY_MISSING, reason="kg.query is not written yet")
@pytest.mark.parametrize("name", list(service_smuggling(1)))
def test_kg_sparql_refuses_smuggled_service(listener, name):
    from kg.query import QueryError, run_sparql
    q = service_smuggling(listener.port, "sparql")[name]
    target = f"sparql-q{list(service_smuggling(1)).index(name)}"
    with pytest.raises(QueryError, match="SERVICE"):
        run_sparql(q, store=_one_triple_store(), timeout=10)
    assert not _wait_for(listener, target, 0.3), "the query reached the network"


@pytest.mark.skipif(SERVE_MISSING, reason="kg.serve is not written yet")
@pytest.mark.parametrize("name", list(service_smuggling(1)))
def test_kg_serve_refuses_smuggled_service(name):
    from kg.serve import uses_service
    assert uses_service(service_smuggling(7)[name]), "the endpoint would run this SERVICE call"


@pytest.mark.skipif(QUERY_MISSING, reason="kg.query is not written yet")
@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "customer service" } LIMIT 1',
    "SELECT * WHERE { ?s ?p '''SERVICE <http://x/> { }''' } LIMIT 1",
    "SELECT * WHERE { ?s <http://ex.org/service> ?o } LIMIT 1  # SERVICE <http://x/> {}",
    "PREFIX service: <http://ex.org/> SELECT ?service WHERE { ?service service:p ?o } LIMIT 1",
    "PREFIX ex: <http://ex.org/> SELECT * WHERE { ?s ex:service ?o } LIMIT 1",
    "SELECT ?webService WHERE { ?webService ?p ?o } LIMIT 1",
])
def test_the_word_service_elsewhere_is_not_refused(query):
    from kg.query import check_query
    from kg.serve import uses_service
    check_query(query)
    assert not uses_service(query)


@pytest.fixture(scope="module")
def built(corpus_build):
    return corpus_build[0]


@pytest.mark.skipif(QUERY_MISSING, reason="kg.query is not written yet")
@pytest.mark.parametrize("value", [
    '") } ; DROP ALL ; SELECT * WHERE { ("',
    "x\" } UNION { GRAPH ?g { ?s ?p ?o } } #",
    "x' . ?s ?p ?o . FILTER('1",
    "Aliyev\"@en . SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } #",
    '"""', "\\", "{}", "?person", "$label", "<http://evil/>", "Aliyev\u202e", "Алиев",
])
def test_string_parameters_are_bound_as_one_literal(built, value):
    """Whatever a parameter holds, it is one literal in a VALUES block: no syntax leaks into the query."""
    from kg.query import get_query, prepare, run_named, values_block
    original = get_query("persons").text
    text = prepare("persons", label=value)
    block = values_block({"label": ox.Literal(value)})
    # Bound at the top of the WHERE group and at each inner binding point (`VALUES ?label { UNDEF }`),
    # always as the same block; the binding points of `person`, not given, are dropped. With the top
    # line removed and the label's points put back, the text is the query's own less those: nothing
    # else changed.
    inner_points = original.count("VALUES ?label { UNDEF }")
    assert inner_points >= 1 and text.count(block) == inner_points + 1
    assert text.replace("\n  " + block + "\n", "", 1).replace(block, "VALUES ?label { UNDEF }") == \
        original.replace("VALUES ?person { UNDEF }", "")
    rows = list(ox.Store().query("SELECT * WHERE { " + block + " }"))
    assert len(rows) == 1 and rows[0]["label"] == ox.Literal(value)
    result = run_named("persons", built, label=value, timeout=30)
    assert result.rows == []                            # no person's name contains these


@pytest.mark.skipif(QUERY_MISSING, reason="kg.query is not written yet")
@pytest.mark.parametrize("param,value", [
    ("node", "http://x/> } SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } #"),
    ("node", "http://x/ space"),
    ("max_depth", "1 } UNION { ?s ?p ?o }"),
    ("max_depth", "1e99"),
    ("state", "ARM> . ?s ?p ?o"),
    ("from", "2020-01-01\"^^<http://x>"),
    ("label", "control\x00char"),
    ("label", "\\u0022 escape"),
])
def test_bad_parameters_are_refused(param, value):
    from kg.query import QueryError, load_queries, to_term
    declared = [q.params[param] for q in load_queries().values() if param in q.params]
    assert declared
    with pytest.raises(QueryError, match=param):
        to_term(declared[0], value)


@pytest.mark.skipif(QUERY_MISSING, reason="kg.query is not written yet")
def test_sparql_updates_are_refused(built):
    from kg.query import QueryError, run_sparql
    for q in ["DROP ALL", "INSERT DATA { <http://a> <http://b> <http://c> }", "LOAD <http://127.0.0.1:9/x>",
              "CLEAR DEFAULT", "SELECT * WHERE { ?s ?p ?o } ; DELETE WHERE { ?s ?p ?o }"]:
        with pytest.raises(QueryError):
            run_sparql(q, built)


@pytest.mark.skipif(QUERY_MISSING, reason="kg.query is not written yet")
def test_query_timeout_ends_a_runaway_query(built):
    """`kg sparql --timeout 1` on a query that would run for minutes: exit 1 within a few seconds."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } GRAPH ?i { ?x ?y ?z } }"
    code = "import sys; from kg.cli_query import sparql; sparql(sys.argv[1:])"
    started = time.monotonic()
    r = subprocess.run([sys.executable, "-c", code, "--out", str(built), "--timeout", "1", slow],
                       capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 1 and "did not finish within 1 s" in r.stderr
    assert time.monotonic() - started < 20


@pytest.mark.skipif(SERVE_MISSING, reason="kg.serve is not written yet")
def test_served_endpoint_limits_and_refusals(built, listener):
    """The endpoint, in process: rows capped, smuggled SERVICE refused (and nothing reaches the network),
    binds 127.0.0.1 by default."""
    import requests
    from kg import serve as sv
    assert sv.DEFAULT_HOST == "127.0.0.1"
    server = sv.make_server(built, port=0, max_rows=7, timeout=5, workers=1, quiet=True)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        base = f"http://127.0.0.1:{port}/sparql"
        r = requests.post(base, data={"query": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"}, timeout=30)
        assert r.status_code == 200 and r.headers.get("X-KG-Truncated", "").startswith("true")
        assert len(list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))) == 7
        for i, (name, q) in enumerate(service_smuggling(listener.port, "serve").items()):
            r = requests.post(base, data={"query": q}, timeout=30)
            assert not _wait_for(listener, f"serve-q{i}", 0.2), f"{name}: the endpoint called out"
            assert r.status_code == 400, f"{name}: {r.status_code} {r.text[:200]}"
    finally:
        server.shutdown()
        server.server_close()


# ================================================================================= supply chain

def test_requirements_lock_pins_every_installed_distribution():
    """requirements.lock holds exactly the installed versions, and covers every dependency of pyproject.toml."""
    from importlib import metadata
    import tomllib
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)", line)
        assert m, f"not an exact pin: {line!r}"
        lock[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    installed = {re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower(): d.version for d in metadata.distributions()}
    # The lock covers every extra; an environment holds only the extras it asked for (CI: `test`).
    # What is installed must be locked, at the locked version.
    for name, version in installed.items():
        if name in {"kg", "pip", "setuptools", "wheel"}:
            continue
        assert name in lock, f"{name} {version} is installed but not in requirements.lock"
        assert lock[name] == version, f"{name}: locked {lock[name]}, installed {version}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = list(project["dependencies"]) + [d for ds in project.get("optional-dependencies", {}).values() for d in ds]
    for dep in deps:
        name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", dep).group(0)).lower()
        assert name in lock, f"{dep} is not in requirements.lock"


def test_nothing_is_fetched_at_run_time(tmp_path, monkeypatch):
    """Build, query, export and draw with every network connection refused."""
    def refuse(*a, **k):
        raise AssertionError(f"network access at run time: {a[:2]}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from kg.build import build
    out = tmp_path / "out"
    report = build([CORPUS], out=out, progress=False)
    assert report.ok
    from kg.export import export
    export(out, "nquads", file=tmp_path / "kg.nq")
    if not QUERY_MISSING:
        from kg.query import load_queries, run_named
        for name, q in load_queries().items():
            if all(not p.required for p in q.params.values()):
                run_named(name, out, timeout=60)
    if importlib.util.find_spec("kg.viz") is not None:
        from kg import viz
        for kind in viz.VIEWS:
            viz.write_viz(kind, out=out)
