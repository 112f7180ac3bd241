// The one path from JavaScript to mxl_invoke, kept lean: it runs for every op.
// Attribute values are formatted to MXNet's text form ("(3, 3)", "True",
// "1.5", "float32"); names and values are cached as C strings so a training
// loop sending the same attributes call after call does not re-encode them.
import koffi from 'koffi';
import { C } from './lib.js';
import { MXNetError, lastError } from './errors.js';
import { normDtype } from './dtype.js';
import { NDArray, wrap } from './ndarray.js';

// op name -> handle.  Cached for the life of the process (ops never go away),
// except that releaseOpHandles() gives them back, e.g. before a leak check.
const opHandles = new Map();
const specs = [];  // every opSpec, whose cached handle releaseOpHandles() clears

/** The core's handle of an op (by MXNet name or alias), cached. */
export function opHandle(name) {
  let h = opHandles.get(name);
  if (h === undefined) {
    const out = [null];
    if (C.mxl_op_get(String(name), out) !== 0) throw lastError();
    h = out[0];
    opHandles.set(name, h);
  }
  return h;
}

/** Frees the cached op handles (they are fetched again on next use); returns how many. */
export function releaseOpHandles() {
  for (const s of specs) s.h = null;
  const n = opHandles.size;
  for (const h of opHandles.values()) C.mxl_op_free(h);
  opHandles.clear();
  return n;
}

// ------------------------------------------------------------ attributes
function fmtNumber(v) {
  if (Number.isFinite(v)) return String(v);
  if (Number.isNaN(v)) return 'nan';
  return v > 0 ? 'inf' : '-inf';
}

function fmtTuple(v) {
  const parts = Array.from(v, (x) => formatAttr(x));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}

/**
 * A JavaScript value in MXNet's attribute text form.  type is the registry
 * parameter type without optional<> ('int', 'float', 'bool', 'str', 'shape',
 * 'dtype', 'enum') or undefined when unknown.
 */
export function formatAttr(v, type) {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      if (type === 'bool') return v ? 'True' : 'False';
      if (type === 'shape') return `(${fmtNumber(v)},)`;
      return fmtNumber(v);
    case 'boolean':
      return v ? 'True' : 'False';
    case 'bigint':
      return String(v);
    case 'function':
      return normDtype(v);  // Float32Array -> 'float32'
    default:
      if (v === null) return 'None';
      if (Array.isArray(v) || ArrayBuffer.isView(v)) return fmtTuple(v);
      throw new MXNetError(`cannot use ${Object.prototype.toString.call(v)} as an attribute ` +
                           'value; expected a number, boolean, string, array or null', 'TYPE');
  }
}

const CSTRING_CACHE_LIMIT = 4096;
const cstrings = new Map();  // string -> [Buffer, address]: the buffer keeps the bytes alive
// Buffers of strings the full cache could not take, alive until the call returns.
const keepAlive = [];

function cstrAddr(s) {
  const hit = cstrings.get(s);
  if (hit !== undefined) return hit[1];
  const buf = Buffer.from(s + '\0', 'utf8');
  const addr = koffi.address(buf);
  if (cstrings.size < CSTRING_CACHE_LIMIT) cstrings.set(s, [buf, addr]);
  else keepAlive.push(buf);
  return addr;
}

// ------------------------------------------------------- scratch buffers
// One set per process: JavaScript runs this code on one thread, and no
// finalizer can run in the middle of a synchronous call.  They grow when a
// call needs more.  Invariant: every sOuts entry is 0 between calls
// (0 = "allocate this output").
let sIns = new BigUint64Array(64);
let sKeys = new BigUint64Array(64);
let sVals = new BigUint64Array(64);
let sOuts = new BigUint64Array(64);
const sCap = new Int32Array(1);

function growIns(n) {
  if (n > sIns.length) sIns = new BigUint64Array(Math.max(n, 2 * sIns.length));
}
function growAttrs(n) {
  if (n > sKeys.length) {
    const k = new BigUint64Array(Math.max(n, 2 * sKeys.length));
    const v = new BigUint64Array(k.length);
    k.set(sKeys);
    v.set(sVals);
    sKeys = k;
    sVals = v;
  }
}

