// Autograd: scoped recording, attachGrad/backward/grad with head gradients,
// grad_req add, autograd.grad, modes.  Oracle: analytic derivatives and
// central finite differences computed in JavaScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mx from '../src/index.js';

const close = (a, b, tol = 1e-4) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `[${i}] ${a[i]} vs ${b[i]}`);
  }
};

test('record scope switches recording and training on, then restores them', () => {
  assert.equal(mx.autograd.isRecording(), false);
  const r = mx.autograd.record(() => {
    assert.equal(mx.autograd.isRecording(), true);
    assert.equal(mx.autograd.isTraining(), true);
    mx.autograd.pause(() => assert.equal(mx.autograd.isRecording(), false));
    return 42;
  });
  assert.equal(r, 42);
  assert.equal(mx.autograd.isRecording(), false);
  assert.equal(mx.autograd.isTraining(), false);
  assert.throws(() => mx.autograd.record(() => { throw new Error('boom'); }), /boom/);
  assert.equal(mx.autograd.isRecording(), false);
  mx.autograd.record(() => assert.equal(mx.autograd.isTraining(), false), { trainMode: false });
  assert.throws(() => mx.autograd.record(async () => 1), (e) => e.kind === 'VALUE');
  assert.equal(mx.autograd.isRecording(), false);
});

test('backward of sum(x * x) is 2x; with a head gradient it is scaled', () => {
  const xs = [1, -2, 3];
  const x = mx.nd.array(xs);
  x.attachGrad();
  const y = mx.autograd.record(() => x.mul(x));
  y.backward();
  close(x.grad.data(), xs.map((v) => 2 * v));
  const z = mx.autograd.record(() => x.mul(x));
  z.backward(mx.nd.array([1, 10, 100]));
  close(x.grad.data(), [2, -40, 600]);
});

test('gradient of a small network matches finite differences', () => {
  const xs = [0.3, -0.7, 1.1, 0.5, -0.2, 0.9];
  const ws = [0.2, -0.4, 0.6, 0.1, 0.5, -0.3];
  const f = (wv) => {  // sum(tanh(x @ w^T)) with x 2x3, w 2x3, in JS
    let s = 0;
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
      let t = 0;
      for (let k = 0; k < 3; k++) t += xs[i * 3 + k] * wv[j * 3 + k];
      s += Math.tanh(t);
    }
    return s;
  };
  const x = mx.nd.array(xs, { shape: [2, 3] });
  const w = mx.nd.array(ws, { shape: [2, 3] });
  w.attachGrad();
  const loss = mx.autograd.record(() =>
    mx.nd.tanh(mx.nd.fullyConnected(x, w, { numHidden: 2, noBias: true })).sum());
  assert.ok(Math.abs(loss.item() - f(ws)) < 1e-5);
  loss.backward();
  const eps = 1e-4;
  const num = ws.map((_, i) => {
    const p = ws.slice(), m = ws.slice();
    p[i] += eps; m[i] -= eps;
    return (f(p) - f(m)) / (2 * eps);
  });
  close(w.grad.data(), num, 1e-3);
});

test("grad_req 'add' accumulates; markVariables with explicit buffers", () => {
  const x = mx.nd.array([1, 2]);
  x.attachGrad('add');
  for (let i = 0; i < 3; i++) mx.autograd.record(() => x.mul(3).sum()).backward();
  close(x.grad.data(), [9, 9]);
  const v = mx.nd.array([2, 5]);
  const g = mx.nd.zeros([2]);
  mx.autograd.markVariables([v], [g], ['write']);
  mx.autograd.backward(mx.autograd.record(() => v.mul(v).sum()));
  close(g.data(), [4, 10]);
  assert.throws(() => mx.autograd.markVariables([v], [g], ['sometimes']), (e) => e.kind === 'VALUE');
});

test('autograd.grad returns gradients; createGraph allows a second derivative', () => {
  const x = mx.nd.array([1, 2, 3]);
  x.attachGrad();
  let dx;
  mx.autograd.record(() => {
    const y = x.mul(x).mul(x);  // x^3
    dx = mx.autograd.grad(y.sum(), [x], { createGraph: true })[0];
    dx.sum().backward();          // d/dx sum(3x^2) = 6x
  });
  close(dx.data(), [3, 12, 27]);
  close(x.grad.data(), [6, 12, 18]);
});

test('detach cuts history; backward on an untracked array fails clearly', () => {
  const x = mx.nd.array([1, 2]);
  x.attachGrad();
  const y = mx.autograd.record(() => x.mul(2).detach().mul(x).sum());
  y.backward();
  close(x.grad.data(), [2, 4]);
  assert.throws(() => mx.nd.ones([2]).backward(), (e) => e instanceof mx.MXNetError && e.kind === 'VALUE');
});

test('training mode reaches the kernels: Dropout drops only while training', () => {
  mx.random.seed(1);
  const x = mx.nd.ones([1000]);
  const inference = mx.nd.dropout(x, { p: 0.5 }).data();
  assert.ok(inference.every((v) => v === 1));
  const train = mx.autograd.record(() => mx.nd.dropout(x, { p: 0.5 })).data();
  const zeros = train.filter((v) => v === 0).length;
  assert.ok(zeros > 350 && zeros < 650, `${zeros} zeros`);
  assert.ok(train.every((v) => v === 0 || Math.abs(v - 2) < 1e-6));
  const pred = mx.autograd.record(() => mx.nd.dropout(x, { p: 0.5 }), { trainMode: false }).data();
  assert.ok(pred.every((v) => v === 1));
});
