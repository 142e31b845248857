"""kg build's Dask executor on a Dask LocalCluster (offline): the same extractions, the same graph text
and the same build as the local path."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from kg import ingest
from kg.build import _extract_file

distributed = pytest.importorskip("distributed")

from kg.executors import dask_extract, dask_map, fingerprint  # noqa: E402

from conftest import CORPUS  # noqa: E402


@pytest.fixture(scope="module")
def paths():
    return [str(p) for p in ingest.find_documents([CORPUS])]


@pytest.fixture(scope="module")
def serial(paths, tmp_path_factory):
    cache = tmp_path_factory.mktemp("serial-cache")
    return [_extract_file(p, ingest.Limits(), str(cache)) for p in paths]


def _same(got, want):
    assert [r[0] for r in got] == [r[0] for r in want]          # same order as the input paths
    for (path, entry, err, reused), (_, entry0, err0, _) in zip(got, want):
        assert err is None and err0 is None, path
        assert reused is False
        # frozen dataclasses: equal by value, but for where each side cached the extraction
        assert dataclasses.replace(entry, cache="") == dataclasses.replace(entry0, cache=""), path
        assert json.loads(Path(entry.cache).read_text()) == json.loads(Path(entry0.cache).read_text()), path


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_local_cluster_matches_serial(paths, serial, tmp_path, processes):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=processes,
                                  dashboard_address=None) as cluster:
        got = list(dask_extract(paths, ingest.Limits(), str(tmp_path / "cache"), cluster.scheduler_address, batch=2))
    assert len(got) == 5
    _same(got, serial)


def test_cache_reused_and_failures_reported(paths, tmp_path):
    cache = tmp_path / "cache"
    missing = str(tmp_path / "no-such-file.txt")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        first = list(dask_extract(paths[:2] + [missing], ingest.Limits(), str(cache), cluster.scheduler_address))
        again = list(dask_extract(paths[:2], ingest.Limits(), str(cache), cluster.scheduler_address))
        # a consumer that stops early leaves no work behind and does not hang
        gen = dask_extract(paths, ingest.Limits(), str(tmp_path / "c2"), cluster.scheduler_address, batch=1)
        assert next(gen)[0] == paths[0]
        gen.close()
    assert [r[3] for r in first] == [False, False, False]
    assert first[2] == (missing, None, "no such file or directory", False)
    assert [r[3] for r in again] == [True, True]                  # the workers' cache entries are reused
    assert [r[1] for r in again] == [r[1] for r in first[:2]]


def test_fingerprint_names_code_and_vocabulary():
    from kg.extract.pipeline import EXTRACTOR_VERSION
    assert fingerprint().startswith(EXTRACTOR_VERSION + "-")
    assert list(dask_extract([], ingest.Limits(), "unused", "tcp://127.0.0.1:1")) == []   # nothing to do: no cluster


def test_dask_map_returns_each_documents_nquads_as_the_local_path(serial):
    from kg import mapping
    from kg.build import map_cached
    entries = [r[1] for r in serial]
    aliases = mapping.Aliases.from_infos(e.alias for e in entries)
    local = [map_cached(e.cache, aliases) for e in entries]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        got = list(dask_map([e.cache for e in entries], aliases, cluster.scheduler_address, batch=2))
    assert [g for g, _err in got] == [g for g, _err in local]
    assert all(g.nquads and g.graph == e.graph for (g, _), e in zip(got, entries))


def test_build_on_a_cluster_equals_the_local_build(tmp_path):
    from kg.build import build
    local = build(None, out=tmp_path / "local", jobs=1, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = build(None, out=tmp_path / "dask", progress=False, executor="dask", scheduler=cluster.scheduler_address)
    assert remote.ok and local.ok and remote.extracted == local.extracted == 5
    assert (tmp_path / "dask" / "kg.trig").read_bytes() == (tmp_path / "local" / "kg.trig").read_bytes()
