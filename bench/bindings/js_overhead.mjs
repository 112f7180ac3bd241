// Per-call overhead of the JavaScript binding: a tiny op (_plus_scalar on a
// 1-element float32 array) through the generated wrapper, including creating
// and disposing the result NDArray.  Median over several runs of N calls.
// Prints one machine-readable line: `overhead_us js <median>`.
//   node bench/bindings/js_overhead.mjs [N] [runs]
// The package must be installed (npm ci in bindings/js); MXLITE_LIBRARY
// overrides the library path (default build/libmxlite.so).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(here, '..', '..', 'bindings', 'js');
const { default: mx } = await import(pathToFileURL(path.join(pkg, 'src', 'index.js')).href);

const N = Number(process.argv[2] ?? 20000);
const RUNS = Number(process.argv[3] ?? 7);
const x = mx.nd.array([1.0]);
const plusScalar = mx.nd.internal.plusScalar;

function median(a) {
  const s = a.slice().sort((p, q) => p - q);
  return s[Math.floor(s.length / 2)];
}

function run(fn) {
  for (let i = 0; i < 2000; i++) fn();  // warm-up (JIT, caches)
  mx.waitAll();
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn();
    mx.waitAll();
    times.push(Number(process.hrtime.bigint() - t0) / N / 1000);
  }
  return median(times);
}

const withOpts = run(() => plusScalar(x, { scalar: 1 }).dispose());
const raw = run(() => x.add(1).dispose());
console.log(`# wrapper with options: ${withOpts.toFixed(2)} us/call; NDArray.add(number): ` +
            `${raw.toFixed(2)} us/call (N=${N}, runs=${RUNS}, median)`);
console.log(`overhead_us js ${withOpts.toFixed(2)}`);
