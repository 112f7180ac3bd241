__precompile__(false)  # the library path is read from the environment at load

"""
    MXLite

Julia binding of mxlite, an Apache MXNet 1.9-compatible deep-learning core,
through its C ABI (`include/c_api.h`) with `ccall`.

Arrays follow MXNet.jl's convention: a Julia `Array` of size `(d1, ..., dn)`
becomes an `NDArray` whose mxlite (C-order) shape is `(dn, ..., d1)`, sharing
the same memory layout, so conversion is a plain copy with no transpose.
`size(x)` is the Julia view; `mxshape(x)` is the core's C-order shape, the
one op attributes (`axis`, `shape`, ...) refer to, 0-based as in MXNet.

Every registry op is a function of the submodule `MXLite.nd`, generated from
the registry (`src/ops_generated.jl`): `nd.FullyConnected(x, w, b; num_hidden=10)`.

The library is `ENV["MXLITE_LIBRARY"]` or `build/libmxlite.so` of the
repository this package lives in; it is looked up when the package loads.
"""
module MXLite


export NDArray, MXError, mxshape, dtype, attach_grad!, grad, backward!, record, pause,
       is_recording, is_training, train_mode, predict_mode, waitall, live_handles, nd,
       load_arrays, save_arrays, CachedOp, Model, predict

include("lib.jl")
include("json.jl")
include("ndarray.jl")
include("invoke.jl")
include("arith.jl")
include("autograd.jl")
include("symbol.jl")
include("model.jl")
include("ops_generated.jl")

function __init__()
    check_version()
end

end # module
