#!/usr/bin/env node
// Conformance runner: runs tests/conformance/*.json cases (format 1) through
// mx.nd.invoke with the cases' attribute strings, prints one line per failure,
// then "N passed, N failed", then checks the core's live-handle counter
// returned to its baseline.  Exit status 1 on any failure or leak.
//   node scripts/conformance.js [case files or directories...]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mx from '../src/index.js';
import { DTYPES } from '../src/dtype.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_DIR = path.resolve(here, '..', '..', '..', 'tests', 'conformance');

function num(v) {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v;
}

function makeInput(spec) {
  if (!DTYPES[spec.dtype]) throw new Error(`unknown dtype ${spec.dtype}`);
  const Typed = DTYPES[spec.dtype].Typed;
  const flat = spec.dtype === 'int64' ? BigInt64Array.from(spec.data, (v) => BigInt(v))
    : Typed.from(spec.data, num);
  return mx.nd.array(flat, { dtype: spec.dtype, shape: spec.shape });
}

function close(got, want, rtol, atol) {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (!Number.isFinite(want)) return got === want;
  return Math.abs(got - want) <= atol + rtol * Math.abs(want);
}

function compare(outputs, expected) {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const want = expected.outputs;
  if (outs.length !== want.length) return `${outs.length} outputs, expected ${want.length}`;
  const rtol = expected.rtol ?? 1e-5, atol = expected.atol ?? 1e-6;
  for (let k = 0; k < want.length; k++) {
    const o = outs[k], w = want[k];
    if (JSON.stringify(o.shape) !== JSON.stringify(w.shape)) {
      return `output ${k}: shape [${o.shape}], expected [${w.shape}]`;
    }
    if (w.dtype && o.dtype !== w.dtype) return `output ${k}: dtype ${o.dtype}, expected ${w.dtype}`;
    const data = o.data();
    if (data.length !== w.data.length) return `output ${k}: ${data.length} values, expected ${w.data.length}`;
    for (let i = 0; i < data.length; i++) {
      const g = Number(data[i]), e = num(w.data[i]);
      if (!close(g, e, rtol, atol)) return `output ${k}[${i}]: ${g}, expected ${e}`;
    }
  }
  return null;
}

function dispose(x) {
  if (Array.isArray(x)) x.forEach(dispose);
  else if (x instanceof mx.NDArray) x.dispose();
}

/** Runs one case; returns null on success or a failure message. */
export function runCase(c) {
  let inputs = [], outputs = null;
  try {
    inputs = c.inputs.map(makeInput);
    try {
      outputs = mx.nd.invoke(c.op, inputs, c.attrs ?? {});
      if (c.error) {
        // Some errors surface at the sync point (asynchronous kernels).
        (Array.isArray(outputs) ? outputs : [outputs]).forEach((o) => o.wait());
        return `expected a ${c.error} error, the call succeeded`;
      }
    } catch (e) {
      if (!(e instanceof mx.MXNetError)) throw e;
      if (c.error) return e.kind === c.error ? null : `raised ${e.kind} (${e.message}), expected ${c.error}`;
      return `raised ${e.kind}: ${e.message}`;
    }
    return compare(outputs, c.expected);
  } finally {
    dispose(inputs);
    dispose(outputs);
  }
}

/** The .json files of paths (files, or directories searched one level). */
export function caseFiles(paths) {
  const files = [];
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new Error(`conformance: no such file or directory: ${p}`);
    if (fs.statSync(p).isDirectory()) {
      for (const f of fs.readdirSync(p).sort()) if (f.endsWith('.json')) files.push(path.join(p, f));
    } else {
      files.push(p);
    }
  }
  return files;
}

/** Runs every case of files; returns {passed, failed, failures, leaked}. */
export function runFiles(files) {
  mx.waitAll();
  mx.nd.releaseOpHandles();
  const baseline = mx.liveHandles();
  let passed = 0;
  const failures = [];
  for (const f of files) {
    const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
    if (doc.format !== 1) {
      failures.push(`${path.basename(f)}: unsupported format ${doc.format}`);
      continue;
    }
    for (const c of doc.cases) {
      let msg;
      try {
        msg = runCase(c);
      } catch (e) {
        msg = `crashed: ${e.stack ?? e}`;
      }
      if (msg === null) passed++;
      else failures.push(`${path.basename(f)}: ${c.name}: ${msg}`);
    }
  }
  try {
    mx.waitAll();
  } catch {
    // an asynchronous error of an error case, already accounted for
  }
  mx.nd.releaseOpHandles();
  const leaked = mx.liveHandles() - baseline;
  return { passed, failed: failures.length, failures, leaked };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  let files;
  try {
    files = caseFiles(args.length ? args : [DEFAULT_DIR]);
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  const r = runFiles(files);
  for (const f of r.failures) console.log(`FAIL ${f}`);
  console.log(`${r.passed} passed, ${r.failed} failed`);
  if (r.leaked !== 0) console.log(`LEAK: ${r.leaked} live handle(s) above the baseline`);
  else console.log('live handles back to baseline');
  process.exit(r.failed === 0 && r.leaked === 0 ? 0 : 1);
}
