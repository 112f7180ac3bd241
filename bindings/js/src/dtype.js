// dtype names, the core's codes (DLPack's DLDataType packed as code | bits << 8
// | lanes << 16) and the JavaScript typed arrays holding their elements.
import { MXNetError } from './errors.js';

const code = (c, bits) => c | (bits << 8) | (1 << 16);

/** name -> {code, bytes, Typed (typed array class, or null)} */
export const DTYPES = Object.freeze({
  float32: { code: code(2, 32), bytes: 4, Typed: Float32Array },
  float64: { code: code(2, 64), bytes: 8, Typed: Float64Array },
  float16: { code: code(2, 16), bytes: 2, Typed: Uint16Array },  // raw IEEE half bits in memory
  uint8: { code: code(1, 8), bytes: 1, Typed: Uint8Array },
  int8: { code: code(0, 8), bytes: 1, Typed: Int8Array },
  int32: { code: code(0, 32), bytes: 4, Typed: Int32Array },
  int64: { code: code(0, 64), bytes: 8, Typed: BigInt64Array },
  bool: { code: code(6, 8), bytes: 1, Typed: Uint8Array },
});

const BY_CODE = new Map(Object.entries(DTYPES).map(([n, d]) => [d.code, n]));

/** The dtype name of a core dtype code. */
export function dtypeName(c) {
  const n = BY_CODE.get(c);
  if (n === undefined) throw new MXNetError(`unsupported dtype code ${c}`, 'TYPE');
  return n;
}

/** The dtype a typed array holds natively (Float32Array -> 'float32'). */
export function dtypeOfTyped(a) {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  return null;
}

/** Normalises a dtype argument: a name, or a typed array class (Float32Array). */
export function normDtype(d) {
  if (d === undefined || d === null) return 'float32';
  if (typeof d === 'function') {
    const n = { Float32Array: 'float32', Float64Array: 'float64', Int32Array: 'int32',
                BigInt64Array: 'int64', Uint8Array: 'uint8', Int8Array: 'int8' }[d.name];
    if (n) return n;
  }
  if (typeof d === 'string' && DTYPES[d]) return d;
  throw new MXNetError(`unknown dtype ${String(d?.name ?? d)}; expected one of ` +
                       Object.keys(DTYPES).join(', '), 'TYPE');
}
