// Eager reverse-mode autograd (MXNet's mx.autograd) over the core's tape.
// Recording is scoped by a callback: record(() => { ... }) switches recording
// (and training mode) on for the synchronous body and restores the previous
// state afterwards, even when the body throws.
import { C } from './lib.js';
import { MXNetError, check } from './errors.js';
import { NDArray, wrap } from './ndarray.js';
import { invoke } from './invoke.js';

const GRAD_REQ = { null: 0, write: 1, add: 3 };
const box = new Int32Array(1);

function scoped(recording, training, fn, what) {
  if (typeof fn !== 'function') {
    throw new MXNetError(`autograd.${what}: expected a function to run`, 'TYPE');
  }
  const prevRec = new Int32Array(1), prevTrain = new Int32Array(1);
  if (recording !== null) check(C.mxl_autograd_set_recording(recording, prevRec));
  try {
    if (training !== null) check(C.mxl_autograd_set_training(training, prevTrain));
    try {
      const r = fn();
      if (r !== null && typeof r === 'object' && typeof r.then === 'function') {
        throw new MXNetError(`autograd.${what}: the function returned a Promise; the scope ` +
                             'covers synchronous code only (an await would leave it)', 'VALUE');
      }
      return r;
    } finally {
      if (training !== null) C.mxl_autograd_set_training(prevTrain[0], null);
    }
  } finally {
    if (recording !== null) C.mxl_autograd_set_recording(prevRec[0], null);
  }
}

/**
 * Runs fn with recording on; trainMode (default true) sets training mode too
 * (Dropout, BatchNorm batch statistics).  Returns fn's result.
 */
export function record(fn, { trainMode = true } = {}) {
  return scoped(1, trainMode ? 1 : 0, fn, 'record');
}

/** Runs fn with recording off (and training mode as given, default off). */
export function pause(fn, { trainMode = false } = {}) {
  return scoped(0, trainMode ? 1 : 0, fn, 'pause');
}

/** Runs fn in training mode without changing recording. */
export function trainMode(fn) { return scoped(null, 1, fn, 'trainMode'); }

/** Runs fn in inference mode without changing recording. */
export function predictMode(fn) { return scoped(null, 0, fn, 'predictMode'); }

export function isRecording() {
  check(C.mxl_autograd_is_recording(box));
  return box[0] === 1;
}

export function isTraining() {
  check(C.mxl_autograd_is_training(box));
  return box[0] === 1;
}

function handles(list, what) {
  const a = new BigUint64Array(list.length);
  list.forEach((x, i) => {
    if (x === null || x === undefined) return;
    if (!(x instanceof NDArray)) {
      throw new MXNetError(`${what}[${i}] must be an NDArray, got ${x?.constructor?.name ?? typeof x}`,
                           'TYPE');
    }
    a[i] = x.handle;
  });
  return a;
}

function req(r) {
  const code = GRAD_REQ[r];
  if (code === undefined) {
    throw new MXNetError(`grad_req must be 'write', 'add' or 'null', got ${JSON.stringify(r)}`,
                         'VALUE');
  }
  return code;
}

/**
 * Makes arrays variables whose gradients are written into gradients
 * (arrays of the same shape), per gradReqs ('write', 'add', 'null').
 */
export function markVariables(variables, gradients, gradReqs = 'write') {
  const vars = Array.isArray(variables) ? variables : [variables];
  const grads = Array.isArray(gradients) ? gradients : [gradients];
  const reqs = Array.isArray(gradReqs) ? gradReqs : vars.map(() => gradReqs);
  if (grads.length !== vars.length || reqs.length !== vars.length) {
    throw new MXNetError(`markVariables: ${vars.length} variables but ${grads.length} gradients ` +
                         `and ${reqs.length} grad_reqs`, 'VALUE');
  }
  check(C.mxl_autograd_mark_variables(vars.length, handles(vars, 'variables'),
                                      Int32Array.from(reqs, req), handles(grads, 'gradients')));
}

/**
 * Backward from heads (an NDArray or a list) into the variables' gradient
 * buffers.  headGrads: gradients of the heads (null entries mean ones).
 */
export function backward(heads, headGrads = null,
                         { retainGraph = false, trainMode: train = true } = {}) {
  const hs = Array.isArray(heads) ? heads : [heads];
  let hg = null;
  if (headGrads !== null && headGrads !== undefined) {
    const list = Array.isArray(headGrads) ? headGrads : [headGrads];
    if (list.length !== hs.length) {
      throw new MXNetError(`backward: ${hs.length} heads but ${list.length} head gradients`,
                           'VALUE');
    }
    hg = handles(list, 'headGrads');
  }
  check(C.mxl_autograd_backward(hs.length, handles(hs, 'heads'), hg, retainGraph ? 1 : 0,
                                train ? 1 : 0));
}

/**
 * Gradients of heads with respect to variables, returned as new arrays
 * (MXNet's autograd.grad).  createGraph records the backward pass so the
 * gradients can be differentiated again.
 */
export function grad(heads, variables, { headGrads = null, retainGraph, createGraph = false,
                                         trainMode: train = true } = {}) {
  const hs = Array.isArray(heads) ? heads : [heads];
  const vs = Array.isArray(variables) ? variables : [variables];
  let hg = null;
  if (headGrads !== null) {
    const list = Array.isArray(headGrads) ? headGrads : [headGrads];
    if (list.length !== hs.length) {
      throw new MXNetError(`grad: ${hs.length} heads but ${list.length} head gradients`, 'VALUE');
    }
    hg = handles(list, 'headGrads');
  }
  const out = new BigUint64Array(vs.length);
  check(C.mxl_autograd_grad(hs.length, handles(hs, 'heads'), hg, vs.length,
                            handles(vs, 'variables'), (retainGraph ?? createGraph) ? 1 : 0,
                            createGraph ? 1 : 0, train ? 1 : 0, out));
  const res = Array.from(out, (h) => wrap(h));
  return Array.isArray(variables) ? res : res[0];
}

// ------------------------------------------------- NDArray autograd methods
Object.assign(NDArray.prototype, {
  /** Allocates a zero gradient buffer and makes this array a variable. */
  attachGrad(gradReq = 'write') {
    const g = invoke('zeros_like', [this]);
    try {
      markVariables([this], [g], [gradReq]);
    } catch (e) {
      g.dispose();
      throw e;
    }
    if (this._grad) this._grad.dispose();
    g._keep = true;  // owned by this array (disposed with it), not by a tidy() scope
    this._grad = g;
    return this;
  },

  /** Backward from this array (headGrad: its gradient, default ones). */
  backward(headGrad = null, options = {}) {
    backward([this], headGrad === null ? null : [headGrad], options);
  },

  /** A new handle on the same storage with no autograd history. */
  detach() {
    const out = [null];
    check(C.mxl_array_detach(this.handle, out));
    return wrap(out[0]);
  },
});

Object.defineProperty(NDArray.prototype, 'grad', {
  /** The gradient buffer of a variable (attachGrad), or null. */
  get() {
    if (this._grad) return this._grad;
    const out = [null];
    check(C.mxl_array_grad(this.handle, out));
    if (!out[0]) return null;
    this._grad = wrap(out[0]);
    this._grad._keep = true;
    return this._grad;
  },
});
