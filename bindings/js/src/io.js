// .params files (MXNet's mx.nd.save / mx.nd.load format) through the core's
// "files" C ABI section, and MXNet checkpoints (prefix-symbol.json +
// prefix-%04d.params with arg:/aux: keys).
import { optionalFunc } from './lib.js';
import { MXNetError, check } from './errors.js';
import { NDArray, wrap } from './ndarray.js';
import { load as loadSymbol } from './symbol.js';

function fn(name, sig) {
  const f = optionalFunc(sig);
  if (!f) {
    throw new MXNetError(`${name}: the loaded libmxlite has no ${name} (a library older than the ` +
                         '"files" C ABI section)', 'NOT_IMPLEMENTED');
  }
  return f;
}

const SIG = {
  load: 'int mxl_arrays_load(const char* path, _Out_ void** out)',
  loadBuffer: 'int mxl_arrays_load_buffer(const void* data, uint64_t size, _Out_ void** out)',
  size: 'int mxl_array_list_size(void* list, _Out_ int32_t* num, _Out_ int32_t* has_names)',
  get: 'int mxl_array_list_get(void* list, int32_t index, _Out_ void** out, _Out_ uint8_t* name, uint64_t cap, _Out_ uint64_t* needed)',
  free: 'void mxl_array_list_free(void* list)',
  save: 'int mxl_arrays_save(const char* path, int32_t num, const void* arrays, const char** names)',
  saveBuffer: 'int mxl_arrays_save_buffer(int32_t num, const void* arrays, const char** names, _Out_ uint8_t* buf, uint64_t cap, _Out_ uint64_t* needed)',
};

function fromList(listHandle) {
  const size = fn('mxl_array_list_size', SIG.size);
  const get = fn('mxl_array_list_get', SIG.get);
  const num = new Int32Array(1), hasNames = new Int32Array(1);
  const arrays = [], names = [];
  try {
    check(size(listHandle, num, hasNames));
    const needed = new BigUint64Array(1);
    for (let i = 0; i < num[0]; i++) {
      const out = [null];
      check(get(listHandle, i, out, null, 0n, needed));
      const a = out[0] ? wrap(out[0]) : null;  // null: a "none" array
      arrays.push(a);
      const buf = Buffer.alloc(Number(needed[0]));
      const again = [null];
      check(get(listHandle, i, again, buf, BigInt(buf.length), needed));
      if (again[0]) wrap(again[0]).dispose();  // the second reference is not needed
      names.push(buf.toString('utf8', 0, Math.max(0, buf.length - 1)));
    }
  } catch (e) {
    arrays.forEach((a) => a?.dispose());
    throw e;
  } finally {
    fn('mxl_array_list_free', SIG.free)(listHandle);
  }
  if (!hasNames[0]) return arrays;
  const dict = {};
  names.forEach((n, i) => { dict[n] = arrays[i]; });
  return dict;
}

/**
 * Loads a .params / mx.nd.save file: an array of NDArrays for a list file,
 * an object {name: NDArray} for a dict file (MXNet's mx.nd.load).
 */
export function load(path) {
  const out = [null];
  check(fn('mxl_arrays_load', SIG.load)(String(path), out));
  return fromList(out[0]);
}

/** mx.nd.load from bytes in memory (a Buffer or Uint8Array). */
export function loadFromBuffer(bytes) {
  const out = [null];
  check(fn('mxl_arrays_load_buffer', SIG.loadBuffer)(bytes, BigInt(bytes.length), out));
  return fromList(out[0]);
}

function toArgs(data) {
  if (data instanceof NDArray) return [[data], null];
  if (Array.isArray(data)) return [data, null];
  const names = Object.keys(data);
  return [names.map((n) => data[n]), names];
}

function handles(arrays) {
  return BigUint64Array.from(arrays, (a, i) => {
    if (a === null) return 0n;
    if (!(a instanceof NDArray)) throw new MXNetError(`save: entry ${i} is not an NDArray`, 'TYPE');
    return a.handle;
  });
}

/** Saves an NDArray, an array of NDArrays or an object {name: NDArray} (mx.nd.save). */
export function save(path, data) {
  const [arrays, names] = toArgs(data);
  check(fn('mxl_arrays_save', SIG.save)(String(path), arrays.length, handles(arrays), names));
}

/** The bytes mx.nd.save would write, as a Buffer. */
export function saveToBuffer(data) {
  const [arrays, names] = toArgs(data);
  const f = fn('mxl_arrays_save_buffer', SIG.saveBuffer);
  const hs = handles(arrays);
  const needed = new BigUint64Array(1);
  check(f(arrays.length, hs, names, null, 0n, needed));
  const buf = Buffer.alloc(Number(needed[0]));
  check(f(arrays.length, hs, names, buf, needed[0], needed));
  return buf;
}

/**
 * Loads an MXNet checkpoint (mx.model.load_checkpoint): prefix-symbol.json
 * and prefix-<epoch, 4 digits>.params.  Returns {symbol, argParams,
 * auxParams} with the arg:/aux: prefixes removed.
 */
export function loadCheckpoint(prefix, epoch) {
  const symbol = loadSymbol(`${prefix}-symbol.json`);
  const params = load(`${prefix}-${String(epoch).padStart(4, '0')}.params`);
  const argParams = {}, auxParams = {};
  for (const [k, v] of Object.entries(Array.isArray(params) ? {} : params)) {
    if (k.startsWith('arg:')) argParams[k.slice(4)] = v;
    else if (k.startsWith('aux:')) auxParams[k.slice(4)] = v;
    else argParams[k] = v;  // structural keys (Gluon save_parameters)
  }
  return { symbol, argParams, auxParams };
}
