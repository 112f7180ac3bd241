// mxlite for Node.js: `import mx from 'mxlite'` gives MXNet 1.9's mx.nd,
// mx.autograd and friends over libmxlite's C ABI.
import { C, LIBRARY_VERSION, libraryPath } from './lib.js';
import { MXNetError, check } from './errors.js';
import { NDArray, tidy, keep } from './ndarray.js';
import { nd } from './nd.js';
import * as autograd from './autograd.js';
import { Symbol, load as loadSymbol, fromJSON, variable, group } from './symbol.js';
import { symbolFunctions } from './symbol_ops.js';
import * as gen from './generated/index.js';
import { Executor, CachedOp } from './executor.js';
import { loadCheckpoint } from './io.js';

const box64 = new BigInt64Array(3);

/** Handles of every kind (arrays, ops, symbols) the core has not freed yet. */
export function liveHandles() {
  check(C.mxl_live_handles(box64));
  return Number(box64[0]);
}

/** Storage counters in bytes: {inUse, peak, pooled}. */
export function storageStats() {
  const a = new BigInt64Array(1), b = new BigInt64Array(1), c = new BigInt64Array(1);
  check(C.mxl_storage_stats(a, b, c));
  return { inUse: Number(a[0]), peak: Number(b[0]), pooled: Number(c[0]) };
}

/** The core's operator registry as its JSON document, parsed (c_api.h, "registry"). */
export function registry() {
  const need = new BigUint64Array(1);
  check(C.mxl_registry_json(null, 0n, need));
  const buf = Buffer.alloc(Number(need[0]));
  check(C.mxl_registry_json(buf, need[0], need));
  return JSON.parse(buf.toString('utf8', 0, buf.length - 1));
}

/** Seeds the core's random generator (mx.random.seed). */
export const random = Object.freeze({
  seed(s) { check(C.mxl_random_seed(BigInt(s))); },
});

/** Blocks until every pending op finished (mx.nd.waitall). */
export const waitAll = nd.waitAll;

export const version = LIBRARY_VERSION;
/**
 * mx.sym: symbols (load, fromJSON, variable, group) and every op as a
 * symbolic function taking the same arguments as its mx.nd twin.
 */
export const sym = Object.freeze({
  ...symbolFunctions(gen.pub),
  internal: Object.freeze(symbolFunctions(gen.internal)),
  Symbol, load: loadSymbol, fromJSON, variable, var: variable, group,
});

/** mx.model: MXNet checkpoints (prefix-symbol.json + prefix-NNNN.params). */
export const model = Object.freeze({ loadCheckpoint });

export { tidy, keep, nd, autograd, MXNetError, NDArray, Symbol, Executor, CachedOp, libraryPath };

const mx = { nd, sym, autograd, model, random, tidy, keep, MXNetError, NDArray, Symbol, Executor,
             CachedOp, liveHandles, storageStats, waitAll, registry, version, libraryPath };
export default mx;
