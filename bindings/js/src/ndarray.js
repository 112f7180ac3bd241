// NDArray: MXNet's imperative array over a core handle.  Arrays are C-order
// (row-major) like MXNet and NumPy: data() returns the elements flat in that
// order and shape lists the extents outermost first.
import { C } from './lib.js';
import { MXNetError, check, lastError } from './errors.js';
import { DTYPES, dtypeName, dtypeOfTyped, normDtype } from './dtype.js';
import { invoke, invokeRaw, opHandle } from './invoke.js';

// Handles of arrays the program dropped without dispose() are freed when the
// garbage collector reclaims the NDArray.
const finalizer = new FinalizationRegistry((h) => C.mxl_array_free(h));

// Registering with the FinalizationRegistry is most of what wrapping a handle
// costs, and many arrays are disposed right after use (tidy, dispose in
// loops).  New arrays therefore wait in `pending` (a strong reference, so
// none can be collected unregistered) and are registered together at the end
// of the current job or every PENDING_MAX arrays; those disposed by then are
// never registered.
const pending = [];
const PENDING_MAX = 256;
let flushQueued = false;

function flushPending() {
  flushQueued = false;
  for (let i = 0; i < pending.length; i++) {
    const a = pending[i];
    if (a._h) {
      finalizer.register(a, a._h, a);
      a._registered = true;
    }
  }
  pending.length = 0;
}

function track(a) {
  pending.push(a);
  if (pending.length >= PENDING_MAX) flushPending();
  else if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flushPending);
  }
}

// Only the binding creates NDArrays from raw handles: a made-up BigInt would
// reach the core as a pointer, so the constructor demands this private token.
const OWN = globalThis.Symbol('mxlite.NDArray');

const infoNdim = new Int32Array(1);
const infoDims = new BigInt64Array(32);
const infoDtype = new Int32Array(1);

/** An n-dimensional array computed asynchronously by the engine. */
export class NDArray {
  /** Not for direct use: arrays come from mx.nd.array, zeros, ops, ... */
  constructor(handle, token) {
    if (token !== OWN || typeof handle !== 'bigint' || handle === 0n) {
      throw new MXNetError('NDArray: create arrays with mx.nd.array / empty / zeros / ones or ' +
                           'an op; the constructor is internal', 'TYPE');
    }
    this._h = handle;
    this._shape = null;
    this._dtype = null;
    this._grad = null;
    this._keep = false;
    this._registered = false;
    track(this);
  }

  /** Releases the core handle now; later use throws an INVALID_HANDLE MXNetError. */
  dispose() {
    const h = this._h;
    if (h) {
      this._h = 0n;
      if (this._registered) finalizer.unregister(this);
      C.mxl_array_free(h);
    }
    if (this._grad) {
      this._grad.dispose();
      this._grad = null;
    }
  }

  /** True once dispose() ran. */
  get disposed() { return !this._h; }

  /** The raw handle (for advanced use); throws when disposed. */
  get handle() {
    const h = this._h;
    if (!h) throw new MXNetError('this NDArray has been disposed', 'INVALID_HANDLE');
    return h;
  }

  _meta() {
    check(C.mxl_array_info(this.handle, infoNdim, infoDims, 32, infoDtype));
    const n = infoNdim[0];
    const s = new Array(n);
    for (let i = 0; i < n; i++) s[i] = Number(infoDims[i]);
    this._shape = Object.freeze(s);
    this._dtype = dtypeName(infoDtype[0]);
  }

  /** Extents, outermost first (a frozen array of numbers). */
  get shape() {
    if (this._shape === null) this._meta();
    return this._shape;
  }

  /** dtype name: 'float32', 'float64', 'int32', 'int64', 'uint8', ... */
  get dtype() {
    if (this._dtype === null) this._meta();
    return this._dtype;
  }

  get ndim() { return this.shape.length; }

  get size() {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }

  /** Blocks until pending writes finished; throws an asynchronous op error. */
  wait() {
    check(C.mxl_array_wait_to_read(this.handle));
    return this;
  }

  /**
   * A copy of the elements as a typed array in C order (a sync point):
   * Float32Array (float32, and float16 converted), Float64Array, Int32Array,
   * BigInt64Array (int64), Uint8Array (uint8, bool), Int8Array.
   */
  data() {
    if (this.dtype === 'float16') {
      // JavaScript has no half-precision typed array: read as float32.
      const f = this.astype('float32');
      try {
        return f.data();
      } finally {
        f.dispose();
      }
    }
    const { Typed, bytes } = DTYPES[this.dtype];
    const a = new Typed(this.size);
    if (C.mxl_array_copy_to_host(this.handle, a, BigInt(a.length * bytes)) !== 0) throw lastError();
    return a;
  }

