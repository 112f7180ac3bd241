// Generated op wrappers: naming, options (camelCase and MXNet names), named
// and optional inputs, variadic inputs, multiple outputs, internal ops, `out`,
// errors from the core.  Oracles are plain JavaScript loops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mx from '../src/index.js';

const isKind = (k) => (e) => e instanceof mx.MXNetError && e.kind === k;

function matmulT(a, b, n, k, m) {  // a (n x k) times b (m x k) transposed
  const r = new Array(n * m).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let t = 0; t < k; t++) r[i * m + j] += a[i * k + t] * b[j * k + t];
  return r;
}

test('every registry op has a function, reachable by its MXNet name', () => {
  const names = mx.registry().ops.flatMap((op) => [op.name, ...op.aliases]);
  assert.ok(names.length > 200, `${names.length} names`);
  for (const n of names) assert.equal(typeof mx.nd.ops[n], 'function', n);
  assert.equal(mx.nd.ops.FullyConnected, mx.nd.fullyConnected);
  assert.equal(mx.nd.ops.broadcast_add, mx.nd.broadcastAdd);
  assert.equal(mx.nd.ops._plus_scalar, mx.nd.internal.plusScalar);
  assert.equal(mx.nd.ops.softmax, mx.nd.softmax);
  assert.equal(mx.nd.ops.Softmax, mx.nd.softmaxOutput);
  // two ops meeting on one camelCase name: the other keeps its MXNet name
  assert.equal(mx.nd.ops.make_loss, mx.nd.makeLoss);
  assert.equal(mx.nd.ops.MakeLoss, mx.nd.MakeLoss);
});

test('fullyConnected: camelCase and MXNet option names, optional bias', () => {
  const xa = [1, 2, 3, 4, 5, 6], wa = [1, 0, -1, 2, 1, 0.5];
  const x = mx.nd.array(xa, { shape: [2, 3] });
  const w = mx.nd.array(wa, { shape: [2, 3] });
  const b = mx.nd.array([0.5, -1]);
  const ref = matmulT(xa, wa, 2, 3, 2);
  const y1 = mx.nd.fullyConnected(x, w, b, { numHidden: 2 });
  assert.deepEqual(Array.from(y1.data()), ref.map((v, i) => v + [0.5, -1][i % 2]));
  const y2 = mx.nd.fullyConnected(x, w, { num_hidden: 2, no_bias: true });
  assert.deepEqual(Array.from(y2.data()), ref);
  const y3 = mx.nd.fullyConnected(x, w, null, { numHidden: 2, noBias: true });
  assert.deepEqual(Array.from(y3.data()), ref);
  const y4 = mx.nd.fullyConnected({ data: x, weight: w, bias: b, numHidden: 2 });
  assert.deepEqual(Array.from(y4.data()), Array.from(y1.data()));
});

test('convolution with shape attributes', () => {
  const x = mx.nd.ones([1, 1, 4, 4]);
  const w = mx.nd.ones([2, 1, 3, 3]);
  const b = mx.nd.array([0, 1]);
  const y = mx.nd.convolution(x, w, b, { kernel: [3, 3], numFilter: 2, pad: [1, 1] });
  assert.deepEqual(y.shape, [1, 2, 4, 4]);
  const d = y.data();
  // corner sees 4 ones, edge 6, interior 9; plus the bias of the filter
  assert.deepEqual([d[0], d[1], d[5], d[16], d[21]], [4, 6, 9, 5, 10]);
});

test('variadic ops take a list (or spread arrays); count parameter is filled in', () => {
  const a = mx.nd.array([[1, 2]]), b = mx.nd.array([[3, 4]]);
  assert.deepEqual(mx.nd.concat([a, b], { dim: 0 }).toArray(), [[1, 2], [3, 4]]);
  assert.deepEqual(mx.nd.concat(a, b, { dim: 1 }).toArray(), [[1, 2, 3, 4]]);
  assert.deepEqual(Array.from(mx.nd.addN([a, b, a]).data()), [5, 8]);
  assert.deepEqual(mx.nd.stack([a, b], { axis: 0 }).shape, [2, 1, 2]);
});

