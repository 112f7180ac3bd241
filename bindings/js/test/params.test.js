// .params files through the core's "files" C ABI: mx.nd.save / load (dict and
// list files, buffers) and MXNet checkpoints (arg:/aux: keys).  The
// checkpoint's bytes were written from the format spec by
// test/fixtures/make_model.py, independently of the core's writer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mx from '../src/index.js';

const fixture = (n) => fileURLToPath(new URL(`./fixtures/${n}`, import.meta.url));

test('loadCheckpoint splits arg:/aux: parameters and reads the symbol', () => {
  const { symbol, argParams, auxParams } = mx.model.loadCheckpoint(fixture('mlp'), 0);
  assert.deepEqual(Object.keys(argParams).sort(),
    ['bn_beta', 'bn_gamma', 'fc1_bias', 'fc1_weight', 'fc2_bias', 'fc2_weight']);
  assert.deepEqual(Object.keys(auxParams).sort(), ['bn_moving_mean', 'bn_moving_var']);
  assert.deepEqual(argParams.fc1_weight.shape, [8, 5]);
  assert.deepEqual(Array.from(argParams.bn_gamma.data()), [1, 0.5, 2]);
  assert.deepEqual(symbol.listAuxiliaryStates(), ['bn_moving_mean', 'bn_moving_var']);
});

test('mx.nd.save / load: dict and list files, buffers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mxl-js-'));
  const a = mx.nd.array([[1, 2], [3, 4]]);
  const b = mx.nd.array(new Int32Array([5, 6, 7]));
  mx.nd.save(path.join(dir, 'd.params'), { a, b });
  const d = mx.nd.load(path.join(dir, 'd.params'));
  assert.deepEqual(Object.keys(d), ['a', 'b']);
  assert.deepEqual(d.a.toArray(), [[1, 2], [3, 4]]);
  assert.equal(d.b.dtype, 'int32');
  assert.deepEqual(Array.from(d.b.data()), [5, 6, 7]);
  mx.nd.save(path.join(dir, 'l.params'), [a, b]);
  const l = mx.nd.load(path.join(dir, 'l.params'));
  assert.ok(Array.isArray(l));
  assert.deepEqual(Array.from(l[1].data()), [5, 6, 7]);
  const bytes = mx.nd.saveToBuffer({ a });
  mx.nd.save(path.join(dir, 'a.params'), { a });
  assert.deepEqual(bytes, fs.readFileSync(path.join(dir, 'a.params')));
  assert.deepEqual(mx.nd.loadFromBuffer(bytes).a.toArray(), [[1, 2], [3, 4]]);
  // The checkpoint fixture's bytes, loaded from memory.
  const ck = mx.nd.loadFromBuffer(fs.readFileSync(fixture('mlp-0000.params')));
  assert.deepEqual(ck['aux:bn_moving_var'].data(), new Float32Array([1.5, 0.8, 1.0]));
  assert.throws(() => mx.nd.loadFromBuffer(Buffer.from([1, 2, 3])), (e) => e.kind === 'VALUE');
  assert.throws(() => mx.nd.load(path.join(dir, 'missing.params')), (e) => e.kind === 'VALUE');
});

test('loading frees the core list and leaves only the returned arrays', () => {
  mx.waitAll();
  mx.nd.releaseOpHandles();
  const base = mx.liveHandles();
  const d = mx.nd.load(fixture('mlp-0000.params'));
  assert.equal(mx.liveHandles(), base + Object.keys(d).length);
  for (const a of Object.values(d)) a.dispose();
  assert.throws(() => mx.nd.loadFromBuffer(Buffer.alloc(40)), (e) => e.kind === 'VALUE');
  assert.equal(mx.liveHandles(), base);
});