  /** Alias of data(). */
  toTypedArray() { return this.data(); }

  /** Nested JS arrays of numbers (BigInt for int64), like NumPy's tolist(). */
  toArray() {
    const flat = this.data();
    const shape = this.shape;
    if (shape.length === 0) return flat[0];
    let pos = 0;
    const build = (d) => {
      const n = shape[d];
      const r = new Array(n);
      if (d === shape.length - 1) {
        for (let i = 0; i < n; i++) r[i] = flat[pos++];
      } else {
        for (let i = 0; i < n; i++) r[i] = build(d + 1);
      }
      return r;
    };
    return build(0);
  }

  /** The single element of a size-1 array as a number (BigInt for int64). */
  item() {
    if (this.size !== 1) {
      throw new MXNetError(`item: the array has shape (${this.shape.join(', ')}); only size-1 ` +
                           'arrays convert to a scalar', 'VALUE');
    }
    return this.data()[0];
  }

  /** Copies a typed array or array of numbers (C order, same size) into this array. */
  set(values) {
    if (this.dtype === 'float16' && !(values instanceof Uint16Array)) {
      const f = array(values, { dtype: 'float32', shape: this.shape });
      try {
        invoke('Cast', [f], { dtype: 'float16' }, this);
      } finally {
        f.dispose();
      }
      return this;
    }
    const { Typed, bytes } = DTYPES[this.dtype];
    const src = values instanceof Typed ? values : Typed.from(flatten(values), this.dtype === 'int64' ? BigInt : undefined);
    if (src.length !== this.size) {
      throw new MXNetError(`set: got ${src.length} values for an array of ${this.size} elements`,
                           'VALUE');
    }
    check(C.mxl_array_copy_from_host(this.handle, src, BigInt(src.length * bytes)));
    return this;
  }

  toString() {
    return `NDArray(${this.shape.join('x')}, ${this.dtype}) ${JSON.stringify(this.toArray(),
      (k, v) => (typeof v === 'bigint' ? String(v) : v))}`;
  }

  // ------------------------------------------------------------- views
  /** A view with another shape (0 copies an extent, -1 infers one, as MXNet). */
  reshape(...shape) {
    if (shape.length === 1 && Array.isArray(shape[0])) shape = shape[0];
    if (!shape.every(Number.isInteger)) {
      throw new MXNetError(`reshape: extents must be integers, got [${shape.join(', ')}]`, 'VALUE');
    }
    const out = [null];
    check(C.mxl_array_reshape_view(this.handle, BigInt64Array.from(shape, BigInt), shape.length, out));
    return wrap(out[0]);
  }

  /** A view of rows [begin, end) of the first axis. */
  sliceRows(begin, end) {
    checkIndex('sliceRows', begin);
    checkIndex('sliceRows', end);
    const out = [null];
    check(C.mxl_array_slice_view(this.handle, BigInt(begin), BigInt(end), out));
    return wrap(out[0]);
  }

  /** Row i of the first axis, that axis dropped (a view). */
  at(i) {
    checkIndex('at', i);
    const out = [null];
    check(C.mxl_array_at_view(this.handle, BigInt(i), out));
    return wrap(out[0]);
  }

  /** A copy with another dtype. */
  astype(dtype) { return invoke('Cast', [this], { dtype: normDtype(dtype) }); }

  /** A copy of the array. */
  copy() { return invoke('_copy', [this]); }

  /** Copies this array into `other` (an NDArray of the same shape). */
  copyTo(other) { return invoke('_copy', [this], {}, other); }

