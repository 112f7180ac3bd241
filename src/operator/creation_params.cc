#include "operator/creation_params.h"

#include <limits>
#include <string>

namespace mxl {

OpDef& add_ctx_param(OpDef& op) {
  return op
      .add_param("ctx", "str", "", "Context of output, in format [cpu|gpu|cpu_pinned](n). Only "
                 "used for imperative calls; this build supports cpu only.")
      .set_default("");
}

void check_cpu_context(const Params& p) {
  const std::string& ctx = p.get_str("ctx");
  if (ctx.empty()) return;
  const std::string& op = p.op()->name;
  const size_t paren = ctx.find('(');
  const std::string kind = ctx.substr(0, paren);
  bool well_formed = paren == std::string::npos;
  if (!well_formed && ctx.back() == ')' && ctx.size() > paren + 2) {
    const std::string id = ctx.substr(paren + 1, ctx.size() - paren - 2);
    well_formed = id.find_first_not_of("0123456789") == std::string::npos;
  }
  if (well_formed && (kind == "cpu" || kind == "cpu_pinned" || kind == "cpu_shared")) return;
  if (kind == "gpu")
    throw_error(MXL_ERR_NOT_IMPLEMENTED, op_error_prefix(op, "ctx"), " is '", ctx,
                "', but this build has no GPU support");
  throw_error(MXL_ERR_VALUE, op_error_prefix(op, "ctx"), " is '", ctx,
              "'; expected '', 'cpu' or 'cpu(N)'");
}

Shape shape_param(const Params& p) {
  const std::string& op = p.op()->name;
  const std::vector<int64_t>& dims = p.get_shape("shape");
  MXL_CHECK(dims.size() <= static_cast<size_t>(kMaxNdim), MXL_ERR_VALUE,
            op_error_prefix(op, "shape"), " has ", dims.size(), " dimensions; at most ",
            kMaxNdim, " are supported");
  int64_t total = 1;
  for (int64_t d : dims) {
    MXL_CHECK(d >= 0, MXL_ERR_VALUE, op_error_prefix(op, "shape"), " is ", Shape(dims).str(),
              "; expected non-negative extents");
    MXL_CHECK(d == 0 || total <= std::numeric_limits<int64_t>::max() / d, MXL_ERR_VALUE,
              op_error_prefix(op, "shape"), " is ", Shape(dims).str(),
              ", which has too many elements");
    total *= d;
  }
  return Shape(dims);
}

}  // namespace mxl
