// Symbols through the C ABI: creation, composition, queries, attributes,
// inference and JSON.  Variable-size results are JSON documents copied with
// the size-query convention of mxl_last_error.
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "c_api/c_api_symbol.h"
#include "symbol/infer.h"
#include "symbol/json.h"

using namespace mxl;
using capi::check_out;
using capi::symbol_of;
using symbol::Symbol;

namespace {

const OpDef* op_of(const mxl_op_t* h, const char* fn) {
  if (!h) throw_error(MXL_ERR_INVALID_HANDLE, fn, ": op handle is NULL");
  if (h->magic != kOpMagic)
    throw_error(MXL_ERR_INVALID_HANDLE, fn, ": op handle is invalid or was already freed");
  return h->op;
}

// Inputs given positionally (key NULL) and by keyword; positional ones
// must come first, as in MXNet's frontends.
void split_inputs(int32_t num, const char* const* keys, mxl_symbol_t* const* inputs, const char* fn,
                  std::vector<Symbol>* args, std::vector<std::pair<std::string, Symbol>>* kwargs) {
  MXL_CHECK(num >= 0 && (num == 0 || inputs), MXL_ERR_VALUE, fn,
            ": inputs is NULL or num_inputs is negative");
  for (int32_t i = 0; i < num; ++i) {
    const Symbol& s = symbol_of(inputs[i], fn);
    if (keys && keys[i]) {
      kwargs->emplace_back(keys[i], s);
    } else {
      MXL_CHECK(kwargs->empty(), MXL_ERR_VALUE, fn, ": positional input ", i,
                " follows keyword inputs; pass positional inputs first");
      args->push_back(s);
    }
  }
}

nlohmann::json shape_json(const Shape& s) {
  if (!s.known()) return nullptr;
  return nlohmann::json(s.vec());
}

nlohmann::json type_json(int t) {
  if (t < 0) return nullptr;
  return dtype_name(static_cast<DType>(t));
}

template <typename T, typename F>
nlohmann::json list_json(const std::vector<T>& v, F f) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& x : v) a.push_back(f(x));
  return a;
}

}  // namespace