  // -------------------------------------------------------- arithmetic
  // JavaScript has no operator overloading: a.add(b), a.sub(2), ... follow
  // MXNet's NDArray operators (broadcast_* for arrays, _*_scalar for numbers).
  add(o) { return binary(this, o, 'broadcast_add', '_plus_scalar'); }
  sub(o) { return binary(this, o, 'broadcast_sub', '_minus_scalar'); }
  mul(o) { return binary(this, o, 'broadcast_mul', '_mul_scalar'); }
  div(o) { return binary(this, o, 'broadcast_div', '_div_scalar'); }
  mod(o) { return binary(this, o, 'broadcast_mod', '_mod_scalar'); }
  pow(o) { return binary(this, o, 'broadcast_power', '_power_scalar'); }
  /** o - this */
  rsub(o) { return rbinary(this, o, 'broadcast_sub', '_rminus_scalar'); }
  /** o / this */
  rdiv(o) { return rbinary(this, o, 'broadcast_div', '_rdiv_scalar'); }
  /** o ** this */
  rpow(o) { return rbinary(this, o, 'broadcast_power', '_rpower_scalar'); }
  neg() { return invoke('negative', [this]); }
  abs() { return invoke('abs', [this]); }
  equal(o) { return binary(this, o, 'broadcast_equal', '_equal_scalar'); }
  notEqual(o) { return binary(this, o, 'broadcast_not_equal', '_not_equal_scalar'); }
  greater(o) { return binary(this, o, 'broadcast_greater', '_greater_scalar'); }
  greaterEqual(o) { return binary(this, o, 'broadcast_greater_equal', '_greater_equal_scalar'); }
  lesser(o) { return binary(this, o, 'broadcast_lesser', '_lesser_scalar'); }
  lesserEqual(o) { return binary(this, o, 'broadcast_lesser_equal', '_lesser_equal_scalar'); }
  /** In place: this += o (returns this). */
  addInPlace(o) { return binary(this, o, 'broadcast_add', '_plus_scalar', this); }
  subInPlace(o) { return binary(this, o, 'broadcast_sub', '_minus_scalar', this); }
  mulInPlace(o) { return binary(this, o, 'broadcast_mul', '_mul_scalar', this); }
  divInPlace(o) { return binary(this, o, 'broadcast_div', '_div_scalar', this); }
}

if (typeof Symbol.dispose === 'symbol') {
  NDArray.prototype[Symbol.dispose] = NDArray.prototype.dispose;
}

// console.log(x) shows the values (a sync point), as MXNet's repr does.
NDArray.prototype[Symbol.for('nodejs.util.inspect.custom')] = function inspect() {
  if (!this._h) return 'NDArray(disposed)';
  return this.toString();
};

// tidy() scopes: arrays created while one is open are recorded in it.
const scopes = [];

/** A new NDArray owning handle (a new reference from the core). */
export function wrap(handle) {
  const a = new NDArray(handle, OWN);
  if (scopes.length !== 0) scopes[scopes.length - 1].push(a);
  return a;
}

function collectKept(v, kept, depth = 0) {
  if (v instanceof NDArray) kept.add(v);
  else if (depth < 4 && Array.isArray(v)) v.forEach((x) => collectKept(x, kept, depth + 1));
  else if (depth < 4 && v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const x of Object.values(v)) collectKept(x, kept, depth + 1);
  }
}

/**
 * Runs fn and disposes every NDArray created inside it except those it
 * returns (an NDArray, or arrays/objects of them) and those passed to
 * keep() (TensorFlow.js's tf.tidy).  Scopes nest; an array returned from an
 * inner scope belongs to the outer one.  fn must be synchronous.
 */
export function tidy(fn) {
  const scope = [];
  scopes.push(scope);
  let result;
  try {
    result = fn();
  } finally {
    scopes.pop();
    const kept = new Set();
    if (result !== undefined) collectKept(result, kept);
    for (const a of scope) {
      if (kept.has(a) || a._keep) continue;
      a.dispose();
    }
    if (scopes.length !== 0) for (const a of kept) scopes[scopes.length - 1].push(a);
  }
  if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
    throw new MXNetError('tidy: the function returned a Promise; tidy covers synchronous code only',
                         'VALUE');
  }
  return result;
}

/** Marks an array to survive the enclosing tidy() scopes; returns it. */
export function keep(a) {
  if (!(a instanceof NDArray)) throw new MXNetError('keep: expected an NDArray', 'TYPE');
  a._keep = true;
  return a;
}

function binary(lhs, rhs, arrayOp, scalarOp, out) {
  if (rhs instanceof NDArray) return invokeRaw(arrayOp, opHandle(arrayOp), [lhs, rhs], [], [], out, 1);
  if (typeof rhs === 'number' || typeof rhs === 'boolean') {
    const v = Number(rhs);
    return invokeRaw(scalarOp, opHandle(scalarOp), [lhs], ['scalar', 'is_int'],
                     [fmtScalar(v), Number.isInteger(v) ? 'True' : 'False'], out, 1);
  }
  if (Array.isArray(rhs) || ArrayBuffer.isView(rhs)) {
    const r = array(rhs, { dtype: lhs.dtype });
    try {
      return binary(lhs, r, arrayOp, scalarOp, out);
    } finally {
      r.dispose();
    }
  }
  throw new MXNetError(`${arrayOp}: the other operand must be an NDArray, a number or an ` +
                       `array of numbers, got ${rhs === null ? 'null' : typeof rhs}`, 'TYPE');
}

