// mx.sym: symbolic graphs as far as running a trained model needs them:
// load / save MXNet symbol JSON, list inputs and outputs, infer shapes,
// variables and groups.  (Composing new graphs op by op is Python's job.)
import { C } from './lib.js';
import { MXNetError, check, copyString } from './errors.js';

const finalizer = new FinalizationRegistry((h) => C.mxl_symbol_free(h));
const OWN = globalThis.Symbol('mxlite.Symbol');  // see NDArray: raw handles stay internal
const KIND = { arguments: 0, outputs: 1, auxiliaryStates: 2, inputs: 3 };

/** A symbol: a list of outputs of a graph (MXNet's Symbol). */
export class Symbol {
  /** Not for direct use: symbols come from mx.sym.load, fromJSON, variable, group. */
  constructor(handle, token) {
    if (token !== OWN || typeof handle !== 'bigint' || handle === 0n) {
      throw new MXNetError('Symbol: use mx.sym.load / fromJSON / variable / group; the ' +
                           'constructor is internal', 'TYPE');
    }
    this._h = handle;
    finalizer.register(this, handle, this);
  }

  get handle() {
    if (!this._h) throw new MXNetError('this Symbol has been disposed', 'INVALID_HANDLE');
    return this._h;
  }

  /** Releases the core handle now. */
  dispose() {
    if (this._h) {
      finalizer.unregister(this);
      C.mxl_symbol_free(this._h);
      this._h = 0n;
    }
  }

  _list(kind) {
    const h = this.handle;
    return JSON.parse(copyString((b, c, n) => C.mxl_symbol_list(h, kind, b, c, n)));
  }

  listArguments() { return this._list(KIND.arguments); }
  listOutputs() { return this._list(KIND.outputs); }
  listAuxiliaryStates() { return this._list(KIND.auxiliaryStates); }
  /** Every variable (arguments and auxiliary states) in graph order. */
  listInputs() { return this._list(KIND.inputs); }

  get numOutputs() {
    const n = new Int32Array(1);
    check(C.mxl_symbol_num_outputs(this.handle, n));
    return n[0];
  }

  /** Output i alone, as a Symbol. */
  output(i) {
    const out = [null];
    check(C.mxl_symbol_get_output(this.handle, i, out));
    return new Symbol(out[0], OWN);
  }

  /** Every variable and op output of the graph (MXNet's get_internals). */
  getInternals() {
    const out = [null];
    check(C.mxl_symbol_get_internals(this.handle, out));
    return new Symbol(out[0], OWN);
  }

  /**
   * Shape inference from known input shapes {name: [extents]} (0 = unknown
   * extent).  Returns {complete, arguments, outputs, auxiliaryStates}, each a
   * list of shapes (null when unknown) in the list* order.
   */
  inferShape(shapes = {}) {
    const names = Object.keys(shapes);
    const ndims = Int32Array.from(names, (n) => shapes[n].length);
    const dims = BigInt64Array.from(names.flatMap((n) => shapes[n]), BigInt);
    const h = this.handle;
    const r = JSON.parse(copyString((b, c, n) => C.mxl_symbol_infer_shape(
      h, names.length, names.length ? names : null, ndims, dims.length ? dims : null, b, c, n)));
    return { complete: r.complete, arguments: r.arguments, outputs: r.outputs,
             auxiliaryStates: r.auxiliary_states };
  }

  /** The symbol as MXNet 1.9 symbol JSON text. */
  toJSON() {
    const h = this.handle;
    return copyString((b, c, n) => C.mxl_symbol_to_json(h, b, c, n));
  }

  /** Writes the symbol JSON file. */
  save(path) { check(C.mxl_symbol_save(this.handle, String(path))); }
}

if (typeof globalThis.Symbol.dispose === 'symbol') {
  Symbol.prototype[globalThis.Symbol.dispose] = Symbol.prototype.dispose;
}

/** A Symbol owning handle (a new reference from the core); internal. */
export function wrapSymbol(handle) {
  return new Symbol(handle, OWN);
}

function newSymbol(fn) {
  const out = [null];
  check(fn(out));
  return new Symbol(out[0], OWN);
}

/** Reads a symbol JSON file written by mxlite or any MXNet release. */
export function load(path) { return newSymbol((o) => C.mxl_symbol_load(String(path), o)); }

/** Parses symbol JSON text. */
export function fromJSON(text) { return newSymbol((o) => C.mxl_symbol_from_json(String(text), o)); }

/** A variable (graph input). */
export function variable(name) {
  return newSymbol((o) => C.mxl_symbol_create_variable(String(name), o));
}

/** The outputs of several symbols as one symbol. */
export function group(symbols) {
  const hs = BigUint64Array.from(symbols, (s) => {
    if (!(s instanceof Symbol)) throw new MXNetError('group: expected Symbols', 'TYPE');
    return s.handle;
  });
  return newSymbol((o) => C.mxl_symbol_group(hs.length, hs, o));
}


