#include "operator/registry.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "c_api.h"

namespace mxl {

Registry& Registry::get() {
  static Registry* r = new Registry();  // immortal: ops outlive every handle
  return *r;
}

OpDef& Registry::add(const std::string& name) {
  if (by_name_.count(name)) throw_error(MXL_ERR_VALUE, "operator '", name, "' registered twice");
  OpDef* op = new OpDef();
  op->name = name;
  ops_.push_back(op);
  by_name_[name] = op;
  json_.clear();
  return *op;
}

void Registry::add_alias(OpDef* op, const std::string& alias) {
  if (by_name_.count(alias)) throw_error(MXL_ERR_VALUE, "operator alias '", alias, "' registered twice");
  by_name_[alias] = op;
  json_.clear();
}

const OpDef* Registry::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

OpDef& OpDef::add_alias(const std::string& a) {
  aliases.push_back(a);
  Registry::get().add_alias(this, a);
  return *this;
}

OpDef& OpDef::add_optional_input(const std::string& name, const std::string& doc,
                                 const std::string& flag, const std::string& flag_doc) {
  add_input(name, doc);
  add_param(flag, "bool", "False", flag_doc);
  const std::vector<std::string> all = input_names;
  num_inputs_fn = [flag, n = static_cast<int>(all.size())](const Params& p) {
    return p.get_bool(flag.c_str()) ? n : n - 1;
  };
  input_names_fn = [flag, all](const Params& p) {
    std::vector<std::string> names = all;
    if (!p.get_bool(flag.c_str())) names.pop_back();
    return names;
  };
  return *this;
}

OpDef& OpDef::add_param(const std::string& pname, const std::string& type_text,
                        const std::string& default_text, const std::string& pdoc) {
  ParamField f;
  f.name = pname;
  f.doc = pdoc;
  std::string t = type_text;
  if (t.rfind("optional<", 0) == 0) {
    f.optional = true;
    t = t.substr(9, t.size() - 10);
  }
  if (t == "int") f.type = ParamType::kInt;
  else if (t == "float") f.type = ParamType::kFloat;
  else if (t == "bool") f.type = ParamType::kBool;
  else if (t == "str") f.type = ParamType::kStr;
  else if (t == "shape") f.type = ParamType::kShape;
  else if (t == "shape_or_none") { f.type = ParamType::kShape; f.shape_allows_none = true; }
  else if (t == "dtype") f.type = ParamType::kDType;
  else if (t.rfind("enum{", 0) == 0) {
    f.type = ParamType::kEnum;
    std::string body = t.substr(5, t.size() - 6);
    size_t pos = 0;
    while (true) {
      size_t c = body.find(',', pos);
      f.enum_values.push_back(body.substr(pos, c == std::string::npos ? std::string::npos : c - pos));
      if (c == std::string::npos) break;
      pos = c + 1;
    }
  } else {
    throw_error(MXL_ERR_VALUE, "operator ", name, ": parameter ", pname, " has unknown type ", type_text);
  }
  f.required = default_text.empty();
  f.default_text = default_text;
  if (!f.required) parse_param(name, f, default_text);  // a bad default is a registration bug
  params.push_back(std::move(f));
  return *this;
}

OpDef& OpDef::set_default(const std::string& default_text) {
  ParamField& f = params.back();
  parse_param(name, f, default_text);  // a bad default is a registration bug
  f.required = false;
  f.default_text = default_text;
  return *this;
}

OpDef& OpDef::set_range(double lo, double hi) {
  params.back().has_range = true;
  params.back().lo = lo;
  params.back().hi = hi;
  return *this;
}

int OpDef::num_inputs(const Params& p) const {
  if (num_inputs_fn) return num_inputs_fn(p);
  if (!num_inputs_param.empty()) return static_cast<int>(p.get_int(num_inputs_param.c_str()));
  if (variadic_inputs) return -1;
  return static_cast<int>(input_names.size());
}

std::vector<std::string> OpDef::list_input_names(const Params& p) const {
  return input_names_fn ? input_names_fn(p) : input_names;
}

int OpDef::num_visible_outputs(const Params& p) const {
  return num_visible_outputs_fn ? num_visible_outputs_fn(p) : num_outputs(p);
}

int OpDef::num_mxnet_outputs(const Params& p) const {
  return num_mxnet_outputs_fn ? num_mxnet_outputs_fn(p) : num_outputs(p);
}

OpDef& OpDef::copy_params_from(const std::string& op_name) {
  const OpDef* other = Registry::get().find(op_name);
  if (!other) throw_error(MXL_ERR_RUNTIME, "registry: ", name, " copies params from unknown op ", op_name);
  params = other->params;
  return *this;
}

int OpDef::num_outputs(const Params& p) const {
  if (num_outputs_fn) return num_outputs_fn(p);
  if (!num_outputs_param.empty()) return static_cast<int>(p.get_int(num_outputs_param.c_str()));
  return output_names.empty() ? 1 : static_cast<int>(output_names.size());
}

bool OpDef::is_mutate_input(const Params& p, int input) const {
  for (int m : mutate_inputs)
    if (m == input) return true;
  return mutate_input_fn && mutate_input_fn(p, input);
}

bool OpDef::is_inplace(const Params& p, int input, int output) const {
  for (const auto& pr : inplace)
    if (pr.first == input && pr.second == output) return true;
  return inplace_fn && inplace_fn(p, input, output);
}

int OpDef::param_index(const std::string& pname) const {
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].name == pname) return static_cast<int>(i);
  return -1;
}

