# Autograd (MXNet's mx.autograd): the tape lives in the core; these are the
# switches, variables, backward and gradient reads.

function set_recording(flag::Bool)
    prev = Ref{Int32}(0)
    check(ccall((:mxl_autograd_set_recording, libmxlite), Cint, (Int32, Ptr{Int32}), Int32(flag), prev))
    return prev[] != 0
end

function set_training(flag::Bool)
    prev = Ref{Int32}(0)
    check(ccall((:mxl_autograd_set_training, libmxlite), Cint, (Int32, Ptr{Int32}), Int32(flag), prev))
    return prev[] != 0
end

"""Whether ops are being recorded on this thread."""
function is_recording()
    v = Ref{Int32}(0)
    check(ccall((:mxl_autograd_is_recording, libmxlite), Cint, (Ptr{Int32},), v))
    return v[] != 0
end

"""Whether ops run in training mode (Dropout active, BatchNorm batch statistics)."""
function is_training()
    v = Ref{Int32}(0)
    check(ccall((:mxl_autograd_is_training, libmxlite), Cint, (Ptr{Int32},), v))
    return v[] != 0
end

function with_modes(f, recording::Bool, training::Bool)
    prev_rec = set_recording(recording)
    prev_train = set_training(training)
    try
        return f()
    finally
        set_recording(prev_rec)
        set_training(prev_train)
    end
end

"""
    record(f; train_mode=true)

Run `f()` recording its ops for `backward!`, like MXNet's `with autograd.record()`:

    y = record() do
        nd.sum(x .* x)
    end
"""
record(f::Function; train_mode::Bool=true) = with_modes(f, true, train_mode)

"""Run `f()` without recording (MXNet's `autograd.pause`)."""
pause(f::Function; train_mode::Bool=false) = with_modes(f, false, train_mode)

"""Run `f()` in training mode without changing recording."""
train_mode(f::Function) = with_modes(f, is_recording(), true)

"""Run `f()` in inference mode without changing recording."""
predict_mode(f::Function) = with_modes(f, is_recording(), false)

const GRAD_REQS = Dict(:null => Int32(0), :write => Int32(1), :add => Int32(3))

"""
    attach_grad!(x; grad_req=:write)

Make `x` a variable with a zeroed gradient buffer (`:write` overwrites it on
each backward, `:add` accumulates, `:null` keeps none). Returns `x`.
"""
function attach_grad!(x::NDArray; grad_req::Symbol=:write)
    haskey(GRAD_REQS, grad_req) || throw(MXError(:VALUE, "attach_grad!: grad_req must be :write, " *
                                                 ":add or :null, got :$(grad_req)"))
    g = invoke_op("zeros_like", NDArray[x], String[], String[])[1]
    vars = Ptr{Cvoid}[x.handle]
    reqs = Int32[GRAD_REQS[grad_req]]
    grads = Ptr{Cvoid}[g.handle]
    GC.@preserve x g begin
        check(ccall((:mxl_autograd_mark_variables, libmxlite), Cint,
                    (Int32, Ptr{Ptr{Cvoid}}, Ptr{Int32}, Ptr{Ptr{Cvoid}}), 1, vars, reqs, grads))
    end
    return x
end

"""
    grad(x) -> NDArray or nothing

The gradient buffer of a variable (shares its storage), `nothing` when `x`
has no gradient.
"""
function grad(x::NDArray)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:mxl_array_grad, libmxlite), Cint, (Ptr{Cvoid}, Ptr{Ptr{Cvoid}}), x.handle, out))
    return out[] == C_NULL ? nothing : NDArray(out[])
end

"""
    backward!(heads; head_grads=nothing, retain_graph=false, train_mode=true)

Backward from one array or several (recorded) into the variables' gradient
buffers. `head_grads` default to ones.
"""
function backward!(heads; head_grads=nothing, retain_graph::Bool=false, train_mode::Bool=true)
    hs = heads isa NDArray ? NDArray[heads] : NDArray[h for h in heads]
    gs = head_grads === nothing ? NDArray[] :
         head_grads isa NDArray ? NDArray[head_grads] : NDArray[g for g in head_grads]
    isempty(gs) || length(gs) == length(hs) ||
        throw(MXError(:VALUE, "backward!: $(length(gs)) head gradients for $(length(hs)) heads"))
    hp = Ptr{Cvoid}[h.handle for h in hs]
    gp = Ptr{Cvoid}[g.handle for g in gs]
    GC.@preserve hs gs gp begin
        check(ccall((:mxl_autograd_backward, libmxlite), Cint,
                    (Int32, Ptr{Ptr{Cvoid}}, Ptr{Ptr{Cvoid}}, Int32, Int32),
                    length(hp), hp, isempty(gp) ? C_NULL : pointer(gp), Int32(retain_graph),
                    Int32(train_mode)))
    end
    return nothing
end

"""
    autograd_grad(heads, variables; head_grads=nothing, retain_graph=false,
                  create_graph=false, train_mode=true) -> Vector{NDArray}

Gradients of `heads` with respect to `variables`, returned rather than
written to buffers (MXNet's `autograd.grad`); `create_graph=true` records
them for higher-order gradients.
"""
function autograd_grad(heads, variables; head_grads=nothing, retain_graph::Bool=false,
                       create_graph::Bool=false, train_mode::Bool=true)
    hs = heads isa NDArray ? NDArray[heads] : NDArray[h for h in heads]
    vs = variables isa NDArray ? NDArray[variables] : NDArray[v for v in variables]
    gs = head_grads === nothing ? NDArray[] :
         head_grads isa NDArray ? NDArray[head_grads] : NDArray[g for g in head_grads]
    hp = Ptr{Cvoid}[h.handle for h in hs]
    gp = Ptr{Cvoid}[g.handle for g in gs]
    vp = Ptr{Cvoid}[v.handle for v in vs]
    out = fill(C_NULL, length(vs))
    GC.@preserve hs gs vs gp begin
        check(ccall((:mxl_autograd_grad, libmxlite), Cint,
                    (Int32, Ptr{Ptr{Cvoid}}, Ptr{Ptr{Cvoid}}, Int32, Ptr{Ptr{Cvoid}}, Int32, Int32, Int32,
                     Ptr{Ptr{Cvoid}}),
                    length(hp), hp, isempty(gp) ? C_NULL : pointer(gp), length(vp), vp,
                    Int32(retain_graph), Int32(create_graph), Int32(train_mode), out))
    end
    return NDArray[NDArray(p) for p in out]
end

"""A new handle on `x`'s storage with no autograd history."""
function detach_array(x::NDArray)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:mxl_array_detach, libmxlite), Cint, (Ptr{Cvoid}, Ptr{Ptr{Cvoid}}), x.handle, out))
    return NDArray(out[])
end
