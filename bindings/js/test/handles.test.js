// Handle lifetime: dispose() frees at once; arrays the program drops are freed
// by the FinalizationRegistry after garbage collection.  The core's live
// handle counter (arrays, ops, symbols) must come back to its baseline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import mx from '../src/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

async function collect() {
  // Finalization callbacks run in later tasks: collect and yield a few times.
  for (let i = 0; i < 10; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
  }
}

function baseline() {
  mx.waitAll();
  mx.nd.releaseOpHandles();
  return mx.liveHandles();
}

test('dispose() frees handles at once', () => {
  const base = baseline();
  const a = mx.nd.ones([3]);
  const b = a.add(1);
  const m = mx.nd.ones([2, 4]);
  const c = mx.nd.split(m, { numOutputs: 2, axis: 1 });
  assert.ok(mx.liveHandles() > base);
  for (const x of [a, b, m, ...c]) x.dispose();
  assert.equal(baseline(), base);
});

test('dropped arrays are freed by the garbage collector', async () => {
  await collect();
  const base = baseline();
  (() => {
    for (let i = 0; i < 200; i++) {
      const x = mx.nd.ones([4]);
      const y = x.mul(2).add(x);
      y.reshape(2, 2).sum().data();
    }
  })();
  assert.ok(mx.liveHandles() > base + 100);
  await collect();
  assert.equal(baseline(), base);
});

test('autograd graphs and gradient buffers are released too', async () => {
  await collect();
  const base = baseline();
  (() => {
    const w = mx.nd.ones([3]);
    w.attachGrad();
    for (let i = 0; i < 5; i++) mx.autograd.record(() => w.mul(w).sum()).backward();
    w.grad.data();
  })();
  await collect();
  assert.equal(baseline(), base);
});

test('errors leave no handle behind', () => {
  const base = baseline();
  const x = mx.nd.ones([2, 3]);
  const w = mx.nd.ones([4, 2]);
  for (let i = 0; i < 20; i++) {
    assert.throws(() => mx.nd.fullyConnected(x, w, { numHidden: 4, noBias: true }));
    assert.throws(() => mx.nd.sum(x, { axis: 9 }));
    assert.throws(() => mx.nd.relu(x, { out: mx.nd.zeros([1]) }));
  }
  x.dispose();
  w.dispose();
  mx.waitAll();
  // the out arrays of the failing calls were dropped without dispose()
  return collect().then(() => assert.equal(baseline(), base));
});

test('tidy() disposes what its function created, except results and kept arrays', () => {
  const base = baseline();
  const x = mx.nd.ones([3]);
  let kept, inner;
  const r = mx.tidy(() => {
    const a = x.mul(2);
    kept = mx.keep(a.add(1));
    inner = mx.tidy(() => a.sub(1));  // returned from the inner scope: the outer one owns it
    return { sum: a.add(x), parts: [a.mul(a)] };
  });
  assert.deepEqual(Array.from(r.sum.data()), [3, 3, 3]);
  assert.deepEqual(Array.from(r.parts[0].data()), [4, 4, 4]);
  assert.deepEqual(Array.from(kept.data()), [3, 3, 3]);
  assert.equal(inner.disposed, true);
  assert.equal(x.disposed, false);
  for (const a of [x, r.sum, r.parts[0], kept]) a.dispose();
  assert.equal(baseline(), base);
  assert.throws(() => mx.tidy(() => { throw new Error('inside'); }), /inside/);
  assert.equal(baseline(), base);
});

test('tidy() leaves gradient buffers to their variable', () => {
  const w = mx.nd.array([1, 2]);
  mx.tidy(() => {
    w.attachGrad();
    mx.autograd.record(() => w.mul(w).sum()).backward();
  });
  assert.deepEqual(Array.from(w.grad.data()), [2, 4]);
  w.dispose();
});
