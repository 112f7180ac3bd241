"""mx.io: DataDesc, DataBatch and NDArrayIter batches, padding, shuffling and roll-over."""
import numpy as np
import pytest

import mxlite as mx


def _epoch(it):
    return [(b.data[0].asnumpy().copy(), b.label[0].asnumpy().copy() if b.label else None, b.pad)
            for b in it]


def test_pad_last_batch():
    data = np.arange(20, dtype=np.float32).reshape(10, 2)
    it = mx.io.NDArrayIter(data, np.arange(10), batch_size=4)
    batches = _epoch(it)
    assert [b[2] for b in batches] == [0, 0, 2]
    np.testing.assert_array_equal(batches[0][0], data[:4])
    # the last batch is samples 8, 9 then 0, 1 from the beginning
    np.testing.assert_array_equal(batches[2][0], data[[8, 9, 0, 1]])
    np.testing.assert_array_equal(batches[2][1], [8, 9, 0, 1])
    it.reset()
    assert len(_epoch(it)) == 3


def test_pad_batch_larger_than_data():
    it = mx.io.NDArrayIter(np.arange(3), batch_size=8)
    (batch,) = list(it)
    np.testing.assert_array_equal(batch.data[0].asnumpy(), [0, 1, 2, 0, 1, 2, 0, 1])
    assert batch.pad == 5 and batch.label == []


def test_discard():
    it = mx.io.NDArrayIter(np.arange(10), np.arange(10), batch_size=3, last_batch_handle="discard")
    batches = _epoch(it)
    assert len(batches) == 3 and all(b[2] == 0 for b in batches)
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), np.arange(9))


def test_roll_over():
    it = mx.io.NDArrayIter(np.arange(10), np.arange(10) * 10, batch_size=4,
                           last_batch_handle="roll_over")
    e1 = _epoch(it)
    assert [list(b[0]) for b in e1] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    it.reset()
    e2 = _epoch(it)
    # the two leftover samples open the next epoch
    assert [list(b[0]) for b in e2] == [[8, 9, 0, 1], [2, 3, 4, 5], [6, 7, 8, 9]]
    assert list(e2[0][1]) == [80, 90, 0, 10] and e2[0][2] == 2
    it.reset()
    assert [list(b[0]) for b in _epoch(it)] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    it.hard_reset()
    assert len(_epoch(it)) == 2


def test_shuffle_keeps_data_and_labels_aligned():
    np.random.seed(0)
    data = np.arange(12, dtype=np.float32).reshape(12, 1) * np.array([[1, -1]], np.float32)
    it = mx.io.NDArrayIter(data, np.arange(12), batch_size=4, shuffle=True)
    seen = []
    for b in it:
        d, lab = b.data[0].asnumpy(), b.label[0].asnumpy()
        np.testing.assert_array_equal(d[:, 0], lab)
        np.testing.assert_array_equal(d[:, 1], -lab)
        seen += list(lab)
    assert sorted(seen) == list(range(12)) and seen != list(range(12))
    it.reset()
    second = [x for b in it for x in b.label[0].asnumpy()]
    assert sorted(second) == list(range(12)) and second != seen


def test_names_lists_and_dicts():
    it = mx.io.NDArrayIter([np.zeros((6, 3)), np.ones((6, 2, 2))], {"lab_b": np.zeros(6),
                                                                    "lab_a": np.ones(6)},
                           batch_size=2)
    assert [d.name for d in it.provide_data] == ["_0_data", "_1_data"]
    assert [d.shape for d in it.provide_data] == [(2, 3), (2, 2, 2)]
    assert [d.name for d in it.provide_label] == ["lab_a", "lab_b"]  # sorted by name
    batch = next(iter(it))
    assert len(batch.data) == 2 and len(batch.label) == 2
    assert np.all(batch.label[0].asnumpy() == 1)
    named = mx.io.NDArrayIter(mx.nd.ones((4, 5)), mx.nd.zeros((4,)), batch_size=2,
                              data_name="x", label_name="y")
    assert named.provide_data[0].name == "x" and named.provide_label[0].name == "y"
    assert named.provide_data[0].dtype == np.float32


def test_iterator_protocol_and_batch_str():
    it = mx.io.NDArrayIter(np.arange(4), batch_size=2)
    assert iter(it) is it
    b = it.next()
    assert "data shapes: [(2,)]" in str(b)
    it.next()
    with pytest.raises(StopIteration):
        it.next()


def test_bad_arguments():
    with pytest.raises(ValueError, match="last_batch_handle"):
        mx.io.NDArrayIter(np.arange(4), last_batch_handle="wrap")
    with pytest.raises(ValueError, match="first axis"):
        mx.io.NDArrayIter(np.arange(4), np.arange(5))
    with pytest.raises(TypeError):
        mx.io.NDArrayIter("not an array")
    with pytest.raises(ValueError, match="batch_size"):
        mx.io.NDArrayIter(np.arange(4), batch_size=0)


def test_datadesc_and_databatch():
    d = mx.io.DataDesc("data", (32, 3, 8, 8))
    name, shape = d
    assert name == "data" and shape == (32, 3, 8, 8)
    assert d.dtype == np.float32 and d.layout == "NCHW"
    assert mx.io.DataDesc.get_batch_axis("TNC") == 1
    assert mx.io.DataDesc.get_batch_axis(None) == 0
    descs = mx.io.DataDesc.get_list([("a", (1, 2))], [("a", np.int32)])
    assert descs[0].dtype == np.int32 and repr(descs[0]).startswith("DataDesc[a,(1, 2)")
    with pytest.raises(TypeError):
        mx.io.DataBatch(mx.nd.ones((2,)))


def test_resize_iter():
    inner = mx.io.NDArrayIter(np.arange(6), batch_size=2)
    it = mx.io.ResizeIter(inner, 5)
    got = [list(b.data[0].asnumpy()) for b in it]
    assert got == [[0, 1], [2, 3], [4, 5], [0, 1], [2, 3]]
    it.reset()
    assert len(list(it)) == 5
