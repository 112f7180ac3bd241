// mx.sym: loading MXNet symbol JSON, listing inputs/outputs, shape inference,
// JSON round trip, errors.  The fixture was written by the Python frontend
// (test/fixtures/make_model.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mx from '../src/index.js';

const fixture = (n) => fileURLToPath(new URL(`./fixtures/${n}`, import.meta.url));

test('load a symbol file and list its inputs and outputs', () => {
  const s = mx.sym.load(fixture('mlp-symbol.json'));
  assert.deepEqual(s.listArguments(),
    ['data', 'fc1_weight', 'fc1_bias', 'fc2_weight', 'fc2_bias', 'bn_gamma', 'bn_beta']);
  assert.deepEqual(s.listAuxiliaryStates(), ['bn_moving_mean', 'bn_moving_var']);
  assert.deepEqual(s.listOutputs(), ['prob_output']);
  assert.equal(s.numOutputs, 1);
  assert.ok(s.getInternals().listOutputs().includes('fc1_output'));
  s.dispose();
});

test('shape inference from the data shape', () => {
  const s = mx.sym.load(fixture('mlp-symbol.json'));
  const r = s.inferShape({ data: [4, 5] });
  assert.equal(r.complete, true);
  assert.deepEqual(r.arguments, [[4, 5], [8, 5], [8], [3, 8], [3], [3], [3]]);
  assert.deepEqual(r.outputs, [[4, 3]]);
  assert.deepEqual(r.auxiliaryStates, [[3], [3]]);
  const partial = s.inferShape({});
  assert.equal(partial.complete, false);
  assert.throws(() => s.inferShape({ data: [4, 5], fc1_weight: [7, 7] }),
    (e) => e instanceof mx.MXNetError && e.kind === 'VALUE');
  assert.throws(() => s.inferShape({ nope: [1] }), (e) => e.kind === 'KEY');
});

test('JSON round trip through fromJSON / toJSON / save', () => {
  const s = mx.sym.load(fixture('mlp-symbol.json'));
  const again = mx.sym.fromJSON(s.toJSON());
  assert.equal(again.toJSON(), s.toJSON());
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mxl-js-')), 's.json');
  again.save(file);
  assert.deepEqual(mx.sym.load(file).listArguments(), s.listArguments());
  const v = mx.sym.variable('x');
  const g = mx.sym.group([v, s]);
  assert.equal(g.numOutputs, 2);
});

test('bad symbol JSON and missing files raise MXNetError', () => {
  assert.throws(() => mx.sym.fromJSON('{"nodes": 3'), (e) => e.kind === 'VALUE');
  assert.throws(() => mx.sym.fromJSON('{"nodes": [{"op": "NoSuchOp", "name": "a", "inputs": []}], ' +
    '"arg_nodes": [], "heads": [[0, 0, 0]]}'), (e) => e instanceof mx.MXNetError);
  assert.throws(() => mx.sym.load('/nonexistent/x.json'), (e) => e.kind === 'VALUE');
  assert.throws(() => mx.sym.group([1]), (e) => e.kind === 'TYPE');
  // a handle of the wrong kind never reaches the core
  const s = mx.sym.variable('x');
  assert.throws(() => mx.nd.relu(s), (e) => e.kind === 'TYPE');
  assert.throws(() => mx.sym.group([mx.nd.ones([1])]), (e) => e.kind === 'TYPE');
  assert.throws(() => new mx.Symbol(1n), (e) => e.kind === 'TYPE');
});

test('symbol handles return to the baseline (dispose and GC)', async () => {
  const { default: v8 } = await import('node:v8');
  const { default: vm } = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const settle = async () => {
    for (let i = 0; i < 10; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 5));
    }
    mx.nd.releaseOpHandles();
    return mx.liveHandles();
  };
  const base = await settle();
  const s = mx.sym.load(fixture('mlp-symbol.json'));
  s.getInternals().output(0);  // dropped: freed by the collector
  mx.sym.group([s, mx.sym.variable('v')]).listOutputs();
  s.dispose();
  assert.equal(await settle(), base);
});

test('mx.sym ops compose the same graph the Python frontend wrote', () => {
  const data = mx.sym.variable('data');
  let net = mx.sym.fullyConnected(data, { numHidden: 8, name: 'fc1' });
  net = mx.sym.activation(net, { actType: 'relu', name: 'relu1' });
  net = mx.sym.fullyConnected(net, { num_hidden: 3, name: 'fc2' });
  net = mx.sym.batchNorm(net, { fixGamma: false, eps: 1e-3, name: 'bn' });
  net = mx.sym.softmax(net, { axis: -1, name: 'prob' });
  assert.equal(net.toJSON(), mx.sym.load(fixture('mlp-symbol.json')).toJSON());
  // skipped optional inputs, variadic inputs, named inputs, internal ops
  assert.deepEqual(mx.sym.fullyConnected(data, null, null, { numHidden: 2, noBias: true, name: 'f' })
    .listArguments(), ['data', 'f_weight']);
  const w = mx.sym.variable('w');
  assert.deepEqual(mx.sym.fullyConnected({ data, weight: w, numHidden: 2, name: 'g' }).listArguments(),
    ['data', 'w', 'g_bias']);
  assert.deepEqual(mx.sym.concat([data, w], { dim: 1, name: 'c' }).listOutputs(), ['c_output']);
  assert.deepEqual(mx.sym.internal.plusScalar(data, { scalar: 1, name: 'p' }).listOutputs(),
    ['p_output']);
  assert.throws(() => mx.sym.relu(mx.nd.ones([1])), (e) => e.kind === 'TYPE');
  assert.throws(() => mx.sym.fullyConnected(data, { nope: 1 }), (e) => e.kind === 'KEY');
  assert.throws(() => mx.sym.activation(data, { actType: 'bad' }), (e) => e.kind === 'VALUE');
});
