// reshape_like: reshapes lhs to the shape of rhs (or a range of lhs's
// dimensions to a range of rhs's dimensions), MXNet 1.9 semantics.  Gluon's
// losses use it to bring labels to the prediction's shape inside symbolic
// graphs, where shapes are not known while the graph is built.
#include "operator/registry.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

using namespace shape_ops;

// [begin, end) from optional ints (None: the whole range; negatives count
// from the end), as MXNet's reshape_like resolves lhs_begin/lhs_end.
void resolve_range(const Params& p, const char* bname, const char* ename, int ndim, int* b,
                   int* e) {
  int64_t bv = p.is_none(bname) ? 0 : p.get_int(bname);
  int64_t ev = p.is_none(ename) ? ndim : p.get_int(ename);
  if (bv < 0) bv += ndim;
  if (ev < 0) ev += ndim;
  MXL_CHECK(bv >= 0 && bv <= ndim, MXL_ERR_VALUE, "Operator reshape_like: argument '", bname,
            "' is out of range for an array of ", ndim, " dimensions");
  MXL_CHECK(ev >= bv && ev <= ndim, MXL_ERR_VALUE, "Operator reshape_like: argument '", ename,
            "' must be in [", bname, ", ", ndim, "], got ", ev);
  *b = static_cast<int>(bv);
  *e = static_cast<int>(ev);
}

void reshape_like_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& lhs = (*in)[0];
  const Shape& rhs = (*in)[1];
  if (!lhs.known() || !rhs.known()) return;
  int lb, le, rb, re;
  resolve_range(p, "lhs_begin", "lhs_end", lhs.ndim(), &lb, &le);
  resolve_range(p, "rhs_begin", "rhs_end", rhs.ndim(), &rb, &re);
  Shape o;
  for (int i = 0; i < lb; ++i) o.push_back(lhs[i]);
  for (int i = rb; i < re; ++i) o.push_back(rhs[i]);
  for (int i = le; i < lhs.ndim(); ++i) o.push_back(lhs[i]);
  MXL_CHECK(o.ndim() <= kMaxNdim, MXL_ERR_VALUE, "Operator reshape_like: the output would have "
            "more than ", kMaxNdim, " dimensions");
  MXL_CHECK(o.numel() == lhs.numel(), MXL_ERR_VALUE, "Operator reshape_like: cannot reshape lhs "
            "of shape ", lhs.str(), " (", lhs.numel(), " elements) like rhs of shape ", rhs.str(),
            ": the result ", o.str(), " has ", o.numel(), " elements");
  (*out)[0] = o;
}

MXL_REGISTER_OP(reshape_like)
    .describe("Reshapes lhs to the shape of rhs, or dimensions [lhs_begin, lhs_end) of lhs to "
              "dimensions [rhs_begin, rhs_end) of rhs. The number of elements must not change.")
    .add_input("lhs", "First input.")
    .add_input("rhs", "Second input.")
    .add_param("lhs_begin", "optional<int>", "None",
               "Defaults to 0. The beginning index along which the lhs dimensions are to be "
               "reshaped. Supports negative indices.")
    .add_param("lhs_end", "optional<int>", "None",
               "Defaults to None. The ending index along which the lhs dimensions are to be "
               "used for reshaping. Supports negative indices.")
    .add_param("rhs_begin", "optional<int>", "None",
               "Defaults to 0. The beginning index along which the rhs dimensions are to be "
               "used for reshaping. Supports negative indices.")
    .add_param("rhs_end", "optional<int>", "None",
               "Defaults to None. The ending index along which the rhs dimensions are to be "
               "used for reshaping. Supports negative indices.")
    .set_infer_shape(reshape_like_shape)
    .set_infer_type([](const Params&, std::vector<DType>* in, std::vector<DType>* out) {
      (*out)[0] = (*in)[0];  // rhs may have any dtype
    })
    .set_forward(copy_forward)
    .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
      // rhs only lends its shape: no gradient flows to it
      return {reshape_like(b, n.out_grads[0], n.inputs[0]), GradValue()};
    });

}  // namespace
}  // namespace mxl
