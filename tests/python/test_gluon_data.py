"""gluon.data: samplers, datasets and the DataLoader (in-process, worker processes and
a thread pool must give identical batches)."""
import os
import time

import numpy as np
import pytest

import mxlite as mx
from mxlite import recordio
from mxlite.gluon import data as gdata


def batches_np(loader):
    out = []
    for b in loader:
        if isinstance(b, (list, tuple)):
            out.append([x.asnumpy() if isinstance(x, mx.nd.NDArray) else x for x in b])
        else:
            out.append(b.asnumpy())
    return out


def assert_same_batches(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if isinstance(x, list):
            assert len(x) == len(y)
            for u, v in zip(x, y):
                assert u.dtype == v.dtype
                np.testing.assert_array_equal(u, v)
        else:
            assert x.dtype == y.dtype
            np.testing.assert_array_equal(x, y)


# ------------------------------------------------------------------ samplers

def test_sequential_and_random_samplers():
    assert list(gdata.SequentialSampler(4, start=3)) == [3, 4, 5, 6]
    np.random.seed(0)
    a = list(gdata.RandomSampler(10))
    assert sorted(a) == list(range(10)) and len(gdata.RandomSampler(10)) == 10
    np.random.seed(0)
    assert list(gdata.RandomSampler(10)) == a


def test_batch_sampler_last_batch_modes():
    s = gdata.SequentialSampler(10)
    keep = gdata.BatchSampler(s, 3, "keep")
    assert list(keep) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]] and len(keep) == 4
    disc = gdata.BatchSampler(s, 3, "discard")
    assert list(disc) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]] and len(disc) == 3
    roll = gdata.BatchSampler(s, 3, "rollover")
    assert len(roll) == 3
    assert list(roll) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert len(roll) == 3  # (1 left + 10) // 3
    assert list(roll) == [[9, 0, 1], [2, 3, 4], [5, 6, 7]]
    assert list(roll) == [[8, 9, 0], [1, 2, 3], [4, 5, 6], [7, 8, 9]]
    with pytest.raises(ValueError, match="last_batch must be one of"):
        gdata.BatchSampler(s, 3, "drop")


def test_filter_sampler():
    assert list(gdata.FilterSampler(lambda x: x % 3 == 0, list(range(10)))) == [0, 3, 6, 9]


# ------------------------------------------------------------------ datasets

def test_simple_and_array_datasets():
    ds = gdata.SimpleDataset([5, 6, 7])
    assert len(ds) == 3 and ds[1] == 6
    x = mx.nd.array(np.arange(12).reshape(4, 3))
    y = mx.nd.array([0, 1, 0, 1])
    ads = gdata.ArrayDataset(x, y)
    sx, sy = ads[2]
    np.testing.assert_array_equal(sx.asnumpy(), [6, 7, 8])
    assert isinstance(sy, np.float32) and sy == 0  # 1-d NDArrays give NumPy scalars
    assert gdata.ArrayDataset(np.arange(3))[1] == 1
    with pytest.raises(ValueError, match="same length"):
        gdata.ArrayDataset(np.arange(3), np.arange(4))


def test_transforms_on_datasets():
    ds = gdata.ArrayDataset(np.arange(5), np.arange(5) * 10)
    t = ds.transform(lambda a, b: (a + 1, b - 1))
    assert t[2] == (3, 19)
    tf = ds.transform_first(lambda a: a * 2)
    assert tf[3] == (6, 30)
    single = gdata.SimpleDataset([1, 2, 3]).transform(lambda v: v * v, lazy=False)
    assert isinstance(single, gdata.SimpleDataset) and list(single) == [1, 4, 9]
    calls = []
    lazy = gdata.SimpleDataset([1, 2]).transform(lambda v: calls.append(v) or v)
    assert calls == []
    lazy[0]
    assert calls == [1]


def test_filter_shard_take_sample():
    ds = gdata.SimpleDataset(list(range(10)))
    assert list(ds.filter(lambda v: v % 2)) == [1, 3, 5, 7, 9]
    shards = [list(ds.shard(3, i)) for i in range(3)]
    assert shards == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    with pytest.raises(ValueError):
        ds.shard(3, 3)
    assert list(ds.take(3)) == [0, 1, 2]
    assert len(ds.take(None)) == 10 and len(ds.take(50)) == 10
    assert list(ds.sample(gdata.SequentialSampler(3, start=5))) == [5, 6, 7]
    with pytest.raises(TypeError, match="Invalid sampler"):
        ds.sample([1, 2])


def test_record_file_dataset(tmp_path):
    w = recordio.MXIndexedRecordIO(str(tmp_path / "r.idx"), str(tmp_path / "r.rec"), "w")
    for i in range(5):
        w.write_idx(i, b"sample %d" % i)
    w.close()
    ds = gdata.RecordFileDataset(str(tmp_path / "r.rec"))
    assert len(ds) == 5 and ds[3] == b"sample 3"
    with pytest.raises(FileNotFoundError, match="missing.idx"):
        gdata.RecordFileDataset(str(tmp_path / "missing.rec"))


# ---------------------------------------------------------------- DataLoader

def make_dataset(n=23):
    rng = np.random.default_rng(0)
    x = mx.nd.array(rng.standard_normal((n, 3, 4)).astype(np.float32))
    y = np.arange(n) % 5
    return gdata.ArrayDataset(x, y)


