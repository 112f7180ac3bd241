#include "operator/optimizer_common.h"

#include <cerrno>
#include <cstdlib>

namespace mxl {
namespace optim {

OpDef& add_update_op(const char* name, const char* doc, std::initializer_list<InputDoc> inputs,
                     std::initializer_list<int> mutated, bool weight_out) {
  OpDef& op = Registry::get().add(name);
  op.describe(doc);
  for (const InputDoc& in : inputs) op.add_input(in.name, in.doc);
  for (int m : mutated) op.add_mutate_input(m);
  if (weight_out) op.add_inplace(0, 0);
  return op.set_infer_shape(infer_update_shape).set_infer_type(infer_update_type);
}

OpDef& add_lr(OpDef& op) { return op.add_param("lr", "float", "", "Learning rate"); }

OpDef& add_wd(OpDef& op, const char* default_text) {
  return op.add_param("wd", "float", default_text,
                      "Weight decay augments the objective function with a regularization term "
                      "that penalizes large weights. The penalty scales with the square of the "
                      "magnitude of each weight.");
}

OpDef& add_rescale_clip(OpDef& op) {
  return op.add_param("rescale_grad", "float", "1", "Rescale gradient to grad = rescale_grad*grad.")
      .add_param("clip_gradient", "float", "-1",
                 "Clip gradient to the range of [-clip_gradient, clip_gradient]. A negative "
                 "value turns clipping off. grad = max(min(grad, clip_gradient), "
                 "-clip_gradient).");
}

OpDef& add_lazy_update(OpDef& op) {
  // Only meaningful for row_sparse gradients, which mxlite does not have:
  // accepted so MXNet code runs, and the dense update is the same either way.
  return op.add_param("lazy_update", "bool", "True",
                      "If true, lazy updates are applied if gradient's stype is row_sparse "
                      "(dense arrays are always updated in full).");
}

void check_float(const std::string& op, const std::string& arg, DType t) {
  MXL_CHECK(is_float(t), MXL_ERR_TYPE, op_error_prefix(op, arg), " has dtype ", dtype_name(t),
            "; expected float16, float32 or float64");
}

void infer_update_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const OpDef* op = p.op();
  const Shape& w = (*in)[0];
  for (size_t i = 1; i < in->size(); ++i)
    MXL_CHECK((*in)[i] == w, MXL_ERR_VALUE, op_error_prefix(op->name, op->input_names[i]),
              " has shape ", (*in)[i].str(), " but '", op->input_names[0], "' has shape ",
              w.str(), "; they must match");
  for (auto& o : *out) o = w;
}

void infer_update_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  const OpDef* op = p.op();
  const DType w = (*in)[0];
  check_float(op->name, op->input_names[0], w);
  for (size_t i = 1; i < in->size(); ++i)
    MXL_CHECK((*in)[i] == w, MXL_ERR_TYPE, op_error_prefix(op->name, op->input_names[i]),
              " has dtype ", dtype_name((*in)[i]), " but '", op->input_names[0],
              "' has dtype ", dtype_name(w), "; they must match");
  for (auto& o : *out) o = w;
}

InferTypeFn mp_update_type(int num_low, bool out_float32) {
  return [num_low, out_float32](const Params& p, std::vector<DType>* in,
                                std::vector<DType>* out) {
    const OpDef* op = p.op();
    const DType w = (*in)[0];
    check_float(op->name, op->input_names[0], w);
    for (int i = 1; i < static_cast<int>(in->size()); ++i) {
      const DType want = i < num_low ? w : DType::kFloat32;
      MXL_CHECK((*in)[i] == want, MXL_ERR_TYPE, op_error_prefix(op->name, op->input_names[i]),
                " has dtype ", dtype_name((*in)[i]), " but expected ", dtype_name(want),
                i < num_low ? " (the dtype of '" + op->input_names[0] + "')"
                            : std::string(" (multi-precision states are float32)"));
    }
    for (auto& o : *out) o = out_float32 ? DType::kFloat32 : w;
  };
}

std::vector<double> parse_float_tuple(const std::string& op, const char* param,
                                      const std::string& text) {
  auto bad = [&](const std::string& why) {
    throw_error(MXL_ERR_VALUE, "Operator ", op, ": invalid value '", text, "' for parameter '",
                param, "': expected a tuple of numbers such as (0.1, 0.2) (", why, ")");
  };
  std::string body = text;
  while (!body.empty() && body.front() == ' ') body.erase(body.begin());
  while (!body.empty() && body.back() == ' ') body.pop_back();
  if (!body.empty() && (body.front() == '(' || body.front() == '[')) {
    const char close = body.front() == '(' ? ')' : ']';
    if (body.back() != close) bad("unbalanced brackets");
    body = body.substr(1, body.size() - 2);
  }
  std::vector<double> v;
  size_t pos = 0;
  while (pos < body.size()) {
    const size_t comma = body.find(',', pos);
    std::string item = body.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (item.empty()) {
      // "(0.1,)" is a one-element tuple; an empty entry elsewhere is an error.
      if (comma == std::string::npos || comma + 1 < body.size()) bad("empty entry");
    } else {
      char* end = nullptr;
      errno = 0;
      const double d = std::strtod(item.c_str(), &end);
      if (*end != '\0' || errno == ERANGE) bad("'" + item + "' is not a number");
      v.push_back(d);
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return v;
}

}  // namespace optim
}  // namespace mxl
