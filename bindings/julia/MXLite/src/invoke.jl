# The one path to the core's ops: mxl_op_get (handles cached for the life of
# the process) and mxl_invoke with attributes in MXNet's text form.

const OP_HANDLES = Dict{String,Ptr{Cvoid}}()

"""The core's handle of an op (by name or alias), cached; `MXError(:KEY)` if unknown."""
function op_handle(name::AbstractString)
    key = String(name)
    h = get(OP_HANDLES, key, C_NULL)
    h != C_NULL && return h
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:mxl_op_get, libmxlite), Cint, (Cstring, Ptr{Ptr{Cvoid}}), key, out))
    OP_HANDLES[key] = out[]
    return out[]
end

"""
    attr_text(v)

A Julia value in MXNet's attribute text form: `true` -> "True", `(3, 3)` ->
"(3, 3)", `(4,)` -> "(4,)", `Float32` -> "float32", `nothing` -> "None",
`Inf` -> "inf". Strings and symbols pass unchanged.
"""
attr_text(v::AbstractString) = String(v)
attr_text(v::Symbol) = String(v)
attr_text(v::Bool) = v ? "True" : "False"
attr_text(v::Integer) = string(v)
attr_text(::Nothing) = "None"
function attr_text(v::AbstractFloat)
    isnan(v) && return "nan"
    isinf(v) && return v > 0 ? "inf" : "-inf"
    return string(Float64(v))
end
attr_text(T::Type) = haskey(DTYPE_NAMES, T) ? DTYPE_NAMES[T] :
    throw(MXError(:TYPE, "MXLite: $(T) is not an mxlite dtype"))
function attr_text(v::Union{Tuple,AbstractVector})
    items = [attr_text(e) for e in v]
    return length(items) == 1 ? "(" * items[1] * ",)" : "(" * join(items, ", ") * ")"
end

"""
    invoke_op(op, inputs, keys, vals; out=nothing) -> Vector{NDArray}

Run an op by name on arrays with attributes as strings (the raw form the
conformance runner uses). `out` (an NDArray or a vector of them) receives the
results in place. Returns the op's visible outputs.
"""
function invoke_op(name::AbstractString, inputs::AbstractVector, keys::AbstractVector{<:AbstractString},
                vals::AbstractVector{<:AbstractString}; out=nothing)
    length(keys) == length(vals) || throw(ArgumentError("keys and vals differ in length"))
    op = op_handle(name)
    ins = NDArray[x for x in inputs]
    handles = Ptr{Cvoid}[x.handle for x in ins]
    outs_given = out === nothing ? NDArray[] : out isa NDArray ? NDArray[out] : NDArray[o for o in out]
    cap = max(16, length(outs_given))
    outs = fill(C_NULL, cap)
    for (i, o) in enumerate(outs_given)
        outs[i] = o.handle
    end
    ks = String[String(k) for k in keys]
    vs = String[String(v) for v in vals]
    nout = Ref{Int32}(cap)
    status = GC.@preserve ins outs_given ks vs begin
        kp = Cstring[Base.unsafe_convert(Cstring, Base.cconvert(Cstring, k)) for k in ks]
        vp = Cstring[Base.unsafe_convert(Cstring, Base.cconvert(Cstring, v)) for v in vs]
        ccall((:mxl_invoke, libmxlite), Cint,
              (Ptr{Cvoid}, Int32, Ptr{Ptr{Cvoid}}, Int32, Ptr{Cstring}, Ptr{Cstring}, Ptr{Int32},
               Ptr{Ptr{Cvoid}}),
              op, length(handles), handles, length(ks), kp, vp, nout, outs)
    end
    check(status)
    n = Int(nout[])
    return NDArray[i <= length(outs_given) ? outs_given[i] : NDArray(outs[i]) for i in 1:n]
end

# What the generated functions call: attributes as name => value pairs
# (values formatted here), one NDArray back for single-output ops.
function _opcall(name::String, inputs::Vector{NDArray}, attrs::Vector{Pair{String,Any}}, out)
    res = invoke_op(name, inputs, String[first(a) for a in attrs],
                 String[attr_text(last(a)) for a in attrs]; out=out)
    return length(res) == 1 ? res[1] : res
end

_count(xs) = length(xs)
