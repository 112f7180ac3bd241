"""Array-creation ops (_zeros, _ones, _full, _arange, _eye, _linspace) against NumPy."""
import numpy as np
import pytest

import mxlite as mx

DTYPES = ["float32", "float64", "float16", "uint8", "int8", "int32", "int64", "bool"]
NUMERIC = [d for d in DTYPES if d != "bool"]
SHAPES = [(), (1,), (4,), (2, 3), (2, 0, 3), (3, 1, 2, 2)]


def check(got, expected, dtype=None):
    """Same shape, same dtype, same values (exactly for integers, closely for floats)."""
    dtype = np.dtype(dtype or expected.dtype)
    out = got.asnumpy()
    assert got.shape == expected.shape
    assert np.dtype(got.dtype) == dtype
    if np.issubdtype(dtype, np.floating):
        rtol = 1e-3 if dtype == np.float16 else 1e-6
        np.testing.assert_allclose(out, expected.astype(dtype), rtol=rtol, atol=rtol)
    else:
        np.testing.assert_array_equal(out, expected.astype(dtype))


# ----------------------------------------------------------------- fills


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_zeros_ones(shape, dtype):
    check(mx.nd.zeros(shape, dtype=dtype), np.zeros(shape, dtype))
    check(mx.nd.ones(shape, dtype=dtype), np.ones(shape, dtype))
    check(mx.nd._zeros(shape=shape, dtype=dtype), np.zeros(shape, dtype))
    check(mx.nd._ones(shape=shape, dtype=dtype), np.ones(shape, dtype))


def test_fill_defaults_are_float32():
    assert mx.nd.zeros((2,)).dtype == np.float32
    assert mx.nd._ones(shape=(2,)).dtype == np.float32
    assert mx.nd._full(shape=(2,), value=1).dtype == np.float32
    assert mx.nd._zeros().shape == ()


# Negative fills of unsigned types are left out: NumPy's float->uint8 cast of a
# negative value is undefined, so it is no oracle there.
@pytest.mark.parametrize("dtype,value", [(d, v) for d in DTYPES
                                         for v in [0, 1, 7, 2.5, -3.75, 100]
                                         if not (d == "uint8" and v < 0)])
def test_full(dtype, value):
    expected = np.full((2, 3), np.float64(value)).astype(dtype)  # C-cast semantics
    check(mx.nd.full((2, 3), value, dtype=dtype), expected)
    check(mx.nd._full(shape=(2, 3), value=value, dtype=dtype), expected)


def test_full_special_values():
    out = mx.nd.full((3,), float("inf")).asnumpy()
    assert np.isposinf(out).all()
    out = mx.nd.full((3,), float("nan"), dtype="float64").asnumpy()
    assert np.isnan(out).all()
    # Truncation toward zero, as a C cast and NumPy's astype.
    check(mx.nd.full((2,), -2.7, dtype="int32"), np.array([-2, -2], np.int32))


def test_large_fills():
    shape = (513, 1031)  # above the parallel threshold, odd sizes
    check(mx.nd.full(shape, 3, dtype="int8"), np.full(shape, 3, np.int8))
    check(mx.nd.ones(shape, dtype="float16"), np.ones(shape, np.float16))
    check(mx.nd.zeros(shape, dtype="float64"), np.zeros(shape))


def test_out_parameter_is_filled_in_place():
    out = mx.nd.ones((2, 2))
    mx.nd._zeros(shape=(2, 2), out=out)
    np.testing.assert_array_equal(out.asnumpy(), np.zeros((2, 2)))
    mx.nd._full(shape=(2, 2), value=4, out=out)
    np.testing.assert_array_equal(out.asnumpy(), np.full((2, 2), 4))


# ----------------------------------------------------------------- arange

ARANGE_CASES = [
    (5, None, 1),
    (0, 10, 1),
    (2, 11, 3),
    (0, 1, 0.1),
    (0, 0.3, 0.1),
    (1.5, 4, 0.5),
    (-3, 3, 0.7),
    (5, 0, -1),
    (10, -10, -3.5),
    (5, 1, 1),      # empty: runs the wrong way
    (1, 5, -1),     # empty
    (-3, None, 1),  # empty: [0, -3)
    (0, 0, 1),      # empty
    (3, 4, 10),     # one element
]


@pytest.mark.parametrize("start,stop,step", ARANGE_CASES)
@pytest.mark.parametrize("repeat", [1, 3])
def test_arange_matches_numpy(start, stop, step, repeat):
    expected = np.repeat(np.arange(start, stop, step, dtype=np.float64), repeat)
    got = mx.nd.arange(start, stop, step, repeat=repeat)
    check(got, expected, np.float32)
    kwargs = {} if stop is None else {"stop": stop}
    check(mx.nd._arange(start=start, step=step, repeat=repeat, dtype="float64", **kwargs),
          expected)


@pytest.mark.parametrize("dtype", NUMERIC)
def test_arange_dtypes(dtype):
    expected = np.arange(-4, 20, 3, dtype=np.float64)
    if dtype == "uint8":
        expected = np.arange(1, 20, 3, dtype=np.float64)
    got = mx.nd.arange(expected[0], 20, 3, dtype=dtype)
    check(got, expected.astype(dtype))


def test_arange_large_with_repeat():
    got = mx.nd.arange(0, 100003, repeat=2, dtype="int64").asnumpy()
    np.testing.assert_array_equal(got, np.repeat(np.arange(100003, dtype=np.int64), 2))


