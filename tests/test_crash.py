"""Crash safety of `kg build`: a build killed at any moment leaves the previous good output intact
(kg.trig unchanged and parseable, the store opens and answers, build.json parses), and the next build
completes and equals a clean build byte for byte. Two builds on one output folder never corrupt it:
the second refuses with a clear message.

Two ways of killing:
- SIGKILL after a delay, on a corpus of 40 copies of the corpus files under varied names (spaces,
  quotes, Cyrillic), from a cold cache and from a warm one, so kills land in every phase;
- a kill exactly at each commit point: every os.replace, os.symlink and shutil.rmtree of a build,
  killed (os._exit, as SIGKILL would) just before and just after it.

A build writes its store, kg.trig and build.json into a generation folder (OUT/.gen/ID) and makes it
current by renaming one symbolic link, so the three a reader sees always come from one build.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import CORPUS, ROOT

N_COPIES = 40
NAME_PATTERNS = ["{i:02d} {stem}.txt", "{i:02d}_{stem}.md", "copy {i} of “{stem}”.txt", "{i:02d}-Доклад-{stem}.txt",
                 "{i:02d} it's \"{stem}\".md"]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def make_corpus(folder: Path, n: int = N_COPIES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    src = sorted(CORPUS.glob("*.txt"))
    for k in range(n):
        s = src[k % len(src)]
        name = NAME_PATTERNS[(k // len(src) + k) % len(NAME_PATTERNS)].format(i=k, stem=s.stem)
        shutil.copyfile(s, folder / name)
        os.chmod(folder / name, 0o644)
    return folder


def kg_build(corpus: Path, out: Path, *extra, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", "build", str(corpus), "--out", str(out), "-q", *extra],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def store_count(out: Path) -> int:
    from kg.store import open_store              # what every reader (query, export, serve, viz) opens
    store = open_store(out)
    try:
        return int(next(iter(store.query(COUNT)))["n"].value)
    finally:
        del store


def snapshot(out: Path) -> dict:
    """What a reader of the output folder sees: must always be a complete, consistent build."""
    trig = (out / "kg.trig").read_bytes()
    quads = list(ox.parse(trig, format=ox.RdfFormat.TRIG))            # strict parse
    manifest = json.loads((out / "build.json").read_text())
    snap = {"trig": trig, "quads": len(quads), "store": store_count(out), "manifest": manifest}
    # the three files come from one build: the manifest counts what the store holds
    assert manifest["triples"] == snap["store"], "build.json and the store are of different builds"
    return snap


@pytest.fixture(scope="module")
def corpus40(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("corpus40") / "docs")


@pytest.fixture(scope="module")
def clean40(corpus40, tmp_path_factory):
    """A clean build of the 40-copy corpus into its own folder: what every later build must equal."""
    out = tmp_path_factory.mktemp("clean40")
    r = kg_build(corpus40, out)
    assert r.returncode == 0, r.stderr
    return snapshot(out)


@pytest.fixture(scope="module")
def clean5(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean5")
    r = kg_build(CORPUS, out)
    assert r.returncode == 0, r.stderr
    return snapshot(out)


def assert_lock_free(out: Path, context: str, seconds: float = 2.0) -> None:
    """Nothing of a killed build (no helper process it started) still holds the output's lock."""
    if not (out / ".lock").exists():
        return
    deadline = time.monotonic() + seconds
    with open(out / ".lock", "a") as fh:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fh, fcntl.LOCK_UN)
                return
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{context}: the output is still locked {seconds:g} s after the build was killed")
                time.sleep(0.05)


def assert_intact(out: Path, allowed: list[dict], context: str) -> dict:
    """The output is one of the allowed complete builds (the previous one, or the new one if the
    build got past its commit), and every part of it opens."""
    try:
        snap = snapshot(out)
    except FileNotFoundError as e:
        pytest.fail(f"{context}: {e}")
    assert any(snap["trig"] == a["trig"] for a in allowed), f"{context}: kg.trig is neither the old nor the new build"
    assert any(snap["store"] == a["store"] for a in allowed), f"{context}: the store holds {snap['store']} quads"
    return snap


def test_sigkill_at_random_moments_leaves_the_previous_output(tmp_path, corpus40, clean40, clean5):
    out = tmp_path / "out"
    r = kg_build(CORPUS, out)                       # the previous good output: the 5-document corpus
    assert r.returncode == 0, r.stderr
    assert snapshot(out)["trig"] == clean5["trig"]
    previous = clean5
    delays = [0.2, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.5]
    for n, delay in enumerate(delays):
        if n % 2 == 0:                               # a cold cache: the kill lands in extraction more often
            shutil.rmtree(out / "cache", ignore_errors=True)
        proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(corpus40), "--out", str(out), "-q"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert_lock_free(out, f"killed after {delay} s")
        snap = assert_intact(out, [previous, clean40], f"killed after {delay} s")
        if snap["trig"] == clean40["trig"]:
            previous = clean40
    r = kg_build(corpus40, out)
    assert r.returncode == 0, r.stderr
    final = snapshot(out)
    assert final["trig"] == clean40["trig"], "the build after the kills differs from a clean build"
    assert final["store"] == clean40["store"] and final["quads"] == clean40["quads"]
    assert final["manifest"]["graphs"] == clean40["manifest"]["graphs"]
    assert_no_leftovers(out)


