// Eager op invocation: the path behind mxl_invoke (DESIGN.md section 1).
// Inference and allocation happen synchronously, so errors surface at the
// call; the kernel runs inline when its arrays are idle and small (no thread
// hand-off for tiny ops), otherwise it is pushed to the engine.
#pragma once
#include <memory>
#include <vector>

#include "ndarray/ndarray.h"
#include "operator/registry.h"

namespace mxl {
namespace imperative {

// Parsed attributes for (op, keys, vals), from a per-thread cache keyed by the
// exact strings, so unchanged attributes are parsed once.
std::shared_ptr<const Params> cached_params(const OpDef* op, int num_attrs,
                                            const char* const* keys, const char* const* vals);

// Runs op.  outputs: entries that are not none are destinations whose shape and
// dtype must equal the inferred ones; none entries are allocated.  The vector
// is resized to the op's output count.
void invoke(const OpDef* op, const std::shared_ptr<const Params>& params,
            const std::vector<NDArray>& inputs, std::vector<NDArray>* outputs);

// Below this many output elements an op with idle arrays runs on the
// calling thread; larger ones too when the engine has nothing queued (then a
// worker hand-off buys no overlap, and Python cannot run far ahead of the
// work it queued).
constexpr int64_t kInlineElements = 1 << 16;

}  // namespace imperative
}  // namespace mxl