def test_arange_errors():
    with pytest.raises(mx.MXNetError, match=r"_arange.*'step'") as e:
        mx.nd.arange(0, 5, 0)
    assert isinstance(e.value, ValueError)
    with pytest.raises(ValueError, match=r"_arange.*'repeat'"):
        mx.nd._arange(start=0, stop=4, repeat=0)
    with pytest.raises(ValueError, match=r"_arange.*required parameter 'start'"):
        mx.nd._arange()
    with pytest.raises(ValueError, match="_arange"):
        mx.nd._arange(start=0, stop=float("inf"))
    with pytest.raises(ValueError, match=r"_arange.*infer_range"):
        mx.nd._arange(start=2, infer_range=True)


# ----------------------------------------------------------------- eye


@pytest.mark.parametrize("n,m,k", [(1, 0, 0), (3, 0, 0), (3, 4, 0), (4, 2, 0), (3, 3, 1),
                                   (3, 5, 2), (4, 3, -1), (3, 3, -2), (2, 2, 5), (2, 3, -4),
                                   (0, 0, 0), (0, 3, 0), (3, 0, 1)])
def test_eye_matches_numpy(n, m, k):
    expected = np.eye(n, m or None, k)
    check(mx.nd._eye(N=n, M=m, k=k), expected, np.float32)


@pytest.mark.parametrize("dtype", DTYPES)
def test_eye_dtypes(dtype):
    check(mx.nd._eye(N=3, k=1, dtype=dtype), np.eye(3, k=1, dtype=dtype))


def test_eye_errors():
    with pytest.raises(ValueError, match=r"_eye.*'N'"):
        mx.nd._eye(N=-1)
    with pytest.raises(ValueError, match=r"_eye.*'M'"):
        mx.nd._eye(N=2, M=-3)
    with pytest.raises(ValueError, match=r"_eye.*required parameter 'N'"):
        mx.nd._eye()


# ----------------------------------------------------------------- linspace


@pytest.mark.parametrize("start,stop,num", [(0, 1, 5), (0, 1, 1), (0, 1, 0), (2, -3, 7),
                                            (-1.5, 2.25, 10), (0, 0.7, 4), (1e3, 1e3, 3),
                                            (0, 100, 1001)])
@pytest.mark.parametrize("endpoint", [True, False])
def test_linspace_matches_numpy(start, stop, num, endpoint):
    expected = np.linspace(start, stop, num, endpoint=endpoint)
    check(mx.nd._linspace(start=start, stop=stop, num=num, endpoint=endpoint), expected,
          np.float32)
    got = mx.nd._linspace(start=start, stop=stop, num=num, endpoint=endpoint, dtype="float64")
    np.testing.assert_allclose(got.asnumpy(), expected, rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("dtype", NUMERIC)
def test_linspace_dtypes(dtype):
    # Non-negative values: NumPy 2 floors integer results, MXNet truncates;
    # both agree here.
    expected = np.linspace(0, 50, 11).astype(dtype)
    check(mx.nd._linspace(start=0, stop=50, num=11, dtype=dtype), expected)
    expected = np.linspace(3, 17, 6, endpoint=False).astype(dtype)
    check(mx.nd._linspace(start=3, stop=17, num=6, endpoint=False, dtype=dtype), expected)


def test_linspace_errors():
    with pytest.raises(ValueError, match=r"_linspace.*'num'"):
        mx.nd._linspace(start=0, stop=1, num=-1)
    with pytest.raises(ValueError, match=r"_linspace.*required parameter"):
        mx.nd._linspace(start=0, stop=1)


# ----------------------------------------------------------------- shared errors


@pytest.mark.parametrize("call", [
    lambda: mx.nd._zeros(shape=(2, -1)),
    lambda: mx.nd._ones(shape=(-3,)),
    lambda: mx.nd._full(shape=(1, -1), value=2),
])
def test_negative_shape_is_value_error(call):
    with pytest.raises(mx.MXNetError, match=r"Operator _(zeros|ones|full): argument 'shape'") as e:
        call()
    assert isinstance(e.value, ValueError)


def test_bad_dtype_and_unknown_parameter():
    with pytest.raises(ValueError, match=r"_zeros.*'dtype'"):
        mx.nd._zeros(shape=(2,), dtype="complex64")
    with pytest.raises(mx.MXNetError, match=r"_ones.*unknown parameter 'axis'"):
        mx.nd._ones(shape=(2,), axis=1)
    with pytest.raises(ValueError, match=r"_full.*required parameter 'value'"):
        mx.nd._full(shape=(2,))


@pytest.mark.parametrize("op,kwargs", [
    ("_zeros", {"shape": (2,)}),
    ("_ones", {"shape": (2,)}),
    ("_full", {"shape": (2,), "value": 1}),
    ("_arange", {"start": 3}),
    ("_eye", {"N": 2}),
    ("_linspace", {"start": 0, "stop": 1, "num": 3}),
])
def test_ctx_attribute(op, kwargs):
    from mxlite.ndarray._invoke import invoke, op_handle, attr_str
    keys = list(kwargs) + ["ctx"]

    def run(ctx):
        vals = [attr_str(v) for v in kwargs.values()] + [ctx]
        return invoke(op_handle(op), [], keys, vals, None)

    for ok in ("", "cpu", "cpu(0)"):
        assert run(ok).asnumpy().size >= 1
    with pytest.raises(mx.MXNetError, match=f"{op}.*this build has no GPU support") as e:
        run("gpu(0)")
    assert isinstance(e.value, NotImplementedError)
    with pytest.raises(ValueError, match=f"{op}.*'ctx'"):
        run("tpu(0)")
