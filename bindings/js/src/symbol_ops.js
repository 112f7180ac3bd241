// mx.sym's op functions: the symbolic twins of the generated mx.nd wrappers,
// built from each wrapper's op description (.spec), so both namespaces take
// the same arguments: `mx.sym.fullyConnected(data, {numHidden: 10, name:
// 'fc1'})` composes a graph node (mxl_symbol_create_op) instead of running
// the op.  Inputs left out become variables named "<node>_<input>" (fc1_weight).
import { C } from './lib.js';
import { MXNetError, check } from './errors.js';
import { formatAttr, opHandle } from './invoke.js';
import { Symbol, wrapSymbol } from './symbol.js';

function isOptions(v) {
  if (v === null || typeof v !== 'object' || v instanceof Symbol) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

function symHandle(s, spec, what) {
  if (s instanceof Symbol) return s.handle;
  throw new MXNetError(`Symbol ${spec.name}: ${what} must be a Symbol, got ` +
                       (s === null ? 'null' : s?.constructor?.name ?? typeof s), 'TYPE');
}

/** Composes the op described by spec on Symbol inputs; returns a Symbol. */
export function callSymbol(spec, args) {
  let n = args.length;
  let opts = null;
  if (n > 0 && isOptions(args[n - 1])) opts = args[--n];
  const keys = [], vals = [], inputKeys = [], inputs = [];
  let name = null;
  if (spec.variadic) {
    const list = n === 1 && Array.isArray(args[0]) ? args[0] : Array.prototype.slice.call(args, 0, n);
    list.forEach((s, i) => inputs.push(symHandle(s, spec, `input ${i}`)));
  } else {
    if (n > spec.inputs.length) {
      throw new MXNetError(`Symbol ${spec.name}: takes at most ${spec.inputs.length} input(s) ` +
                           `(${spec.inputs.join(', ')}), got ${n}`, 'VALUE');
    }
    for (let i = 0; i < n; i++) {
      if (args[i] === null || args[i] === undefined) continue;
      inputKeys.push(spec.inputs[i]);  // by name: a skipped input stays unfilled
      inputs.push(symHandle(args[i], spec, spec.inputs[i]));
    }
  }
  for (const k in opts ?? {}) {
    const v = opts[k];
    if (v === undefined) continue;
    const p = spec.keys.get(k);
    if (p !== undefined) {
      keys.push(p[0]);
      vals.push(formatAttr(v, p[1]));
    } else if (k === 'name') {
      name = String(v);
    } else if (!spec.variadic && spec.inputIndex.has(k)) {
      if (inputKeys.includes(k)) {
        throw new MXNetError(`Symbol ${spec.name}: input '${k}' given both by position and by name`,
                             'VALUE');
      }
      inputKeys.push(k);
      inputs.push(symHandle(v, spec, k));
    } else {
      keys.push(k);  // graph attributes (lr_mult, __shape__, ...); the core checks them
      vals.push(formatAttr(v));
    }
  }
  const out = [null];
  check(C.mxl_symbol_create_op(opHandle(spec.name), keys.length, keys.length ? keys : null,
                               vals.length ? vals : null, inputs.length,
                               spec.variadic || inputs.length === 0 ? null : inputKeys,
                               inputs.length ? BigUint64Array.from(inputs) : null, name, out));
  return wrapSymbol(out[0]);
}

/** {name: symbolic function} for every generated wrapper in fns that has a spec. */
export function symbolFunctions(fns) {
  const res = {};
  for (const [k, f] of Object.entries(fns)) {
    if (typeof f === 'function' && f.spec) {
      const sf = (...args) => callSymbol(f.spec, args);
      Object.defineProperty(sf, 'name', { value: k });
      res[k] = sf;
    }
  }
  return res;
}
