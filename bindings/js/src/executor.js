// Executors (Symbol.bind / simpleBind) and CachedOp through the core's
// "executors" and "cached ops" C ABI sections: a graph planned and run by the
// core, here only handed arrays.
import { optionalFunc } from './lib.js';
import { MXNetError, check } from './errors.js';
import { NDArray, wrap } from './ndarray.js';
import { DTYPES, normDtype } from './dtype.js';
import { Symbol } from './symbol.js';

const SIG = {
  bind: 'int mxl_executor_bind(void* sym, int32_t num_args, const void* args, const void* grads, const int32_t* grad_reqs, int32_t num_aux, const void* aux, _Out_ void** out)',
  simpleBind: 'int mxl_executor_simple_bind(void* sym, int32_t num_shapes, const char** shape_names, const int32_t* ndims, const int64_t* dims, int32_t num_types, const char** type_names, const int32_t* dtypes, const int32_t* grad_reqs, _Out_ void** out)',
  free: 'void mxl_executor_free(void* exec)',
  forward: 'int mxl_executor_forward(void* exec, int32_t is_train)',
  backward: 'int mxl_executor_backward(void* exec, int32_t num_out_grads, const void* out_grads, int32_t is_train)',
  arrays: 'int mxl_executor_arrays(void* exec, int32_t which, int32_t cap, _Out_ void* out, _Out_ int32_t* count)',
  reshape: 'int mxl_executor_reshape(void* exec, int32_t num, const char** names, const int32_t* ndims, const int64_t* dims, int32_t partial_shaping, int32_t allow_up_sizing, _Out_ void** out)',
  memory: 'int mxl_executor_memory(void* exec, _Out_ int64_t* planned, _Out_ int64_t* naive, _Out_ int32_t* mirrored)',
  coCreate: 'int mxl_cached_op_create(void* sym, int32_t num_flags, const char** keys, const char** vals, _Out_ void** out)',
  coFree: 'void mxl_cached_op_free(void* op)',
  coNumIO: 'int mxl_cached_op_num_io(void* op, _Out_ int32_t* num_inputs, _Out_ int32_t* num_outputs)',
  coInvoke: 'int mxl_cached_op_invoke(void* op, int32_t num_inputs, const void* inputs, _Inout_ int32_t* num_outputs, _Out_ void* outputs)',
};