namespace {

std::string type_text(const ParamField& f) {
  std::string t;
  switch (f.type) {
    case ParamType::kInt: t = "int"; break;
    case ParamType::kFloat: t = "float"; break;
    case ParamType::kBool: t = "bool"; break;
    case ParamType::kStr: t = "str"; break;
    case ParamType::kShape: t = "shape"; break;
    case ParamType::kDType: t = "dtype"; break;
    case ParamType::kEnum: t = "enum"; break;
  }
  return f.optional ? "optional<" + t + ">" : t;
}

nlohmann::json default_json(const std::string& op, const ParamField& f) {
  if (f.required) return nullptr;
  ParamValue v = parse_param(op, f, f.default_text);
  if (v.is_none) return nullptr;
  switch (f.type) {
    case ParamType::kInt: return v.i;
    case ParamType::kFloat:
      if (std::isfinite(v.f)) return v.f;
      return f.default_text;  // JSON has no inf/nan: keep MXNet's text
    case ParamType::kBool: return v.i != 0;
    case ParamType::kShape: {
      nlohmann::json a = nlohmann::json::array();
      for (int64_t d : v.shape) a.push_back(d == kNoneDim ? nlohmann::json(nullptr) : nlohmann::json(d));
      return a;
    }
    case ParamType::kDType: return dtype_name(v.dtype);
    case ParamType::kStr:
    case ParamType::kEnum: return v.s;
  }
  return nullptr;
}

}  // namespace

const std::string& Registry::json() {
  if (!json_.empty()) return json_;
  nlohmann::json doc;
  doc["schema_version"] = 1;
  doc["library_version"] = MXL_VERSION;
  nlohmann::json ops = nlohmann::json::array();
  for (const OpDef* op : ops_) {
    nlohmann::json j;
    j["name"] = op->name;
    j["aliases"] = op->aliases;
    j["doc"] = op->doc;
    nlohmann::json ins = nlohmann::json::array();
    for (size_t i = 0; i < op->input_names.size(); ++i)
      ins.push_back({{"name", op->input_names[i]}, {"doc", op->input_docs[i]}});
    j["inputs"] = ins;
    j["variadic_inputs"] = op->variadic_inputs;
    j["num_inputs_param"] =
        op->num_inputs_param.empty() ? nlohmann::json(nullptr) : nlohmann::json(op->num_inputs_param);
    j["outputs"] = op->output_names.empty() ? std::vector<std::string>{"output"} : op->output_names;
    j["num_outputs_param"] = op->num_outputs_param.empty() ? nlohmann::json(nullptr)
                                                           : nlohmann::json(op->num_outputs_param);
    nlohmann::json ps = nlohmann::json::array();
    for (const ParamField& f : op->params) {
      nlohmann::json p;
      p["name"] = f.name;
      p["type"] = type_text(f);
      p["default"] = default_json(op->name, f);
      p["default_text"] = f.default_text;
      p["required"] = f.required;
      p["doc"] = f.doc;
      p["range"] = f.has_range ? nlohmann::json::array({f.lo, f.hi}) : nlohmann::json(nullptr);
      p["values"] = f.type == ParamType::kEnum ? nlohmann::json(f.enum_values) : nlohmann::json(nullptr);
      // A shape whose entries may be None (slice's begin/end/step).
      p["none_entries"] = f.type == ParamType::kShape && f.shape_allows_none;
      ps.push_back(p);
    }
    j["params"] = ps;
    j["differentiable"] = op->differentiable;
    j["mutate_inputs"] = op->mutate_inputs;
    j["needs_rng"] = op->needs_rng;
    ops.push_back(j);
  }
  doc["ops"] = ops;
  json_ = doc.dump(1);
  return json_;
}

void infer_type_same(const std::string& op, std::vector<DType>* in, std::vector<DType>* out) {
  if (in->empty()) return;
  DType t = (*in)[0];
  for (size_t i = 1; i < in->size(); ++i)
    MXL_CHECK((*in)[i] == t, MXL_ERR_TYPE, "Operator ", op, ": input ", i, " has dtype ",
              dtype_name((*in)[i]), " but input 0 has dtype ", dtype_name(t),
              "; all inputs must share one dtype");
  for (auto& o : *out) o = t;
}

std::string op_error_prefix(const std::string& op, const std::string& arg) {
  return "Operator " + op + ": argument '" + arg + "'";
}

}  // namespace mxl
