// Core errors as JavaScript exceptions: every failing C call becomes an
// MXNetError carrying the core's message and its kind (mxl_last_error).
import { C } from './lib.js';

/** MXL_ERR_* codes by kind name (include/c_api.h). */
export const ERROR_CODES = Object.freeze({
  VALUE: 1, TYPE: 2, INDEX: 3, OUT_OF_MEMORY: 4, NOT_IMPLEMENTED: 5, KEY: 6, RUNTIME: 7,
  INVALID_HANDLE: 8,
});
const KIND_NAMES = Object.fromEntries(Object.entries(ERROR_CODES).map(([k, v]) => [v, k]));

/**
 * An error raised by the mxlite core, or by the binding for bad arguments.
 * `kind` is the MXL_ERR_* name without its prefix ('VALUE', 'TYPE', 'INDEX',
 * 'OUT_OF_MEMORY', 'NOT_IMPLEMENTED', 'KEY', 'RUNTIME', 'INVALID_HANDLE');
 * `code` is its number.
 */
export class MXNetError extends Error {
  constructor(message, kind = 'RUNTIME') {
    super(message);
    this.name = 'MXNetError';
    this.kind = kind;
    this.code = ERROR_CODES[kind] ?? 0;
  }
}

const kindBox = new Int32Array(1);
const neededBox = new BigUint64Array(1);

/** The calling thread's last core error as an MXNetError. */
export function lastError() {
  C.mxl_last_error(kindBox, null, 0n, neededBox);
  const buf = Buffer.alloc(Number(neededBox[0]) || 1);
  C.mxl_last_error(kindBox, buf, BigInt(buf.length), neededBox);
  const end = buf.indexOf(0);
  const msg = buf.toString('utf8', 0, end < 0 ? buf.length : end);
  return new MXNetError(msg, KIND_NAMES[kindBox[0]] ?? 'RUNTIME');
}

/** Throws the core's last error when a C call returned a non-zero status. */
export function check(status) {
  if (status !== 0) throw lastError();
}

const strNeeded = new BigUint64Array(1);

/**
 * Calls a C function following the ABI's string convention (caller buffer,
 * capacity, needed size: first a size query, then the copy) and returns the
 * string.  fn(buf, cap, needed) performs the call.
 */
export function copyString(fn) {
  check(fn(null, 0n, strNeeded));
  const buf = Buffer.alloc(Number(strNeeded[0]));
  check(fn(buf, BigInt(buf.length), strNeeded));
  const end = buf.indexOf(0);
  return buf.toString('utf8', 0, end < 0 ? buf.length : end);
}
