# Running a model trained elsewhere (mxlite's Python, MXNet): .params files
# through mxl_arrays_load/mxl_arrays_save, and a symbol's forward pass
# through a CachedOp (the graph compiled once, invoked like one op).

"""
    load_arrays(path) -> Dict{String,Union{NDArray,Nothing}} or Vector{Union{NDArray,Nothing}}

MXNet's `mx.nd.load`: a file saved from a dict gives a Dict (keys as saved,
e.g. `"arg:fc1_weight"`), one saved from a list a Vector. MXNet's "none"
arrays (uninitialized) load as `nothing`.
"""
function load_arrays(path::AbstractString)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:mxl_arrays_load, libmxlite), Cint, (Cstring, Ptr{Ptr{Cvoid}}), String(path), out))
    list = out[]
    try
        num = Ref{Int32}(0)
        has_names = Ref{Int32}(0)
        check(ccall((:mxl_array_list_size, libmxlite), Cint, (Ptr{Cvoid}, Ptr{Int32}, Ptr{Int32}),
                    list, num, has_names))
        arrays = Union{NDArray,Nothing}[]
        names = String[]
        for i in 0:num[]-1
            h = Ref{Ptr{Cvoid}}(C_NULL)
            needed = Ref{UInt64}(0)
            check(ccall((:mxl_array_list_get, libmxlite), Cint,
                        (Ptr{Cvoid}, Int32, Ptr{Ptr{Cvoid}}, Ptr{UInt8}, UInt64, Ptr{UInt64}),
                        list, Int32(i), h, C_NULL, 0, needed))
            push!(arrays, h[] == C_NULL ? nothing : NDArray(h[]))
            name = ""
            if has_names[] != 0
                # The name needs a second call, which hands out a second
                # reference to the array: released at once.
                buf = zeros(UInt8, max(Int(needed[]), 1))
                h2 = Ref{Ptr{Cvoid}}(C_NULL)
                GC.@preserve buf begin
                    check(ccall((:mxl_array_list_get, libmxlite), Cint,
                                (Ptr{Cvoid}, Int32, Ptr{Ptr{Cvoid}}, Ptr{UInt8}, UInt64, Ptr{UInt64}),
                                list, Int32(i), h2, pointer(buf), UInt64(length(buf)), needed))
                    name = unsafe_string(pointer(buf))
                end
                h2[] == C_NULL || ccall((:mxl_array_free, libmxlite), Cvoid, (Ptr{Cvoid},), h2[])
            end
            push!(names, name)
        end
        return has_names[] != 0 ? Dict{String,Union{NDArray,Nothing}}(zip(names, arrays)) : arrays
    finally
        ccall((:mxl_array_list_free, libmxlite), Cvoid, (Ptr{Cvoid},), list)
    end
end

"""
    save_arrays(path, arrays)

MXNet's `mx.nd.save`: `arrays` is a Dict of name => NDArray (a dict file) or
a vector of NDArrays (a list file); MXNet 1.9 and mxlite's Python read it.
"""
function save_arrays(path::AbstractString, arrays::AbstractDict)
    names = String[String(k) for k in keys(arrays)]
    vals = NDArray[arrays[k] for k in keys(arrays)]
    hs = Ptr{Cvoid}[v.handle for v in vals]
    GC.@preserve names vals begin
        np = Cstring[Base.unsafe_convert(Cstring, Base.cconvert(Cstring, n)) for n in names]
        check(ccall((:mxl_arrays_save, libmxlite), Cint, (Cstring, Int32, Ptr{Ptr{Cvoid}}, Ptr{Cstring}),
                    String(path), length(hs), hs, np))
    end
    return nothing
end

function save_arrays(path::AbstractString, arrays::AbstractVector)
    vals = NDArray[a for a in arrays]
    hs = Ptr{Cvoid}[v.handle for v in vals]
    GC.@preserve vals begin
        check(ccall((:mxl_arrays_save, libmxlite), Cint, (Cstring, Int32, Ptr{Ptr{Cvoid}}, Ptr{Cstring}),
                    String(path), length(hs), hs, C_NULL))
    end
    return nothing
end