function handleOf(x, opName, what) {
  if (x instanceof NDArray) {
    const h = x._h;
    if (!h) {
      throw new MXNetError(`Operator ${opName}: ${what} is an NDArray that has been disposed`,
                           'INVALID_HANDLE');
    }
    return h;
  }
  throw new MXNetError(`Operator ${opName}: ${what} must be an NDArray, got ` +
                       (x === null ? 'null' : x?.constructor?.name ?? typeof x), 'TYPE');
}

/** Calls mxl_invoke with ni inputs and na attributes already in the scratch arrays. */
function run(name, h, ni, na, out, nout) {
  try {
    if (out === undefined || out === null) {
      if (nout > sOuts.length) sOuts = new BigUint64Array(nout);
      const outs = sOuts;
      sCap[0] = outs.length;
      if (C.mxl_invoke(h, ni, sIns, na, na ? sKeys : null, na ? sVals : null, sCap, outs) !== 0) {
        throw lastError();
      }
      const n = sCap[0];
      if (n === 1) {
        const r = wrap(outs[0]);
        outs[0] = 0n;
        return r;
      }
      const res = new Array(n);
      for (let i = 0; i < n; i++) {
        res[i] = wrap(outs[i]);
        outs[i] = 0n;
      }
      return res;
    }
    const list = Array.isArray(out) ? out : [out];
    const outs = new BigUint64Array(Math.max(list.length, nout, 64));
    for (let i = 0; i < list.length; i++) outs[i] = handleOf(list[i], name, `out[${i}]`);
    sCap[0] = outs.length;
    if (C.mxl_invoke(h, ni, sIns, na, na ? sKeys : null, na ? sVals : null, sCap, outs) !== 0) {
      throw lastError();
    }
    // Outputs beyond the given ones were allocated by the core: release them.
    for (let i = list.length; i < sCap[0]; i++) C.mxl_array_free(outs[i]);
    return out;
  } finally {
    if (keepAlive.length) keepAlive.length = 0;
  }
}

/**
 * Runs op `name` (MXNet name, handle h) on NDArray inputs with attributes as
 * strings (keys and vals arrays of equal length).  out: undefined, an
 * NDArray or an array of NDArrays written in place; nout: the output
 * capacity needed.  Returns one NDArray, or an array when the op has several
 * visible outputs.
 */
export function invokeRaw(name, h, inputs, keys, vals, out, nout) {
  const ni = inputs.length;
  growIns(ni);
  for (let i = 0; i < ni; i++) sIns[i] = handleOf(inputs[i], name, `input ${i}`);
  const na = keys.length;
  growAttrs(na);
  for (let i = 0; i < na; i++) {
    sKeys[i] = cstrAddr(keys[i]);
    sVals[i] = cstrAddr(vals[i]);
  }
  return run(name, h, ni, na, out, nout);
}

/**
 * Runs any registered op by its MXNet name with attributes as an object of
 * MXNet parameter names to values (strings are sent as they are):
 * `invoke('FullyConnected', [x, w, b], {num_hidden: 10})`.
 */
export function invoke(name, inputs, attrs = {}, out = undefined) {
  const keys = [], vals = [];
  let nout = 1;
  for (const k of Object.keys(attrs)) {
    const v = attrs[k];
    if (v === undefined) continue;
    keys.push(k);
    vals.push(formatAttr(v));
    if (k === 'num_outputs') nout = Math.max(nout, Number(v) || 1);
  }
  return invokeRaw(name, opHandle(name), inputs, keys, vals, out, nout);
}

