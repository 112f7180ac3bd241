// NDArray: creation from typed/nested arrays, dtypes, metadata, views,
// arithmetic (checked against plain JavaScript loops), errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mx from '../src/index.js';

const close = (a, b, tol = 1e-5) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `[${i}] ${a[i]} vs ${b[i]}`);
  }
};

test('array from nested arrays: shape, dtype, size, C order', () => {
  const x = mx.nd.array([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(x.shape, [2, 3]);
  assert.equal(x.dtype, 'float32');
  assert.equal(x.size, 6);
  assert.equal(x.ndim, 2);
  assert.deepEqual(Array.from(x.data()), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(x.toArray(), [[1, 2, 3], [4, 5, 6]]);
  x.dispose();
});

test('typed arrays round trip in their own dtype', () => {
  const cases = [
    [new Float32Array([1.5, -2, 3]), 'float32'],
    [new Float64Array([1e300, -2.25, 3]), 'float64'],
    [new Int32Array([1, -2, 2147483647]), 'int32'],
    [new BigInt64Array([1n, -2n, 9007199254740993n]), 'int64'],
    [new Uint8Array([0, 128, 255]), 'uint8'],
  ];
  for (const [src, dt] of cases) {
    const x = mx.nd.array(src);
    assert.equal(x.dtype, dt);
    const back = x.data();
    assert.equal(back.constructor, src.constructor);
    assert.deepEqual(Array.from(back), Array.from(src));
    x.dispose();
  }
});

test('float16 arrays take and give values (converted through float32)', () => {
  const h = mx.nd.array([0.5, -2, 1000], { dtype: 'float16' });
  assert.equal(h.dtype, 'float16');
  assert.deepEqual(Array.from(h.data()), [0.5, -2, 1000]);
  h.set([1, 2, 3]);
  assert.deepEqual(Array.from(h.add(1).data()), [2, 3, 4]);
  // raw half bits are accepted as such from a Uint16Array (0x3c00 = 1.0)
  assert.deepEqual(Array.from(mx.nd.array(new Uint16Array([0x3c00]), { dtype: 'float16' }).data()), [1]);
});

test('shape option, dtype option and scalars', () => {
  const x = mx.nd.array(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
  assert.deepEqual(x.toArray(), [[1, 2], [3, 4], [5, 6]]);
  const y = mx.nd.array([1, 2, 3], { dtype: 'float64' });
  assert.equal(y.dtype, 'float64');
  const z = mx.nd.array([1.7, 2.2], { dtype: Int32Array });
  assert.equal(z.dtype, 'int32');
  assert.deepEqual(Array.from(z.data()), [1, 2]);
  const s = mx.nd.array(3.5);
  assert.deepEqual(s.shape, []);
  assert.equal(s.item(), 3.5);
  for (const a of [x, y, z, s]) a.dispose();
});

test('zeros, ones, full, arange, eye', () => {
  assert.deepEqual(Array.from(mx.nd.zeros([2, 2]).data()), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(mx.nd.ones(3, { dtype: 'int32' }).data()), [1, 1, 1]);
  assert.deepEqual(Array.from(mx.nd.full([2], 7.5).data()), [7.5, 7.5]);
  assert.deepEqual(Array.from(mx.nd.arange(2, 8, { step: 2 }).data()), [2, 4, 6]);
  assert.deepEqual(mx.nd.eye(2).toArray(), [[1, 0], [0, 1]]);
});

test('arithmetic with arrays (broadcast) and scalars', () => {
  const a = [1, 2, 3, 4, 5, 6], b = [10, 20, 30];
  const x = mx.nd.array(a, { shape: [2, 3] });
  const y = mx.nd.array(b, { shape: [1, 3] });
  const bc = (f) => a.map((v, i) => f(v, b[i % 3]));
  close(x.add(y).data(), bc((p, q) => p + q));
  close(x.sub(y).data(), bc((p, q) => p - q));
  close(x.mul(y).data(), bc((p, q) => p * q));
  close(x.div(y).data(), bc((p, q) => p / q));
  close(x.add(2).data(), a.map((v) => v + 2));
  close(x.sub(0.5).data(), a.map((v) => v - 0.5));
  close(x.mul(3).data(), a.map((v) => v * 3));
  close(x.div(4).data(), a.map((v) => v / 4));
  close(x.pow(2).data(), a.map((v) => v ** 2));
  close(x.rsub(10).data(), a.map((v) => 10 - v));
  close(x.rdiv(1).data(), a.map((v) => 1 / v));
  close(x.neg().data(), a.map((v) => -v));
  close(x.add([1, 1, 1]).data(), a.map((v) => v + 1));
  close(x.greater(3).data(), a.map((v) => (v > 3 ? 1 : 0)));
  const z = mx.nd.zeros([2, 3]);
  z.addInPlace(x).mulInPlace(2);
  close(z.data(), a.map((v) => 2 * v));
});

test('integer arrays keep integer arithmetic', () => {
  const x = mx.nd.array(new Int32Array([7, 8, 9]));
  const y = x.add(2);
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(Array.from(y.data()), [9, 10, 11]);
});

test('views share storage: reshape, sliceRows, at', () => {
  const x = mx.nd.arange(6);
  const r = x.reshape(2, 3);
  assert.deepEqual(r.toArray(), [[0, 1, 2], [3, 4, 5]]);
  assert.deepEqual(x.reshape([-1, 2]).shape, [3, 2]);
  assert.deepEqual(Array.from(r.sliceRows(1, 2).data()), [3, 4, 5]);
  const row = r.at(0);
  row.set([9, 9, 9]);
  assert.deepEqual(Array.from(x.data()), [9, 9, 9, 3, 4, 5]);
});

test('astype, copy, copyTo, set', () => {
  const x = mx.nd.array([1.5, 2.5]);
  assert.equal(x.astype('float64').dtype, 'float64');
  const c = x.copy();
  x.set(new Float32Array([0, 0]));
  assert.deepEqual(Array.from(c.data()), [1.5, 2.5]);
  const d = mx.nd.zeros([2]);
  c.copyTo(d);
  assert.deepEqual(Array.from(d.data()), [1.5, 2.5]);
  assert.throws(() => x.set([1, 2, 3]), (e) => e instanceof mx.MXNetError && e.kind === 'VALUE');
});

test('fluent methods named like ops', () => {
  const x = mx.nd.array([[1, 2], [3, 4]]);
  assert.deepEqual(Array.from(x.sum({ axis: 1 }).data()), [3, 7]);
  assert.deepEqual(x.transpose().toArray(), [[1, 3], [2, 4]]);
  close(x.exp().data(), [1, 2, 3, 4].map(Math.exp));
  assert.deepEqual(x.dot(x).toArray(), [[7, 10], [15, 22]]);
});

test('errors: disposed arrays, wrong argument types, bad shapes and dtypes', () => {
  const x = mx.nd.ones([2]);
  x.dispose();
  x.dispose();  // idempotent
  assert.equal(x.disposed, true);
  const isKind = (k) => (e) => e instanceof mx.MXNetError && e instanceof Error && e.kind === k;
  assert.throws(() => x.data(), isKind('INVALID_HANDLE'));
  assert.throws(() => mx.nd.relu(x), isKind('INVALID_HANDLE'));
  assert.throws(() => mx.nd.relu(new Float32Array(2)), isKind('TYPE'));
  assert.throws(() => mx.nd.relu('x'), isKind('TYPE'));
  const y = mx.nd.ones([2, 3]);
  assert.throws(() => y.add({}), isKind('TYPE'));
  assert.throws(() => y.add(mx.nd.ones([4, 5])), isKind('VALUE'));
  assert.throws(() => mx.nd.empty([2], { dtype: 'complex64' }), isKind('TYPE'));
  assert.throws(() => mx.nd.empty([-1]), isKind('VALUE'));
  assert.throws(() => y.reshape(4, 4), isKind('VALUE'));
  assert.throws(() => y.at(7), isKind('INDEX'));
  assert.throws(() => y.at(0.5), isKind('TYPE'));
  assert.throws(() => y.reshape(3, 2.5), isKind('VALUE'));
  assert.throws(() => new mx.NDArray(0n), isKind('TYPE'));
  assert.throws(() => new mx.NDArray(123456n), isKind('TYPE'));
});