"""
    CachedOp(sym; static_alloc=false, static_shape=false)

A symbol compiled once and called like one op (MXNet's `mx.nd.CachedOp`):
`op(inputs...)` takes the symbol's inputs in `list_inputs(sym)` order and
returns its outputs as a `Vector{NDArray}`. Released by a finalizer.
"""
mutable struct CachedOp
    handle::Ptr{Cvoid}
    num_outputs::Int
end

function CachedOp(s::MXSymbol; flags...)
    ks = String[string(k) for k in keys(flags)]
    vs = String[attr_text(v) for v in values(flags)]
    out = Ref{Ptr{Cvoid}}(C_NULL)
    GC.@preserve ks vs begin
        kp = Cstring[Base.unsafe_convert(Cstring, Base.cconvert(Cstring, k)) for k in ks]
        vp = Cstring[Base.unsafe_convert(Cstring, Base.cconvert(Cstring, v)) for v in vs]
        check(ccall((:mxl_cached_op_create, libmxlite), Cint,
                    (Ptr{Cvoid}, Int32, Ptr{Cstring}, Ptr{Cstring}, Ptr{Ptr{Cvoid}}),
                    s.handle, length(ks), kp, vp, out))
    end
    nin = Ref{Int32}(0)
    nout = Ref{Int32}(0)
    status = ccall((:mxl_cached_op_num_io, libmxlite), Cint, (Ptr{Cvoid}, Ptr{Int32}, Ptr{Int32}),
                   out[], nin, nout)
    op = new_cached_op(out[], Int(nout[]))
    check(status)
    return op
end

function new_cached_op(h::Ptr{Cvoid}, nout::Int)
    op = CachedOp(h, nout)
    finalizer(op) do o
        if o.handle != C_NULL
            ccall((:mxl_cached_op_free, libmxlite), Cvoid, (Ptr{Cvoid},), o.handle)
            o.handle = C_NULL
        end
    end
    return op
end

function (op::CachedOp)(inputs::NDArray...)
    ins = NDArray[x for x in inputs]
    hs = Ptr{Cvoid}[x.handle for x in ins]
    outs = fill(C_NULL, max(op.num_outputs, 1))
    n = Ref{Int32}(length(outs))
    GC.@preserve ins begin
        check(ccall((:mxl_cached_op_invoke, libmxlite), Cint,
                    (Ptr{Cvoid}, Int32, Ptr{Ptr{Cvoid}}, Ptr{Int32}, Ptr{Ptr{Cvoid}}),
                    op.handle, length(hs), hs, n, outs))
    end
    return NDArray[NDArray(outs[i]) for i in 1:n[]]
end

"""
    Model(symbol_file, params_file)

A trained model for inference: the symbol JSON and the .params file MXNet's
`export`/`save_checkpoint` (or mxlite's Python) wrote. Parameter names may
carry MXNet's `arg:`/`aux:` prefixes or none (Gluon's `save_parameters`).
`predict(model; data=x)` runs the forward pass.
"""
struct Model
    symbol::MXSymbol
    op::CachedOp
    inputs::Vector{String}
    params::Dict{String,NDArray}
end

function Model(symbol_file::AbstractString, params_file::AbstractString)
    s = load_symbol(symbol_file)
    raw = load_arrays(params_file)
    raw isa AbstractDict || throw(MXError(:VALUE, "Model: $(params_file) holds a list of arrays; " *
                                          "expected named parameters"))
    params = Dict{String,NDArray}()
    for (k, v) in raw
        v === nothing && continue
        name = startswith(k, "arg:") || startswith(k, "aux:") ? k[5:end] : k
        params[name] = v
    end
    return Model(s, CachedOp(s), list_inputs(s), params)
end

"""
    predict(model; inputs...) -> NDArray or Vector{NDArray}

Forward pass with the data inputs given by name (`predict(m; data=x)`), the
other inputs taken from the loaded parameters.
"""
function predict(m::Model; inputs...)
    given = Dict{String,NDArray}(string(k) => v for (k, v) in inputs)
    args = NDArray[]
    for name in m.inputs
        x = get(given, name, get(m.params, name, nothing))
        x === nothing && throw(MXError(:KEY, "predict: no value for the model input '$(name)' " *
                                       "(neither given nor in the parameters)"))
        push!(args, x)
    end
    outs = predict_mode(() -> m.op(args...))
    return length(outs) == 1 ? outs[1] : outs
end
