// Operator parameters: a typed schema per op, and parsed values.
//
// Attribute values arrive as strings in MXNet's text form ("(2, 3)", "True",
// "float32", "-1", "None").  They are parsed and validated once into Params;
// the invoke path caches Params per op so unchanged attributes are not parsed
// again.  The schema is published in the registry JSON document.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "common/dtype.h"
#include "common/shape.h"

namespace mxl {

enum class ParamType { kInt, kFloat, kBool, kStr, kShape, kDType, kEnum };

// A "None" entry inside a shape-typed value, e.g. slice's begin=(None, 2).
constexpr int64_t kNoneDim = std::numeric_limits<int64_t>::min();

struct ParamField {
  std::string name;
  ParamType type = ParamType::kInt;
  bool optional = false;     // "None" is a valid value (optional<T>)
  bool required = false;     // no default: the caller must pass it
  std::string default_text;  // MXNet text form of the default ("None", "False", "()")
  std::string doc;
  bool has_range = false;    // numeric range, inclusive
  double lo = 0, hi = 0;
  std::vector<std::string> enum_values;  // kEnum only
  bool shape_allows_none = false;        // kShape: entries may be None
};

struct ParamValue {
  bool is_none = false;
  int64_t i = 0;      // kInt, kBool (0/1), kEnum (index into enum_values)
  double f = 0;       // kFloat
  std::string s;      // kStr, and kEnum's text
  std::vector<int64_t> shape;  // kShape (kNoneDim for None entries)
  DType dtype = DType::kFloat32;  // kDType
};

struct OpDef;

class Params {
 public:
  Params() = default;
  explicit Params(const OpDef* op);  // every field at its default

  // Parse one attribute into its field.  Throws Error(KEY) for an unknown
  // name, Error(VALUE) for a malformed or out-of-range value.  Names that
  // start and end with "__" (MXNet's graph attributes) are ignored.
  void set(const std::string& key, const std::string& value);
  // Throws Error(VALUE) naming the first required field that was not set.
  void check_required() const;

  // Typed access by field name; throws Error(KEY) for a name not in the schema
  // (a bug in the op, reported rather than crashing).
  const ParamValue& get(const char* name) const;
  bool is_none(const char* name) const { return get(name).is_none; }
  int64_t get_int(const char* name) const { return get(name).i; }
  double get_float(const char* name) const { return get(name).f; }
  bool get_bool(const char* name) const { return get(name).i != 0; }
  const std::string& get_str(const char* name) const { return get(name).s; }
  const std::vector<int64_t>& get_shape(const char* name) const { return get(name).shape; }
  DType get_dtype(const char* name) const { return get(name).dtype; }
  const std::string& get_enum(const char* name) const { return get(name).s; }

  const OpDef* op() const { return op_; }
  // The attribute strings that were set, in call order (gradients pass them
  // on to backward ops; graph serialization writes them).
  const std::vector<std::pair<std::string, std::string>>& attrs() const { return attrs_; }

 private:
  int index_of(const char* name) const;
  const OpDef* op_ = nullptr;
  std::vector<ParamValue> values_;
  std::vector<bool> was_set_;
  std::vector<std::pair<std::string, std::string>> attrs_;
};

// Parses `text` as a value of `field` (shared by Params::set and the JSON
// default conversion).  Throws Error(VALUE) naming op and field.
ParamValue parse_param(const std::string& op_name, const ParamField& field,
                       const std::string& text);

}  // namespace mxl