test('multiple visible outputs come back as an array', () => {
  const x = mx.nd.arange(6).reshape(2, 3);
  const parts = mx.nd.split(x, { numOutputs: 3, axis: 1 });
  assert.equal(parts.length, 3);
  assert.deepEqual(parts.map((p) => Array.from(p.data())), [[0, 3], [1, 4], [2, 5]]);
  const data = mx.nd.array([[1, 2], [3, 5]]);
  const g = mx.nd.ones([2]), bt = mx.nd.zeros([2]);
  const one = mx.nd.layerNorm(data, g, bt);
  assert.ok(one instanceof mx.NDArray);
  const three = mx.nd.layerNorm(data, g, bt, { outputMeanVar: true });
  assert.equal(three.length, 3);
  assert.deepEqual(Array.from(three[1].data()), [1.5, 4]);
});

test('internal ops, enum/bool/dtype attributes, out', () => {
  const x = mx.nd.array([1, -2, 3]);
  assert.deepEqual(Array.from(mx.nd.internal.plusScalar(x, { scalar: 1.5 }).data()), [2.5, -0.5, 4.5]);
  assert.deepEqual(Array.from(mx.nd.activation(x, { actType: 'relu' }).data()), [1, 0, 3]);
  assert.equal(mx.nd.cast(x, { dtype: 'int32' }).dtype, 'int32');
  assert.equal(mx.nd.cast(x, { dtype: Float64Array }).dtype, 'float64');
  assert.deepEqual(Array.from(mx.nd.sum(mx.nd.ones([2, 3]), { axis: [0, 1], keepdims: true }).data()), [6]);
  const dst = mx.nd.zeros([3]);
  const r = mx.nd.relu(x, { out: dst });
  assert.equal(r, dst);
  assert.deepEqual(Array.from(dst.data()), [1, 0, 3]);
  assert.deepEqual(Array.from(mx.nd.invoke('_plus_scalar', [x], { scalar: '1' }).data()), [2, -1, 4]);
});

test('core errors arrive as MXNetError with kind and message', () => {
  const x = mx.nd.ones([2, 3]);
  assert.throws(() => mx.nd.fullyConnected(x, mx.nd.ones([4, 2]), { numHidden: 4, noBias: true }),
    (e) => isKind('VALUE')(e) && /FullyConnected/.test(e.message) && /weight/.test(e.message));
  assert.throws(() => mx.nd.reshape(x, { shapee: [3, 2] }), (e) => isKind('KEY')(e) && /shapee/.test(e.message));
  assert.throws(() => mx.nd.activation(x, { actType: 'nope' }), isKind('VALUE'));
  assert.throws(() => mx.nd.activation(x), isKind('VALUE'));
  assert.throws(() => mx.nd.sum(x, { axis: 4 }), isKind('INDEX'));
  assert.throws(() => mx.nd.relu(x, x, x), isKind('VALUE'));
  assert.throws(() => mx.nd.invoke('NoSuchOp', [x]), isKind('KEY'));
  assert.throws(() => mx.nd.relu(x, { out: mx.nd.zeros([5]) }), isKind('VALUE'));
  assert.throws(() => mx.nd.sum(x, { axis: {} }), isKind('TYPE'));
});

test('every op meets wrong input counts, dtypes and shapes with MXNetError, never a crash', () => {
  const x = mx.nd.array([[1, 2, 3], [4, 5, 6]]);
  const xi = mx.nd.array(new Int32Array([1, 2, 3]));
  let calls = 0;
  for (const op of mx.registry().ops) {
    const f = mx.nd.ops[op.name];
    for (const args of [[], [x], [x, x], [x, x, x], [xi], [[x, x]], [x, x, x, x, x]]) {
      calls++;
      try {
        const r = f(...args);
        for (const a of Array.isArray(r) ? r : [r]) a.wait().dispose();
      } catch (e) {
        assert.ok(e instanceof mx.MXNetError, `${op.name}: ${e}`);
        assert.ok(e.message.length > 0 && e.kind in { VALUE: 1, TYPE: 1, INDEX: 1, KEY: 1 } ||
                  e.kind === 'NOT_IMPLEMENTED', `${op.name}: ${e.kind} ${e.message}`);
      }
    }
  }
  mx.waitAll();
  assert.ok(calls > 1500);
});
