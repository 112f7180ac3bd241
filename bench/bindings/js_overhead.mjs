// Per-call overhead of the JavaScript binding: a tiny op (_plus_scalar on a
// 1-element float32 array) through the generated wrapper, including creating
// and disposing the result NDArray.  Median over several runs of N calls.
// Prints one machine-readable line `overhead_us js <median wall-clock us>`;
// the comment line before it adds the process CPU time per call (steadier
// on a busy machine, where wall time includes waiting for a core) and the
// same call made directly through koffi (the FFI's own floor).
//   node bench/bindings/js_overhead.mjs [N] [runs]
// Needs `npm ci` in bindings/js; MXLITE_LIBRARY overrides the library path
// (default build/libmxlite.so).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.resolve(here, '..', '..', 'bindings', 'js', 'src');
const { default: mx } = await import(pathToFileURL(path.join(src, 'index.js')).href);
const { C } = await import(pathToFileURL(path.join(src, 'lib.js')).href);
const { opHandle } = await import(pathToFileURL(path.join(src, 'invoke.js')).href);

const N = Number(process.argv[2] ?? 20000);
const RUNS = Number(process.argv[3] ?? 7);
const x = mx.nd.array([1.0]);
const plusScalar = mx.nd.internal.plusScalar;

const median = (a) => a.slice().sort((p, q) => p - q)[Math.floor(a.length / 2)];

function run(fn) {
  for (let i = 0; i < 2000; i++) fn();  // warm-up (JIT, caches)
  mx.waitAll();
  const wall = [], cpu = [];
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn();
    mx.waitAll();
    wall.push(Number(process.hrtime.bigint() - t0) / N / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / N);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

// The floor: mxl_invoke through koffi with everything prepared.
const h = opHandle('_plus_scalar');
const ins = BigUint64Array.of(x.handle), cap = new Int32Array(1), outs = new BigUint64Array(64);
const kb = Buffer.from('scalar\0'), vb = Buffer.from('1\0');
const { default: koffi } = await import(pathToFileURL(path.resolve(src, '..', 'node_modules', 'koffi', 'index.js')).href);
const keys = BigUint64Array.of(koffi.address(kb)), vals = BigUint64Array.of(koffi.address(vb));
const raw = run(() => {
  cap[0] = 64;
  C.mxl_invoke(h, 1, ins, 1, keys, vals, cap, outs);
  C.mxl_array_free(outs[0]);
  outs[0] = 0n;
});
const wrapped = run(() => plusScalar(x, { scalar: 1 }).dispose());
const method = run(() => x.add(1).dispose());
const f = (r) => `${r.wall.toFixed(2)} us wall / ${r.cpu.toFixed(2)} us cpu`;
console.log(`# per call (N=${N}, runs=${RUNS}, medians): wrapper ${f(wrapped)}; x.add(1) ` +
            `${f(method)}; raw koffi mxl_invoke ${f(raw)}`);
console.log(`overhead_us js ${wrapped.wall.toFixed(2)}`);
