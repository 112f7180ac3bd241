// mx.nd: NDArray, creation helpers, and every registry op (generated).
import * as gen from './generated/index.js';
import { NDArray, array, empty, waitAll } from './ndarray.js';
import { invoke, releaseOpHandles } from './invoke.js';
import { normDtype } from './dtype.js';
import { load, loadFromBuffer, save, saveToBuffer } from './io.js';
import { CachedOp } from './executor.js';

const I = gen.internal;

/** An array of zeros: zeros([2, 3], {dtype: 'float32'}). */
export function zeros(shape, { dtype } = {}) {
  return I.zeros({ shape: typeof shape === 'number' ? [shape] : shape, dtype: normDtype(dtype) });
}

/** An array of ones. */
export function ones(shape, { dtype } = {}) {
  return I.ones({ shape: typeof shape === 'number' ? [shape] : shape, dtype: normDtype(dtype) });
}

/** An array filled with value. */
export function full(shape, value, { dtype } = {}) {
  return I.full({ shape: typeof shape === 'number' ? [shape] : shape, value,
                  dtype: normDtype(dtype) });
}

/** Evenly spaced values in [start, stop) (MXNet's arange; stop omitted: [0, start)). */
export function arange(start, stop = null, { step = 1, repeat = 1, dtype } = {}) {
  if (stop === null) [start, stop] = [0, start];
  return I.arange({ start, stop, step, repeat, dtype: normDtype(dtype) });
}

/** The identity-like N x M matrix with ones on diagonal k. */
export function eye(N, { M = 0, k = 0, dtype } = {}) {
  return I.eye({ N, M, k, dtype: normDtype(dtype) });
}

// Methods named like an op, as MXNet's NDArray has them (x.sum({axis: 1})
// for mx.nd.sum(x, {axis: 1})); methods the NDArray class defines win.
const FLUENT = ['sum', 'mean', 'prod', 'max', 'min', 'argmax', 'argmin', 'norm', 'nansum',
  'nanprod', 'sign', 'sqrt', 'rsqrt', 'square', 'exp', 'log', 'log1p', 'expm1', 'sin', 'cos',
  'tan', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'relu', 'softsign',
  'floor', 'ceil', 'round', 'rint', 'fix', 'trunc', 'reciprocal', 'cbrt', 'transpose',
  'expandDims', 'squeeze', 'flatten', 'tile', 'repeat', 'flip', 'clip', 'take', 'oneHot',
  'split', 'slice', 'sliceAxis', 'broadcastTo', 'broadcastLike', 'broadcastAxes', 'zerosLike',
  'onesLike', 'swapaxes', 'pick', 'topk', 'sort', 'argsort', 'softmax', 'logSoftmax', 'dot',
  'diag', 'where'];
for (const name of FLUENT) {
  const fn = gen.pub[name];
  if (fn && !(name in NDArray.prototype)) {
    Object.defineProperty(NDArray.prototype, name, {
      value(...args) { return fn(this, ...args); },
      writable: true, configurable: true,
    });
  }
}

const helpers = { NDArray, array, empty, zeros, ones, full, arange, eye, waitAll, invoke,
                  load, loadFromBuffer, save, saveToBuffer, CachedOp,
                  releaseOpHandles,
                  internal: gen.internal, ops: gen.OPS };

/** The mx.nd namespace: generated ops first, hand-written helpers over them. */
export const nd = Object.freeze({ ...gen.pub, ...helpers });