def assert_no_leftovers(out: Path) -> None:
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".") and p.name not in (".lock", ".gen")]
    assert leftovers == [], f"temporaries left behind: {leftovers}"
    generations = list((out / ".gen").iterdir())
    assert generations == [(out / "current").resolve()], f"old or unfinished builds left: {generations}"


# A build run with every os.replace, os.symlink and shutil.rmtree of the build process counted;
# at call number KG_CRASH_AT it ends the process on the spot (os._exit runs no cleanup, like SIGKILL),
# before or after the call.
CRASH_RUNNER = r"""
import os, shutil, sys
at, when = int(os.environ["KG_CRASH_AT"]), os.environ["KG_CRASH_WHEN"]
calls = [0]
def wrap(fn, name):
    def inner(*a, **k):
        calls[0] += 1
        if calls[0] == at and when == "before":
            os._exit(137)
        r = fn(*a, **k)
        if calls[0] == at and when == "after":
            os._exit(137)
        return r
    return inner
os.replace = wrap(os.replace, "replace")
os.symlink = wrap(os.symlink, "symlink")
shutil.rmtree = wrap(shutil.rmtree, "rmtree")
from kg.cli import main
try:
    main(["build", *sys.argv[1:], "-q"])
finally:
    sys.stderr.write(f"KG_CALLS={calls[0]}\n")
"""


