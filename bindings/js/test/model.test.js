// Inference of a model trained in Python: an MXNet checkpoint (symbol JSON +
// .params with arg:/aux: keys, the .params bytes written from the format
// spec by test/fixtures/make_model.py) loaded through the core and run with
// an executor and with a CachedOp; NumPy's forward pass is the oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mx from '../src/index.js';

const fixture = (n) => fileURLToPath(new URL(`./fixtures/${n}`, import.meta.url));
const expected = JSON.parse(fs.readFileSync(fixture('mlp-expected.json'), 'utf8'));

const close = (a, b, tol = 1e-5) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `[${i}] ${a[i]} vs ${b[i]}`);
  }
};

test('load a checkpoint and run it with an executor', () => {
  const { symbol, argParams, auxParams } = mx.model.loadCheckpoint(fixture('mlp'), 0);
  assert.deepEqual(Object.keys(auxParams).sort(), ['bn_moving_mean', 'bn_moving_var']);
  assert.deepEqual(argParams.fc1_weight.shape, [8, 5]);
  const data = mx.nd.array(expected.input.data, { shape: expected.input.shape });
  const exe = symbol.bind({ args: { data, ...argParams }, auxStates: auxParams, gradReq: 'null' });
  const [prob] = exe.forward();
  assert.deepEqual(prob.shape, expected.output.shape);
  close(prob.data(), expected.output.data);
  // forward again with other data copied in
  const [p2] = exe.forward({ data: new Float32Array(expected.input.data) });
  close(p2.data(), expected.output.data);
  exe.dispose();
});

test('simpleBind allocates from shapes; parameters are copied in', () => {
  const { symbol, argParams, auxParams } = mx.model.loadCheckpoint(fixture('mlp'), 0);
  const exe = symbol.simpleBind({ shapes: { data: expected.input.shape }, gradReq: 'null' });
  for (const [k, v] of Object.entries(argParams)) v.copyTo(exe.argDict[k]);
  for (const [k, v] of Object.entries(auxParams)) v.copyTo(exe.auxDict[k]);
  const [prob] = exe.forward({ data: expected.input.data });
  close(prob.data(), expected.output.data);
  exe.dispose();
});

test('the same model through a CachedOp (inputs in listInputs order)', () => {
  const { symbol, argParams, auxParams } = mx.model.loadCheckpoint(fixture('mlp'), 0);
  const op = new mx.CachedOp(symbol, { static_alloc: true });
  const all = { data: mx.nd.array(expected.input.data, { shape: expected.input.shape }),
                ...argParams, ...auxParams };
  const out = op.call(symbol.listInputs().map((n) => all[n]));
  close(out.data(), expected.output.data);
  op.dispose();
});

test('binding errors are MXNetErrors', () => {
  const { symbol, argParams } = mx.model.loadCheckpoint(fixture('mlp'), 0);
  const data = mx.nd.ones([4, 6]);  // wrong feature count
  assert.throws(() => symbol.bind({ args: { data, ...argParams }, gradReq: 'null',
                                    auxStates: [mx.nd.zeros([3]), mx.nd.ones([3])] }),
                (e) => e instanceof mx.MXNetError && e.kind === 'VALUE');
  assert.throws(() => symbol.bind({ args: { data } }), (e) => e.kind === 'VALUE');
  assert.throws(() => symbol.bind({ args: { nope: data } }), (e) => e.kind === 'KEY');
});

test('executor backward gives the gradients eager autograd gives', () => {
  const { symbol, argParams, auxParams } = mx.model.loadCheckpoint(fixture('mlp'), 0);
  const x = mx.nd.array(expected.input.data, { shape: expected.input.shape });
  const headGrad = mx.nd.array([0.3, -1, 2, 0.5, 1, -0.2, 0.1, 0.7, -0.4, 1.5, -2, 0.9],
                               { shape: [4, 3] });
  const exe = symbol.simpleBind({ shapes: { data: [4, 5] } });
  for (const [k, v] of Object.entries(argParams)) v.copyTo(exe.argDict[k]);
  for (const [k, v] of Object.entries(auxParams)) v.copyTo(exe.auxDict[k]);
  exe.forward({ isTrain: true, data: x });
  exe.backward(headGrad);
  // eager: the same graph with mx.nd ops, recorded
  const p = argParams;
  for (const v of Object.values(p)) v.attachGrad();
  const mean = auxParams.bn_moving_mean.copy(), vari = auxParams.bn_moving_var.copy();
  const y = mx.autograd.record(() => {
    let h = mx.nd.relu(mx.nd.fullyConnected(x, p.fc1_weight, p.fc1_bias, { numHidden: 8 }));
    h = mx.nd.fullyConnected(h, p.fc2_weight, p.fc2_bias, { numHidden: 3 });
    h = mx.nd.batchNorm(h, p.bn_gamma, p.bn_beta, mean, vari, { fixGamma: false, eps: 1e-3 });
    return mx.nd.softmax(h, { axis: -1 });
  });
  y.backward(headGrad);
  close(exe.outputs[0].data(), y.data());
  for (const k of Object.keys(p)) close(exe.gradDict[k].data(), p[k].grad.data(), 1e-4);
  exe.dispose();
});

test('reshape gives an executor for another batch size', () => {
  const { symbol, argParams, auxParams } = mx.model.loadCheckpoint(fixture('mlp'), 0);
  const exe = symbol.bind({ args: { data: mx.nd.zeros([4, 5]), ...argParams }, auxStates: auxParams,
                            gradReq: 'null' });
  const two = exe.reshape({ data: [2, 5] });
  const [p] = two.forward({ data: expected.input.data.slice(0, 10) });
  assert.deepEqual(p.shape, [2, 3]);
  close(p.data(), expected.output.data.slice(0, 6));
  assert.throws(() => exe.reshape({ data: [8, 5] }), (e) => e.kind === 'VALUE');  // grows
  const big = exe.reshape({ data: [8, 5] }, { allowUpSizing: true });
  assert.deepEqual(big.outputs[0].shape, [8, 3]);
  for (const e of [exe, two, big]) e.dispose();
});

test('a recorded CachedOp call is differentiable (one tape node)', () => {
  const data = mx.sym.variable('data');
  const net = mx.sym.tanh(mx.sym.fullyConnected(data, { numHidden: 3, name: 'fc' }));
  const op = new mx.CachedOp(net);
  assert.deepEqual(net.listInputs(), ['data', 'fc_weight', 'fc_bias']);
  const x = mx.nd.array(expected.input.data, { shape: [4, 5] });
  const w = mx.nd.array([0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8, 0.9, 0.1, 0.2, -0.3, 0.4, 0.5, 0.6],
                        { shape: [3, 5] });
  const b = mx.nd.array([0.1, 0, -0.1]);
  w.attachGrad();
  const y = mx.autograd.record(() => op.call(x, w, b).sum());
  y.backward();
  const g1 = w.grad.data();
  const z = mx.autograd.record(() => mx.nd.tanh(mx.nd.fullyConnected(x, w, b, { numHidden: 3 })).sum());
  z.backward();
  close(g1, w.grad.data());
  op.dispose();
});