extern "C" {

int mxl_symbol_create_variable(const char* name, mxl_symbol_t** out) {
  MXL_API_BEGIN
  check_out(out, "mxl_symbol_create_variable", "out");
  MXL_CHECK(name && *name, MXL_ERR_VALUE, "mxl_symbol_create_variable: a variable needs a name");
  *out = capi::new_symbol_handle(Symbol::variable(name));
  MXL_API_END
}

int mxl_symbol_create_op(const mxl_op_t* op, int32_t num_attrs, const char* const* keys,
                         const char* const* vals, int32_t num_inputs, const char* const* input_keys,
                         mxl_symbol_t* const* inputs, const char* name, mxl_symbol_t** out) {
  MXL_API_BEGIN
  const char* fn = "mxl_symbol_create_op";
  const OpDef* def = op_of(op, fn);
  check_out(out, fn, "out");
  MXL_CHECK(num_attrs >= 0 && (num_attrs == 0 || (keys && vals)), MXL_ERR_VALUE, "Operator ",
            def->name, ": attribute arrays are NULL or num_attrs is negative");
  symbol::AttrList attrs;
  for (int32_t i = 0; i < num_attrs; ++i) {
    MXL_CHECK(keys[i] && vals[i], MXL_ERR_VALUE, "Operator ", def->name, ": attribute ", i,
              " has a NULL key or value");
    attrs.emplace_back(keys[i], vals[i]);
  }
  std::vector<Symbol> args;
  std::vector<std::pair<std::string, Symbol>> kwargs;
  split_inputs(num_inputs, input_keys, inputs, fn, &args, &kwargs);
  *out = capi::new_symbol_handle(Symbol::create(def, attrs, args, kwargs, name ? name : ""));
  MXL_API_END
}

void mxl_symbol_free(mxl_symbol_t* sym) {
  if (!sym || sym->magic != kSymbolMagic) return;
  sym->magic = kDeadMagic;
  delete sym;
  capi::live_handles().fetch_sub(1, std::memory_order_relaxed);
}

int mxl_symbol_copy(const mxl_symbol_t* sym, mxl_symbol_t** out) {
  MXL_API_BEGIN
  const Symbol& s = symbol_of(sym, "mxl_symbol_copy");
  check_out(out, "mxl_symbol_copy", "out");
  *out = capi::new_symbol_handle(s.copy());
  MXL_API_END
}

int mxl_symbol_group(int32_t num, mxl_symbol_t* const* symbols, mxl_symbol_t** out) {
  MXL_API_BEGIN
  check_out(out, "mxl_symbol_group", "out");
  MXL_CHECK(num > 0 && symbols, MXL_ERR_VALUE, "mxl_symbol_group: expected at least one symbol");
  std::vector<Symbol> v;
  for (int32_t i = 0; i < num; ++i) v.push_back(symbol_of(symbols[i], "mxl_symbol_group"));
  *out = capi::new_symbol_handle(Symbol::group(v));
  MXL_API_END
}

int mxl_symbol_num_outputs(const mxl_symbol_t* sym, int32_t* out) {
  MXL_API_BEGIN
  const Symbol& s = symbol_of(sym, "mxl_symbol_num_outputs");
  check_out(out, "mxl_symbol_num_outputs", "out");
  *out = static_cast<int32_t>(s.outputs.size());
  MXL_API_END
}

int mxl_symbol_get_output(const mxl_symbol_t* sym, int32_t index, mxl_symbol_t** out) {
  MXL_API_BEGIN
  const Symbol& s = symbol_of(sym, "mxl_symbol_get_output");
  check_out(out, "mxl_symbol_get_output", "out");
  MXL_CHECK(index >= 0, MXL_ERR_INDEX, "symbol: output index ", index, " is negative");
  *out = capi::new_symbol_handle(s.output(static_cast<size_t>(index)));
  MXL_API_END
}

int mxl_symbol_get_internals(const mxl_symbol_t* sym, mxl_symbol_t** out) {
  MXL_API_BEGIN
  const Symbol& s = symbol_of(sym, "mxl_symbol_get_internals");
  check_out(out, "mxl_symbol_get_internals", "out");
  *out = capi::new_symbol_handle(s.internals());
  MXL_API_END
}

int mxl_symbol_get_children(const mxl_symbol_t* sym, mxl_symbol_t** out) {
  MXL_API_BEGIN
  const Symbol& s = symbol_of(sym, "mxl_symbol_get_children");
  check_out(out, "mxl_symbol_get_children", "out");
  *out = capi::new_symbol_handle(s.children());
  MXL_API_END
}

int mxl_symbol_compose(const mxl_symbol_t* sym, int32_t num_inputs, const char* const* input_keys,
                       mxl_symbol_t* const* inputs, const char* name, mxl_symbol_t** out) {
  MXL_API_BEGIN
  const char* fn = "mxl_symbol_compose";
  const Symbol& s = symbol_of(sym, fn);
  check_out(out, fn, "out");
  std::vector<Symbol> args;
  std::vector<std::pair<std::string, Symbol>> kwargs;
  split_inputs(num_inputs, input_keys, inputs, fn, &args, &kwargs);
  *out = capi::new_symbol_handle(s.compose(args, kwargs, name ? name : ""));
  MXL_API_END
}

int mxl_symbol_list(const mxl_symbol_t* sym, int32_t which, char* buf, uint64_t cap, uint64_t* needed) {
  MXL_API_BEGIN
  const Symbol& s = symbol_of(sym, "mxl_symbol_list");
  std::vector<std::string> names;
  switch (which) {
    case MXL_SYMBOL_ARGUMENTS: names = s.list_arguments(); break;
    case MXL_SYMBOL_OUTPUTS: names = s.list_outputs(); break;
    case MXL_SYMBOL_AUXILIARY_STATES: names = s.list_auxiliary_states(); break;
    case MXL_SYMBOL_INPUTS: names = s.list_inputs(symbol::InputKind::kAll); break;
    default: throw_error(MXL_ERR_VALUE, "mxl_symbol_list: unknown list kind ", which);
  }
  capi::copy_out_string(nlohmann::json(names).dump(), buf, cap, needed);
  MXL_API_END
}

int mxl_symbol_get_attr(const mxl_symbol_t* sym, const char* key, int32_t* found, char* buf,
                        uint64_t cap, uint64_t* needed) {
  MXL_API_BEGIN
  const Symbol& s = symbol_of(sym, "mxl_symbol_get_attr");
  check_out(found, "mxl_symbol_get_attr", "found");
  MXL_CHECK(key, MXL_ERR_VALUE, "mxl_symbol_get_attr: key is NULL");
  std::string value;
  if (!s.get_attr(key, &value)) {
    *found = 0;
    if (needed) *needed = 0;
  } else {
    capi::copy_out_string(value, buf, cap, needed);
    *found = 1;
  }
  MXL_API_END
}

int mxl_symbol_set_attr(mxl_symbol_t* sym, const char* key, const char* value) {
  MXL_API_BEGIN
  symbol_of(sym, "mxl_symbol_set_attr");
  MXL_CHECK(key && value, MXL_ERR_VALUE, "mxl_symbol_set_attr: key or value is NULL");
  sym->sym.set_attr(key, value);
  MXL_API_END
}

int mxl_symbol_list_attr(const mxl_symbol_t* sym, int32_t recursive, char* buf, uint64_t cap,
                         uint64_t* needed) {
  MXL_API_BEGIN
  const Symbol& s = symbol_of(sym, "mxl_symbol_list_attr");
  nlohmann::json doc = nlohmann::json::object();
  if (recursive) {
    for (const auto& [node, k, v] : s.list_attr_recursive()) doc[node][k] = v;
  } else {
    for (const auto& kv : s.list_attr()) doc[kv.first] = kv.second;
  }
  capi::copy_out_string(doc.dump(), buf, cap, needed);
  MXL_API_END
}

int mxl_symbol_infer_shape(const mxl_symbol_t* sym, int32_t num_known, const char* const* names,
                           const int32_t* ndims, const int64_t* dims, char* buf, uint64_t cap,
                           uint64_t* needed) {
  MXL_API_BEGIN
  const char* fn = "mxl_symbol_infer_shape";
  const Symbol& s = symbol_of(sym, fn);
  MXL_CHECK(num_known >= 0 && (num_known == 0 || ndims), MXL_ERR_VALUE, fn,
            ": ndims is NULL or num_known is negative");
  std::vector<std::string> keys;
  std::vector<Shape> known;
  int64_t offset = 0;
  for (int32_t i = 0; i < num_known; ++i) {
    if (names) {
      MXL_CHECK(names[i], MXL_ERR_VALUE, fn, ": name ", i, " is NULL");
      keys.emplace_back(names[i]);
    }
    const int32_t nd = ndims[i];
    MXL_CHECK(nd >= -1 && nd <= kMaxNdim, MXL_ERR_VALUE, fn, ": ndim ", nd, " of value ", i,
              " is not in [-1, ", kMaxNdim, "]");
    if (nd < 0) {
      known.push_back(Shape::unknown());
      continue;
    }
    MXL_CHECK(nd == 0 || dims, MXL_ERR_VALUE, fn, ": dims is NULL");
    Shape sh(dims + offset, nd);
    for (int d = 0; d < nd; ++d)
      MXL_CHECK(sh[d] >= 0, MXL_ERR_VALUE, fn, ": extent ", sh[d], " of value ", i, " is negative");
    offset += nd;
    known.push_back(sh);
  }
  symbol::ShapeResult r = symbol::infer_shape(s, keys, known);
  nlohmann::json doc = {{"complete", r.complete},
                        {"arguments", list_json(r.args, shape_json)},
                        {"outputs", list_json(r.outs, shape_json)},
                        {"auxiliary_states", list_json(r.aux, shape_json)}};
  capi::copy_out_string(doc.dump(), buf, cap, needed);
  MXL_API_END
}

int mxl_symbol_infer_type(const mxl_symbol_t* sym, int32_t num_known, const char* const* names,
                          const int32_t* dtypes, char* buf, uint64_t cap, uint64_t* needed) {
  MXL_API_BEGIN
  const char* fn = "mxl_symbol_infer_type";
  const Symbol& s = symbol_of(sym, fn);
  MXL_CHECK(num_known >= 0 && (num_known == 0 || dtypes), MXL_ERR_VALUE, fn,
            ": dtypes is NULL or num_known is negative");
  std::vector<std::string> keys;
  std::vector<int> known;
  for (int32_t i = 0; i < num_known; ++i) {
    if (names) {
      MXL_CHECK(names[i], MXL_ERR_VALUE, fn, ": name ", i, " is NULL");
      keys.emplace_back(names[i]);
    }
    DType t;
    if (dtypes[i] == -1) known.push_back(-1);
    else if (dtype_from_abi(dtypes[i], &t)) known.push_back(static_cast<int>(t));
    else throw_error(MXL_ERR_TYPE, fn, ": dtype code ", dtypes[i], " of value ", i, " is not supported");
  }
  symbol::TypeResult r = symbol::infer_type(s, keys, known);
  nlohmann::json doc = {{"complete", r.complete},
                        {"arguments", list_json(r.args, type_json)},
                        {"outputs", list_json(r.outs, type_json)},
                        {"auxiliary_states", list_json(r.aux, type_json)}};
  capi::copy_out_string(doc.dump(), buf, cap, needed);
  MXL_API_END
}

int mxl_symbol_to_json(const mxl_symbol_t* sym, char* buf, uint64_t cap, uint64_t* needed) {
  MXL_API_BEGIN
  capi::copy_out_string(symbol::to_json(symbol_of(sym, "mxl_symbol_to_json")), buf, cap, needed);
  MXL_API_END
}

int mxl_symbol_from_json(const char* json, mxl_symbol_t** out) {
  MXL_API_BEGIN
  check_out(out, "mxl_symbol_from_json", "out");
  MXL_CHECK(json, MXL_ERR_VALUE, "mxl_symbol_from_json: json is NULL");
  *out = capi::new_symbol_handle(symbol::from_json(json));
  MXL_API_END
}

int mxl_symbol_save(const mxl_symbol_t* sym, const char* path) {
  MXL_API_BEGIN
  const Symbol& s = symbol_of(sym, "mxl_symbol_save");
  MXL_CHECK(path, MXL_ERR_VALUE, "mxl_symbol_save: path is NULL");
  const std::string text = symbol::to_json(s);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  MXL_CHECK(f, MXL_ERR_VALUE, "mxl_symbol_save: cannot open '", path, "' for writing");
  f << text;
  f.close();
  MXL_CHECK(f, MXL_ERR_RUNTIME, "mxl_symbol_save: writing '", path, "' failed");
  MXL_API_END
}

int mxl_symbol_load(const char* path, mxl_symbol_t** out) {
  MXL_API_BEGIN
  check_out(out, "mxl_symbol_load", "out");
  MXL_CHECK(path, MXL_ERR_VALUE, "mxl_symbol_load: path is NULL");
  std::ifstream f(path, std::ios::binary);
  MXL_CHECK(f, MXL_ERR_VALUE, "mxl_symbol_load: cannot open '", path, "'");
  std::ostringstream text;
  text << f.rdbuf();
  try {
    *out = capi::new_symbol_handle(symbol::from_json(text.str()));
  } catch (const Error& e) {
    throw Error(e.kind(), std::string(e.what()) + " (file '" + path + "')");
  }
  MXL_API_END
}

int mxl_symbol_debug_str(const mxl_symbol_t* sym, char* buf, uint64_t cap, uint64_t* needed) {
  MXL_API_BEGIN
  capi::copy_out_string(symbol_of(sym, "mxl_symbol_debug_str").debug_str(), buf, cap, needed);
  MXL_API_END
}

}  // extern "C"