def test_default_batches_match_numpy():
    ds = make_dataset()
    loader = gdata.DataLoader(ds, batch_size=5)
    assert len(loader) == 5
    got = batches_np(loader)
    x = ds._data[0].asnumpy()
    for i, (bx, by) in enumerate(got):
        np.testing.assert_array_equal(bx, x[i * 5:(i + 1) * 5])
        assert by.dtype == np.int64
        np.testing.assert_array_equal(by, np.arange(23)[i * 5:(i + 1) * 5] % 5)
    assert len(got[-1][0]) == 3
    assert len(gdata.DataLoader(ds, batch_size=5, last_batch="discard")) == 4


def test_default_batchify_fn():
    b = gdata.default_batchify_fn([(1, 2.5), (3, 4.5)])
    assert isinstance(b, list) and b[0].dtype == np.int64 and b[1].dtype == np.float64
    s = gdata.default_batchify_fn([mx.nd.ones((2,), dtype="int32"), mx.nd.zeros((2,), dtype="int32")])
    assert s.shape == (2, 2) and s.dtype == np.int32


def test_shuffle_is_a_permutation_and_seeded():
    ds = gdata.SimpleDataset(list(range(20)))
    np.random.seed(3)
    a = np.concatenate(batches_np(gdata.DataLoader(ds, batch_size=6, shuffle=True)))
    np.random.seed(3)
    b = np.concatenate(batches_np(gdata.DataLoader(ds, batch_size=6, shuffle=True)))
    assert sorted(a.tolist()) == list(range(20))
    np.testing.assert_array_equal(a, b)


def test_argument_errors():
    ds = make_dataset()
    with pytest.raises(ValueError, match="batch_size must be specified"):
        gdata.DataLoader(ds)
    with pytest.raises(ValueError, match="shuffle must not be specified"):
        gdata.DataLoader(ds, batch_size=2, shuffle=True, sampler=gdata.SequentialSampler(3))
    bs = gdata.BatchSampler(gdata.SequentialSampler(len(ds)), 4)
    with pytest.raises(ValueError, match="must not be specified if batch_sampler"):
        gdata.DataLoader(ds, batch_size=2, batch_sampler=bs)
    with pytest.raises(ValueError, match="timeout must be positive"):
        gdata.DataLoader(ds, batch_size=2, timeout=0)


def scale_first(x):
    return mx.nd.relu(x) * 2  # an NDArray op inside the worker


def test_workers_give_the_same_batches():
    ds = make_dataset().transform_first(scale_first)
    ref = batches_np(gdata.DataLoader(ds, batch_size=4, last_batch="keep"))
    for kwargs in ({"num_workers": 2}, {"num_workers": 2, "prefetch": 1},
                   {"num_workers": 2, "thread_pool": True}, {"num_workers": 1, "pin_memory": True}):
        loader = gdata.DataLoader(ds, batch_size=4, **kwargs)
        assert_same_batches(batches_np(loader), ref)
        assert_same_batches(batches_np(loader), ref)  # a second epoch


def test_workers_with_batch_sampler_and_custom_batchify():
    ds = make_dataset()

    def batchify(samples):  # a closure: fine, workers are forked
        xs = mx.nd.stack(*[s[0] for s in samples])
        return (xs.sum(axis=1), [int(s[1]) for s in samples], "tag")

    bs = gdata.BatchSampler(gdata.SequentialSampler(len(ds)), 6, "discard")
    ref = list(gdata.DataLoader(ds, batch_sampler=bs, batchify_fn=batchify))
    got = list(gdata.DataLoader(ds, batch_sampler=bs, batchify_fn=batchify, num_workers=2))
    assert len(ref) == len(got) == 3
    for r, g in zip(ref, got):
        assert isinstance(g, tuple) and isinstance(g[0], mx.nd.NDArray)
        np.testing.assert_array_equal(r[0].asnumpy(), g[0].asnumpy())
        assert r[1] == g[1] and g[2] == "tag"


def test_workers_use_distinct_process_ids():
    class Pids(gdata.Dataset):
        def __len__(self):
            return 8

        def __getitem__(self, i):
            time.sleep(0.05)
            return os.getpid()

    pids = np.concatenate(batches_np(gdata.DataLoader(Pids(), batch_size=1, num_workers=2)))
    assert os.getpid() not in pids.tolist()
    assert len(set(pids.tolist())) == 2


def test_worker_timeout_is_a_clear_error():
    class Slow(gdata.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            time.sleep(5)
            return i

    loader = gdata.DataLoader(Slow(), batch_size=1, num_workers=1, timeout=1)
    with pytest.raises(RuntimeError, match="did not deliver a batch within 1 s"):
        next(iter(loader))
    del loader


def test_worker_exception_reaches_the_parent():
    class Bad(gdata.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            if i == 2:
                raise KeyError("sample %d is broken" % i)
            return i

    with pytest.raises(KeyError, match="sample 2 is broken"):
        list(gdata.DataLoader(Bad(), batch_size=1, num_workers=2))


def test_auto_reload_prefetches():
    seen = []

    class Rec(gdata.Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            seen.append(i)
            return i

    loader = gdata.DataLoader(Rec(), batch_size=3, auto_reload=True, thread_pool=True,
                              num_workers=1)
    deadline = time.time() + 5
    while not seen and time.time() < deadline:
        time.sleep(0.01)
    assert seen == [0, 1, 2]  # fetched before iteration started
    assert batches_np(loader)[0].tolist() == [0, 1, 2]
