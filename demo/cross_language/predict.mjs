// Load the model Python exported (model-symbol.json + model-0000.params) with
// the JavaScript binding's public API and print its predictions for
// inputs.json as one JSON line: {"shape": [n, classes], "data": [...]} row-major.
// Usage: MXLITE_LIBRARY=build/libmxlite.so node predict.mjs OUT_DIR
import fs from 'node:fs';
import path from 'node:path';
import mx from '../../bindings/js/src/index.js';

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node predict.mjs OUT_DIR');
  process.exit(2);
}
const inputs = JSON.parse(fs.readFileSync(path.join(outDir, 'inputs.json'), 'utf8'));
const { symbol, argParams, auxParams } = mx.model.loadCheckpoint(path.join(outDir, 'model'), 0);
// Compiled once and called like an op, inputs in symbol.listInputs() order.
const op = new mx.CachedOp(symbol, { static_alloc: true });
const all = { data: mx.nd.array(inputs.data, { shape: inputs.shape }), ...argParams, ...auxParams };
const prob = op.call(symbol.listInputs().map((name) => all[name]));
console.log(JSON.stringify({ shape: prob.shape, data: Array.from(prob.data()) }));
op.dispose();