function rbinary(self, lhs, arrayOp, rscalarOp) {
  if (lhs instanceof NDArray) return invoke(arrayOp, [lhs, self]);
  if (typeof lhs === 'number' || typeof lhs === 'boolean') {
    const v = Number(lhs);
    return invokeRaw(rscalarOp, opHandle(rscalarOp), [self], ['scalar', 'is_int'],
                     [fmtScalar(v), Number.isInteger(v) ? 'True' : 'False'], undefined, 1);
  }
  const l = array(lhs, { dtype: self.dtype });
  try {
    return invoke(arrayOp, [l, self]);
  } finally {
    l.dispose();
  }
}

function checkIndex(what, i) {
  if (!Number.isInteger(i)) throw new MXNetError(`${what}: index must be an integer, got ${i}`, 'TYPE');
}

function fmtScalar(v) {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

// ---------------------------------------------------------- creation
function flatten(v, out = []) {
  if (Array.isArray(v)) for (const x of v) flatten(x, out);
  else if (ArrayBuffer.isView(v)) for (const x of v) out.push(x);
  else out.push(v);
  return out;
}

function inferShape(v) {
  const s = [];
  let cur = v;
  while (Array.isArray(cur)) {
    s.push(cur.length);
    cur = cur[0];
  }
  if (ArrayBuffer.isView(cur)) s.push(cur.length);
  return s;
}

function normShape(shape, what) {
  if (typeof shape === 'number') shape = [shape];
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new MXNetError(`${what}: shape must be an array of non-negative integers, got ` +
                         `${JSON.stringify(shape)}`, 'VALUE');
  }
  return shape;
}

/** An uninitialised array: empty([2, 3], {dtype: 'float32'}). */
export function empty(shape, { dtype } = {}) {
  shape = normShape(shape, 'empty');
  const dt = normDtype(dtype);
  const out = [null];
  check(C.mxl_array_create(BigInt64Array.from(shape, BigInt), shape.length, DTYPES[dt].code, 1, 0, out));
  const a = wrap(out[0]);
  a._shape = Object.freeze(shape.slice());
  a._dtype = dt;
  return a;
}

/**
 * An NDArray copied from a typed array, a (nested) array of numbers, a
 * number or an NDArray.  Options: dtype (default: the typed array's own,
 * float32 otherwise, as MXNet), shape (default: the nesting, or [length] for
 * a typed array).  Data are read in C order.
 */
export function array(source, { dtype, shape } = {}) {
  if (source instanceof NDArray) {
    const a = dtype === undefined ? source.copy() : source.astype(dtype);
    return shape === undefined ? a : a.reshape(shape);
  }
  let dt = dtype === undefined ? null : normDtype(dtype);
  let flat;
  if (ArrayBuffer.isView(source)) {
    dt ??= dtypeOfTyped(source) ?? 'float32';
    shape ??= [source.length];
    flat = source;
  } else if (Array.isArray(source)) {
    shape ??= inferShape(source);
    flat = flatten(source);
  } else if (typeof source === 'number' || typeof source === 'bigint' || typeof source === 'boolean') {
    shape ??= [];
    flat = [source];
  } else {
    throw new MXNetError('array: expected a typed array, an array of numbers, a number or an ' +
                         `NDArray, got ${source === null ? 'null' : typeof source}`, 'TYPE');
  }
  dt ??= 'float32';
  if (dt === 'float16' && !(flat instanceof Uint16Array)) {
    // values, not raw half bits: convert from float32 in the core
    const f = array(flat, { dtype: 'float32', shape });
    try {
      return f.astype('float16');
    } finally {
      f.dispose();
    }
  }
  const a = empty(shape, { dtype: dt });
  try {
    a.set(flat);
  } catch (e) {
    a.dispose();
    throw e;
  }
  return a;
}

/** Blocks until every pending op finished; throws the first asynchronous error. */
export function waitAll() {
  check(C.mxl_wait_all());
}