// ------------------------------------------------------ generated wrappers
function isOptions(v) {
  if (v === null || typeof v !== 'object' || v instanceof NDArray) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/**
 * Builds an op description for the generated wrappers.
 *   name: MXNet op name; inputs: input names; variadic: the op takes a list;
 *   numInputs / numOutputs: the count parameters (MXNet names) or null;
 *   nout: outputs listed by the registry; params: [[mxnetName, jsName, type]].
 */
export function opSpec(name, inputs, variadic, numInputs, numOutputs, nout, params) {
  const keys = new Map();
  for (const [mx, js, type] of params) {
    // [MXNet name, type, its C string (kept alive here), the string's address]
    const buf = Buffer.from(mx + '\0', 'utf8');
    const entry = [mx, type, buf, koffi.address(buf)];
    keys.set(js, entry);
    keys.set(mx, entry);
  }
  const inputIndex = new Map();
  inputs.forEach((n, i) => inputIndex.set(n, i));
  const spec = { name, h: null, inputs, inputIndex, variadic, numInputs, numOutputs,
                 nout: Math.max(nout, 1), keys };
  specs.push(spec);
  return spec;
}

function badCount(spec, n) {
  return new MXNetError(`Operator ${spec.name}: takes at most ${spec.inputs.length} input(s) ` +
                        `(${spec.inputs.join(', ')}), got ${n}; attributes go in an options ` +
                        'object as the last argument', 'VALUE');
}

/**
 * Calls the op described by spec with a wrapper's arguments: NDArray inputs
 * (a list for variadic ops), then an optional options object of attributes
 * (camelCase or MXNet names), named inputs, and `out`.  Handles and
 * attribute strings go straight into the scratch arrays (this runs for every
 * op call, so it allocates as little as it can).
 */
export function callOp(spec, args) {
  let n = args.length;
  let opts = null;
  if (n > 0 && isOptions(args[n - 1])) opts = args[--n];
  let na = 0, out, nout = spec.nout, named = null, countGiven = false;
  if (opts !== null) {
    for (const k in opts) {
      const v = opts[k];
      if (v === undefined) continue;
      const p = spec.keys.get(k);
      if (p !== undefined) {
        growAttrs(na + 1);
        sKeys[na] = p[3];
        sVals[na++] = cstrAddr(formatAttr(v, p[1]));
        if (p[0] === spec.numOutputs) nout = Math.max(nout, Number(v) || 1);
        else if (p[0] === spec.numInputs) countGiven = true;
      } else if (k === 'out') {
        out = v;
      } else if (k === 'name') {
        // MXNet's imperative calls accept and ignore a node name.
      } else if (!spec.variadic && spec.inputIndex.has(k)) {
        (named ??= []).push([spec.inputIndex.get(k), v, k]);
      } else {
        // Unknown to this wrapper: the core rejects it with a KEY error
        // naming the parameter (or accepts it if the library is newer).
        growAttrs(na + 1);
        sKeys[na] = cstrAddr(k);
        sVals[na++] = cstrAddr(formatAttr(v));
      }
    }
  }
  let ni = 0;
  if (spec.variadic) {
    const list = n === 1 && Array.isArray(args[0]) ? args[0] : Array.prototype.slice.call(args, 0, n);
    growIns(list.length);
    for (let i = 0; i < list.length; i++) sIns[ni++] = handleOf(list[i], spec.name, `input ${i}`);
    if (spec.numInputs !== null && !countGiven) {
      growAttrs(na + 1);
      sKeys[na] = cstrAddr(spec.numInputs);
      sVals[na++] = cstrAddr(String(list.length));
    }
  } else {
    if (n > spec.inputs.length) throw badCount(spec, n);
    growIns(spec.inputs.length);
    if (named === null) {
      for (let i = 0; i < n; i++) {
        const a = args[i];
        if (a !== null && a !== undefined) sIns[ni++] = handleOf(a, spec.name, spec.inputs[i]);
      }
    } else {
      const slots = Array.prototype.slice.call(args, 0, n);
      for (const [i, v, k] of named) {
        if (slots[i] !== null && slots[i] !== undefined) {
          throw new MXNetError(`Operator ${spec.name}: input '${k}' given both by position and ` +
                               'by name', 'VALUE');
        }
        slots[i] = v;
      }
      for (let i = 0; i < slots.length; i++) {
        const a = slots[i];
        if (a !== null && a !== undefined) sIns[ni++] = handleOf(a, spec.name, spec.inputs[i]);
      }
    }
  }
  let h = spec.h;
  if (h === null) h = spec.h = opHandle(spec.name);
  return run(spec.name, h, ni, na, out, nout);
}