def crash_build(corpus: Path, out: Path, at: int, when: str) -> subprocess.CompletedProcess:
    """The build with two workers whatever the machine: its forked readers and map workers must die
    with it (a map worker once outlived the kill, holding the pipes, and this test hung)."""
    env = dict(os.environ, KG_CRASH_AT=str(at), KG_CRASH_WHEN=when)
    return subprocess.run([sys.executable, "-c", CRASH_RUNNER, str(corpus), "--out", str(out), "--jobs", "2"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)


@pytest.mark.parametrize("previous", ["incremental", "changed-context"])
def test_kill_at_every_commit_point(tmp_path, clean5, previous):
    """Kill the build just before and just after each rename, link or removal it makes: the old
    output survives every one (readers open a whole, consistent build at every moment), and the next
    build equals a clean one. 'incremental': the new build reuses the old graphs (one document added);
    'changed-context': every graph is mapped again (a document that shares a joint symbol changes the
    corpus-wide identity of documents, here simulated by a stale mapping fingerprint)."""
    from kg.build import build
    four = tmp_path / "four"                        # the previous output: 4 of the 5 documents
    four.mkdir()
    for p in sorted(CORPUS.glob("*.txt"))[1:]:
        shutil.copyfile(p, four / p.name)
    base = tmp_path / "base"
    assert build([four], out=base, progress=False).ok
    if previous == "changed-context":
        manifest = base / "build.json"
        data = json.loads(manifest.read_text())
        data["mapping"] = "stale"
        manifest.write_text(json.dumps(data))
    old = snapshot(base)
    # how many renames/links/removals does the build make from there?
    shutil.copytree(base, tmp_path / "probe", symlinks=True)
    probe = crash_build(CORPUS, tmp_path / "probe", 0, "never")
    assert probe.returncode == 0, probe.stderr
    total = int(probe.stderr.rsplit("KG_CALLS=", 1)[1].split()[0])
    assert total >= 3            # at least the cache entry, the link to the new build and the old build's removal
    out = tmp_path / "out"
    for at in range(1, total + 1):
        for when in ("before", "after"):
            shutil.rmtree(out, ignore_errors=True)
            shutil.copytree(base, out, symlinks=True)
            r = crash_build(CORPUS, out, at, when)
            assert r.returncode == 137, r.stderr
            assert_intact(out, [old, clean5], f"killed {when} call {at} of {total}")
            assert (out / "store").is_dir(), f"killed {when} call {at}: no store folder"
            assert build([CORPUS], out=out, progress=False).ok
            assert snapshot(out)["trig"] == clean5["trig"], f"after a kill {when} call {at}: not a clean build"
            assert_no_leftovers(out)


def test_output_folder_of_the_layout_before_generations_is_taken_over(tmp_path, clean5):
    """An output folder written before builds had generations (OUT/store a real folder, kg.trig and
    build.json real files) is rebuilt into the new layout, its old files replaced."""
    out = tmp_path / "out"
    assert kg_build(CORPUS, out).returncode == 0
    for name in ("store", "kg.trig", "build.json"):
        real = (out / name).resolve()
        (out / name).unlink()
        (shutil.copytree if real.is_dir() else shutil.copyfile)(real, out / name)
    shutil.rmtree(out / ".gen")
    (out / "current").unlink()
    assert not (out / "store").is_symlink() and snapshot(out)["trig"] == clean5["trig"]
    r = kg_build(CORPUS, out)
    assert r.returncode == 0, r.stderr
    assert all((out / n).is_symlink() for n in ("store", "kg.trig", "build.json"))
    assert snapshot(out)["trig"] == clean5["trig"]
    assert_no_leftovers(out)


def test_second_build_on_the_same_output_refuses_clearly(tmp_path, clean5):
    out = tmp_path / "out"
    assert kg_build(CORPUS, out).returncode == 0
    before = snapshot(out)
    # a build holding the lock (here: this test) -> the second build refuses at once, touching nothing
    with open(out / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        started = time.monotonic()
        r = kg_build(CORPUS, out)
        assert time.monotonic() - started < 30
    assert r.returncode == 3
    assert "another kg build is writing this folder" in r.stderr and str(out) in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert snapshot(out)["trig"] == before["trig"]


def test_two_builds_started_at_once(tmp_path, corpus40, clean40):
    """Two real builds at once on one output: one builds, the other refuses (exit 3); the output is a
    clean build, never a mix."""
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "kg.cli", "build", str(corpus40), "--out", str(out), "-q"]
    a = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    # wait until the first one holds the lock (it creates the cache folder under the lock)
    deadline = time.monotonic() + 60
    while not (out / "cache").exists() and time.monotonic() < deadline and a.poll() is None:
        time.sleep(0.02)
    b = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    _, a_err = a.communicate(timeout=300)
    assert a.returncode == 0, a_err
    assert b.returncode == 3 and "another kg build is writing this folder" in b.stderr
    snap = snapshot(out)
    assert snap["trig"] == clean40["trig"] and snap["store"] == clean40["store"]


def test_stale_temporaries_of_a_killed_build_are_cleaned(tmp_path, clean5):
    out = tmp_path / "out"
    assert kg_build(CORPUS, out).returncode == 0
    # what a killed build leaves: a half-written store, half-written files
    (out / ".store.tmp-99999").mkdir()
    (out / ".store.tmp-99999" / "000001.sst").write_bytes(b"\0" * 100)
    (out / ".gen" / "unfinished-99999" / "store").mkdir(parents=True)
    (out / ".kg.trig.tmp-99999").write_bytes(b"@prefix broken")
    (out / "cache" / ".x.json.tmp-99999").write_bytes(b"{")
    assert snapshot(out)["trig"] == clean5["trig"]                 # readers are not confused by them
    r = kg_build(CORPUS, out)
    assert r.returncode == 0, r.stderr
    assert not (out / ".store.tmp-99999").exists() and not (out / ".kg.trig.tmp-99999").exists()
    assert snapshot(out)["trig"] == clean5["trig"]
    assert_no_leftovers(out)


def test_damaged_cache_entries_are_redone(tmp_path, clean5):
    out = tmp_path / "out"
    assert kg_build(CORPUS, out).returncode == 0
    for i, f in enumerate(sorted((out / "cache").glob("*.json"))):
        f.write_bytes([b"", b"{", b"null", b'{"key": 1}', b"\xff\xfe"][i % 5])
    r = kg_build(CORPUS, out)
    assert r.returncode == 0, r.stderr
    assert snapshot(out)["trig"] == clean5["trig"]


# Each writer of an output file, run on a build with the process ending (as SIGKILL would) when the
# new content is fully written to its temporary file, just before it would be renamed into place.
WRITER_RUNNER = r"""
import os, sys
from pathlib import Path
out, which = Path(sys.argv[1]), sys.argv[2]
os.fsync = lambda fd: os._exit(137)
if which == "kg.trig":
    import pyoxigraph as ox
    from kg.store import write_trig
    write_trig(out, [ox.Quad(ox.NamedNode("http://ex.org/new"), ox.NamedNode("http://ex.org/p"), ox.Literal("new"),
                             ox.NamedNode("http://ex.org/g"))])
elif which == "viz-citations.html":
    from kg.viz import write_viz
    write_viz("citations", out=out)
elif which == "report.json":
    from kg.analytics.report import analyze
    analyze(out, plots=False)
elif which == "export/kg.nq":
    from kg.export import export
    export(out, "nquads")
os._exit(0)
"""


@pytest.mark.parametrize("target", ["kg.trig", "viz-citations.html", "report.json", "export/kg.nq"])
def test_every_output_file_is_replaced_atomically(tmp_path, clean5, target):
    out = tmp_path / "out"
    assert kg_build(CORPUS, out).returncode == 0
    path = out / target
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"the previous good version\n")
    r = subprocess.run([sys.executable, "-c", WRITER_RUNNER, str(out), target], capture_output=True, text=True,
                       timeout=300, cwd=ROOT)
    if r.returncode == 1 and "ModuleNotFoundError" in r.stderr:
        pytest.skip(r.stderr.strip().splitlines()[-1])
    assert r.returncode == 137, r.stderr              # it was killed while writing
    assert path.read_bytes() == b"the previous good version\n"