function fn(key) {
  const f = optionalFunc(SIG[key]);
  if (!f) {
    const name = SIG[key].match(/ (mxl_\w+)\(/)[1];
    throw new MXNetError(`${name}: the loaded libmxlite predates the executor C ABI`,
                         'NOT_IMPLEMENTED');
  }
  return f;
}

const GRAD_REQ = { null: 0, write: 1, add: 3 };
const KIND = { arguments: 0, gradients: 1, auxiliaryStates: 2, outputs: 3 };

function gradReqCode(r, name) {
  const c = GRAD_REQ[r];
  if (c === undefined) {
    throw new MXNetError(`bind: grad_req of '${name}' must be 'write', 'add' or 'null', got ` +
                         JSON.stringify(r), 'VALUE');
  }
  return c;
}

function handleOrZero(a, what) {
  if (a === null || a === undefined) return 0n;
  if (!(a instanceof NDArray)) throw new MXNetError(`${what} must be an NDArray`, 'TYPE');
  return a.handle;
}

/** Arrays by name (object) or in list order (array) -> list order. */
function ordered(given, names, what, required) {
  if (given === undefined || given === null) {
    if (required && names.length) throw new MXNetError(`bind: ${what} are required`, 'VALUE');
    return names.map(() => null);
  }
  if (Array.isArray(given)) return given;
  for (const k of Object.keys(given)) {
    if (!names.includes(k)) {
      throw new MXNetError(`bind: '${k}' is not one of the ${what} (${names.join(', ')})`, 'KEY');
    }
  }
  return names.map((n) => {
    if (required && !(n in given)) throw new MXNetError(`bind: ${what} lack '${n}'`, 'VALUE');
    return given[n] ?? null;
  });
}

const finalizer = new FinalizationRegistry(([free, h]) => free(h));
const OWN = globalThis.Symbol('mxlite.Executor');  // raw handles stay internal

/** A bound symbol (MXNet's Executor). */
export class Executor {
  /** Not for direct use: executors come from Symbol.bind / simpleBind. */
  constructor(handle, symbol, token) {
    if (token !== OWN) {
      throw new MXNetError('Executor: use Symbol.bind / simpleBind; the constructor is internal',
                           'TYPE');
    }
    this._h = handle;
    this._free = fn('free');
    this.symbol = symbol;
    this._argNames = symbol.listArguments();
    this._auxNames = symbol.listAuxiliaryStates();
    this._outNames = symbol.listOutputs();
    finalizer.register(this, [this._free, handle], this);
    this.argArrays = this._arrays(KIND.arguments);
    this.gradArrays = this._arrays(KIND.gradients);
    this.auxArrays = this._arrays(KIND.auxiliaryStates);
    this.outputs = this._arrays(KIND.outputs);
  }

  get handle() {
    if (!this._h) throw new MXNetError('this Executor has been disposed', 'INVALID_HANDLE');
    return this._h;
  }

  _arrays(kind) {
    const f = fn('arrays');
    const count = new Int32Array(1);
    check(f(this.handle, kind, 0, null, count));
    const out = new BigUint64Array(count[0]);
    check(f(this.handle, kind, out.length, out, count));
    // Owned by the executor (disposed with it), not by a tidy() scope.
    return Array.from(out, (h) => {
      if (!h) return null;
      const a = wrap(h);
      a._keep = true;
      return a;
    });
  }

  _dict(names, arrays) {
    const d = {};
    names.forEach((n, i) => { d[n] = arrays[i]; });
    return d;
  }

  get argDict() { return this._dict(this._argNames, this.argArrays); }
  get gradDict() { return this._dict(this._argNames, this.gradArrays); }
  get auxDict() { return this._dict(this._auxNames, this.auxArrays); }
  get outputDict() { return this._dict(this._outNames, this.outputs); }

  /**
   * Runs the graph.  inputs: {argument name: NDArray or typed array/nested
   * array} copied into the bound arguments first.  Returns the outputs.
   */
  forward({ isTrain = false, ...inputs } = {}) {
    for (const [k, v] of Object.entries(inputs)) {
      const i = this._argNames.indexOf(k);
      if (i < 0) throw new MXNetError(`forward: '${k}' is not an argument of the symbol`, 'KEY');
      if (v instanceof NDArray) v.copyTo(this.argArrays[i]);
      else this.argArrays[i].set(v);
    }
    check(fn('forward')(this.handle, isTrain ? 1 : 0));
    return this.outputs;
  }

  /** Backward pass into the gradient arrays; outGrads default to ones. */
  backward(outGrads = null, { isTrain = true } = {}) {
    const list = outGrads === null ? [] : Array.isArray(outGrads) ? outGrads : [outGrads];
    const hs = BigUint64Array.from(list, (a) => handleOrZero(a, 'outGrads entry'));
    check(fn('backward')(this.handle, hs.length, hs.length ? hs : null, isTrain ? 1 : 0));
  }

  /**
   * A new executor for other input shapes {name: [extents]} (MXNet's
   * Executor.reshape): arrays whose shape is unchanged are shared.
   */
  reshape(shapes, { partialShaping = false, allowUpSizing = false } = {}) {
    const names = Object.keys(shapes);
    const out = [null];
    check(fn('reshape')(this.handle, names.length, names,
      Int32Array.from(names, (n) => shapes[n].length),
      BigInt64Array.from(names.flatMap((n) => shapes[n]), BigInt),
      partialShaping ? 1 : 0, allowUpSizing ? 1 : 0, out));
    return new Executor(out[0], this.symbol, OWN);
  }

  /** The memory plan: {planned, naive} bytes and mirrored node count. */
  memory() {
    const p = new BigInt64Array(1), n = new BigInt64Array(1), m = new Int32Array(1);
    check(fn('memory')(this.handle, p, n, m));
    return { planned: Number(p[0]), naive: Number(n[0]), mirrored: m[0] };
  }

  /** Releases the executor and the arrays it handed out. */
  dispose() {
    for (const a of [...this.argArrays, ...this.gradArrays, ...this.auxArrays, ...this.outputs]) {
      a?.dispose();
    }
    if (this._h) {
      finalizer.unregister(this);
      this._free(this._h);
      this._h = 0n;
    }
  }
}

/**
 * Binds a symbol to arrays (MXNet's Symbol.bind): args and argsGrad by name
 * (object) or in listArguments order; gradReq a string or per-argument;
 * auxStates by name or in listAuxiliaryStates order.
 */
export function bind(symbol, { args, argsGrad = null, gradReq = 'write', auxStates = null } = {}) {
  if (!(symbol instanceof Symbol)) throw new MXNetError('bind: expected a Symbol', 'TYPE');
  const argNames = symbol.listArguments(), auxNames = symbol.listAuxiliaryStates();
  const a = ordered(args, argNames, 'arguments', true);
  const g = argsGrad === null ? null : ordered(argsGrad, argNames, 'gradients', false);
  const reqs = typeof gradReq === 'string' ? argNames.map(() => gradReq)
    : ordered(gradReq, argNames, 'grad_reqs', false).map((r) => r ?? 'null');
  const x = ordered(auxStates, auxNames, 'auxiliary states', true);
  const out = [null];
  check(fn('bind')(symbol.handle, a.length, BigUint64Array.from(a, (v) => handleOrZero(v, 'argument')),
    g === null ? null : BigUint64Array.from(g, (v) => handleOrZero(v, 'gradient')),
    g === null ? null : Int32Array.from(reqs, (r, i) => gradReqCode(r, argNames[i])),
    x.length, x.length ? BigUint64Array.from(x, (v) => handleOrZero(v, 'auxiliary state')) : null,
    out));
  return new Executor(out[0], symbol, OWN);
}

/**
 * Binds with every array allocated from input shapes (MXNet's simple_bind):
 * shapes {name: [extents]}, dtypes {name: dtype}, gradReq as for bind.
 */
export function simpleBind(symbol, { shapes = {}, dtypes = {}, gradReq = 'write' } = {}) {
  if (!(symbol instanceof Symbol)) throw new MXNetError('simpleBind: expected a Symbol', 'TYPE');
  const argNames = symbol.listArguments();
  const names = Object.keys(shapes);
  const tnames = Object.keys(dtypes);
  const reqs = typeof gradReq === 'string' ? argNames.map(() => gradReq)
    : ordered(gradReq, argNames, 'grad_reqs', false).map((r) => r ?? 'null');
  const out = [null];
  check(fn('simpleBind')(symbol.handle, names.length, names,
    Int32Array.from(names, (n) => shapes[n].length),
    BigInt64Array.from(names.flatMap((n) => shapes[n]), BigInt),
    tnames.length, tnames.length ? tnames : null,
    tnames.length ? Int32Array.from(tnames, (n) => DTYPES[normDtype(dtypes[n])].code) : null,
    Int32Array.from(reqs, (r, i) => gradReqCode(r, argNames[i])), out));
  return new Executor(out[0], symbol, OWN);
}

/**
 * A symbol compiled once and called like one op (MXNet's CachedOp); inputs
 * in symbol.listInputs() order.  flags: {static_alloc: true, ...}.
 */
export class CachedOp {
  constructor(symbol, flags = {}) {
    if (!(symbol instanceof Symbol)) throw new MXNetError('CachedOp: expected a Symbol', 'TYPE');
    const entries = Array.isArray(flags) ? flags : Object.entries(flags);
    const keys = entries.map(([k]) => String(k));
    const vals = entries.map(([, v]) => (typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v)));
    const out = [null];
    check(fn('coCreate')(symbol.handle, keys.length, keys.length ? keys : null,
                         vals.length ? vals : null, out));
    this._h = out[0];
    this._free = fn('coFree');
    finalizer.register(this, [this._free, this._h], this);
    const ni = new Int32Array(1), no = new Int32Array(1);
    check(fn('coNumIO')(this._h, ni, no));
    this.numInputs = ni[0];
    this.numOutputs = no[0];
  }

  /** Runs the graph; returns one NDArray or an array for several outputs. */
  call(...inputs) {
    if (inputs.length === 1 && Array.isArray(inputs[0])) inputs = inputs[0];
    if (!this._h) throw new MXNetError('this CachedOp has been disposed', 'INVALID_HANDLE');
    const hs = BigUint64Array.from(inputs, (a, i) => handleOrZero(a, `CachedOp input ${i}`));
    const cap = new Int32Array([Math.max(this.numOutputs, 1)]);
    const outs = new BigUint64Array(cap[0]);
    check(fn('coInvoke')(this._h, hs.length, hs, cap, outs));
    const res = Array.from(outs.subarray(0, cap[0]), (h) => wrap(h));
    return res.length === 1 ? res[0] : res;
  }

  dispose() {
    if (this._h) {
      finalizer.unregister(this);
      this._free(this._h);
      this._h = 0n;
    }
  }
}

Object.assign(Symbol.prototype, {
  /** See executor.bind. */
  bind(options) { return bind(this, options); },
  /** See executor.simpleBind. */
  simpleBind(options) { return simpleBind(this, options); },
});
