// Training a small MLP on synthetic data with sgd_mom_update: the loss must
// fall.  Everything (forward, gradients, update) runs in the core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mx from '../src/index.js';

// Deterministic pseudo-random numbers (a linear congruential generator), so
// the test does not depend on the core's random ops.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

test('an MLP learns a synthetic two-class problem (loss decreases)', () => {
  const r = rng(7);
  const N = 128, D = 8, H = 16, K = 2;
  const xs = new Float32Array(N * D), ys = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let d = 0; d < D; d++) {
      xs[i * D + d] = r() * 2;
      s += xs[i * D + d] * (d % 2 ? 1 : -1);
    }
    ys[i] = s > 0 ? 1 : 0;
  }
  const x = mx.nd.array(xs, { shape: [N, D] });
  const y = mx.nd.array(ys);
  const init = (shape, scale) => mx.nd.array(Float32Array.from({ length: shape.reduce((a, b) => a * b) },
    () => r() * scale), { shape });
  const params = [init([H, D], 0.5), mx.nd.zeros([H]), init([K, H], 0.5), mx.nd.zeros([K])];
  const moms = params.map((p) => mx.nd.zerosLike(p));
  for (const p of params) p.attachGrad();
  const [w1, b1, w2, b2] = params;
  const losses = [];
  for (let epoch = 0; epoch < 60; epoch++) {
    const loss = mx.autograd.record(() => {
      const h = mx.nd.relu(mx.nd.fullyConnected(x, w1, b1, { numHidden: H }));
      const logits = mx.nd.fullyConnected(h, w2, b2, { numHidden: K });
      const logp = mx.nd.logSoftmax(logits, { axis: -1 });
      return mx.nd.pick(logp, y, { axis: -1 }).mean().neg();
    });
    loss.backward();
    params.forEach((p, i) => {
      mx.nd.sgdMomUpdate(p, p.grad, moms[i], { lr: 0.5, momentum: 0.9, out: p });
    });
    losses.push(loss.item());
    loss.dispose();
  }
  assert.ok(losses[0] > 0.6, `initial loss ${losses[0]}`);
  assert.ok(losses.at(-1) < 0.5 * losses[0], `loss ${losses[0]} -> ${losses.at(-1)}`);
  // accuracy on the training set
  const h = mx.nd.relu(mx.nd.fullyConnected(x, w1, b1, { numHidden: H }));
  const pred = mx.nd.argmax(mx.nd.fullyConnected(h, w2, b2, { numHidden: K }), { axis: 1 }).data();
  let correct = 0;
  for (let i = 0; i < N; i++) correct += pred[i] === ys[i] ? 1 : 0;
  assert.ok(correct / N > 0.9, `accuracy ${correct / N}`);
});
