#include "operator/params.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "operator/registry.h"

namespace mxl {
namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

const char* type_word(const ParamField& f) {
  switch (f.type) {
    case ParamType::kInt: return "an integer";
    case ParamType::kFloat: return "a number";
    case ParamType::kBool: return "a boolean (True/False/1/0)";
    case ParamType::kStr: return "a string";
    case ParamType::kShape: return "a tuple of integers such as (2, 3)";
    case ParamType::kDType: return "a dtype name such as float32";
    case ParamType::kEnum: return "one of the listed values";
  }
  return "a value";
}

[[noreturn]] void bad_value(const std::string& op, const ParamField& f, const std::string& text,
                            const std::string& why = "") {
  std::string expected = type_word(f);
  if (f.type == ParamType::kEnum) {
    expected = "one of {";
    for (size_t i = 0; i < f.enum_values.size(); ++i)
      expected += (i ? ", '" : "'") + f.enum_values[i] + "'";
    expected += "}";
  }
  throw_error(MXL_ERR_VALUE, "Operator ", op, ": invalid value '", text, "' for parameter '",
              f.name, "': expected ", expected, f.optional ? " or None" : "",
              why.empty() ? "" : " (", why, why.empty() ? "" : ")");
}

bool parse_int(const std::string& t, int64_t* out) {
  if (t.empty()) return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str(), &end, 10);
  if (errno || *end != '\0') {
    // Accept integral floats such as "2.0" (Python may print ints that way).
    double d = std::strtod(t.c_str(), &end);
    if (*end != '\0' || d != std::floor(d) || std::fabs(d) > 9.2e18) return false;
    v = static_cast<long long>(d);
  }
  *out = v;
  return true;
}

bool parse_float(const std::string& t, double* out) {
  if (t.empty()) return false;
  std::string s = t;
  // Python spellings of the specials.
  if (s == "inf" || s == "+inf" || s == "Infinity") { *out = INFINITY; return true; }
  if (s == "-inf" || s == "-Infinity") { *out = -INFINITY; return true; }
  if (s == "nan" || s == "NaN") { *out = NAN; return true; }
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return *end == '\0';
}

}  // namespace

ParamValue parse_param(const std::string& op, const ParamField& f, const std::string& raw) {
  ParamValue v;
  std::string t = trim(raw);
  if (t == "None" || t == "none") {
    if (!f.optional) bad_value(op, f, raw, "None is not allowed");
    v.is_none = true;
    return v;
  }
  switch (f.type) {
    case ParamType::kInt: {
      if (!parse_int(t, &v.i)) bad_value(op, f, raw);
      if (f.has_range && (v.i < f.lo || v.i > f.hi))
        bad_value(op, f, raw, "must be in [" + std::to_string((int64_t)f.lo) + ", " +
                                  std::to_string((int64_t)f.hi) + "]");
      break;
    }
    case ParamType::kFloat: {
      if (!parse_float(t, &v.f)) bad_value(op, f, raw);
      if (f.has_range && (v.f < f.lo || v.f > f.hi))
        bad_value(op, f, raw, "must be in [" + std::to_string(f.lo) + ", " +
                                  std::to_string(f.hi) + "]");
      break;
    }
    case ParamType::kBool: {
      if (t == "True" || t == "true" || t == "1") v.i = 1;
      else if (t == "False" || t == "false" || t == "0") v.i = 0;
      else bad_value(op, f, raw);
      break;
    }
    case ParamType::kStr: v.s = t; break;
    case ParamType::kShape: {
      // "(2, 3)", "[2,3]", "(2,)", "()", "2", "(None, 1)".
      std::string body = t;
      if (!body.empty() && (body.front() == '(' || body.front() == '[')) {
        char close = body.front() == '(' ? ')' : ']';
        if (body.back() != close) bad_value(op, f, raw);
        body = body.substr(1, body.size() - 2);
      }
      size_t pos = 0;
      while (pos <= body.size()) {
        size_t comma = body.find(',', pos);
        std::string item = trim(body.substr(pos, comma == std::string::npos ? std::string::npos
                                                                            : comma - pos));
        if (!item.empty()) {
          if (item == "None") {
            if (!f.shape_allows_none) bad_value(op, f, raw, "None entries are not allowed");
            v.shape.push_back(kNoneDim);
          } else {
            int64_t d;
            if (!parse_int(item, &d)) bad_value(op, f, raw);
            v.shape.push_back(d);
          }
        } else if (comma != std::string::npos && comma + 1 < body.size() &&
                   !trim(body.substr(comma + 1)).empty()) {
          bad_value(op, f, raw, "empty entry");
        }
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
      break;
    }
    case ParamType::kDType: {
      std::string s = t;
      if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"')) s = s.substr(1, s.size() - 2);
      if (s.rfind("<class 'numpy.", 0) == 0) s = s.substr(14, s.size() - 16);  // str(np.float32)
      if (!dtype_from_name(s, &v.dtype)) bad_value(op, f, raw, "unknown dtype");
      break;
    }
    case ParamType::kEnum: {
      std::string s = t;
      if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"')) s = s.substr(1, s.size() - 2);
      bool found = false;
      for (size_t i = 0; i < f.enum_values.size(); ++i)
        if (f.enum_values[i] == s) {
          v.i = static_cast<int64_t>(i);
          v.s = s;
          found = true;
        }
      if (!found) bad_value(op, f, raw);
      break;
    }
  }
  return v;
}

Params::Params(const OpDef* op) : op_(op) {
  values_.resize(op->params.size());
  was_set_.assign(op->params.size(), false);
  for (size_t i = 0; i < op->params.size(); ++i) {
    const ParamField& f = op->params[i];
    if (!f.required) values_[i] = parse_param(op->name, f, f.default_text);
  }
}

int Params::index_of(const char* name) const {
  const auto& ps = op_->params;
  for (size_t i = 0; i < ps.size(); ++i)
    if (ps[i].name == name) return static_cast<int>(i);
  return -1;
}

void Params::set(const std::string& key, const std::string& value) {
  int i = index_of(key.c_str());
  if (i < 0) {
    if (key.size() > 4 && key.compare(0, 2, "__") == 0 && key.compare(key.size() - 2, 2, "__") == 0)
      return;
    std::string valid;
    for (const auto& f : op_->params) valid += (valid.empty() ? "" : ", ") + f.name;
    throw_error(MXL_ERR_KEY, "Operator ", op_->name, ": unknown parameter '", key,
                "'; valid parameters: ", valid.empty() ? "(none)" : valid);
  }
  values_[i] = parse_param(op_->name, op_->params[i], value);
  was_set_[i] = true;
  for (auto& kv : attrs_)
    if (kv.first == key) { kv.second = value; return; }
  attrs_.emplace_back(key, value);
}

void Params::check_required() const {
  for (size_t i = 0; i < op_->params.size(); ++i)
    if (op_->params[i].required && !was_set_[i])
      throw_error(MXL_ERR_VALUE, "Operator ", op_->name, ": required parameter '",
                  op_->params[i].name, "' is missing");
}

const ParamValue& Params::get(const char* name) const {
  int i = index_of(name);
  if (i < 0) throw_error(MXL_ERR_KEY, "Operator ", op_->name, ": internal: no parameter '", name, "'");
  return values_[i];
}

}  // namespace mxl
