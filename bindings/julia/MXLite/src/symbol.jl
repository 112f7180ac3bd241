# Symbols (MXNet's mx.sym): loading and saving symbol JSON, composing ops,
# listing arguments/outputs/auxiliary states and shape inference.

"""
    MXSymbol

A symbolic graph's outputs (MXNet's `Symbol`), released by a finalizer.
"""
mutable struct MXSymbol
    handle::Ptr{Cvoid}
    function MXSymbol(handle::Ptr{Cvoid})
        handle == C_NULL && throw(MXError(:INVALID_HANDLE, "MXLite: NULL symbol handle"))
        s = new(handle)
        finalizer(free_symbol!, s)
        return s
    end
end

function free_symbol!(s::MXSymbol)
    h = s.handle
    if h != C_NULL
        s.handle = C_NULL
        ccall((:mxl_symbol_free, libmxlite), Cvoid, (Ptr{Cvoid},), h)
    end
    return nothing
end

"""A symbol variable (graph input) called `name`."""
function variable(name::AbstractString)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:mxl_symbol_create_variable, libmxlite), Cint, (Cstring, Ptr{Ptr{Cvoid}}),
                String(name), out))
    return MXSymbol(out[])
end

"""
    symbol_op(op, inputs...; name=nothing, attrs...)

Apply an op to symbols (positional inputs; missing ones become variables
named `<name>_<input>` as in MXNet), with attributes as keywords.
"""
function symbol_op(opname::AbstractString, inputs::MXSymbol...; name=nothing, attrs...)
    op = op_handle(opname)
    ks = String[string(k) for k in keys(attrs)]
    vs = String[attr_text(v) for v in values(attrs)]
    ins = MXSymbol[s for s in inputs]
    hs = Ptr{Cvoid}[s.handle for s in ins]
    out = Ref{Ptr{Cvoid}}(C_NULL)
    nm = name === nothing ? "" : String(name)
    status = GC.@preserve ins ks vs begin
        kp = Cstring[Base.unsafe_convert(Cstring, Base.cconvert(Cstring, k)) for k in ks]
        vp = Cstring[Base.unsafe_convert(Cstring, Base.cconvert(Cstring, v)) for v in vs]
        ccall((:mxl_symbol_create_op, libmxlite), Cint,
              (Ptr{Cvoid}, Int32, Ptr{Cstring}, Ptr{Cstring}, Int32, Ptr{Cstring}, Ptr{Ptr{Cvoid}},
               Cstring, Ptr{Ptr{Cvoid}}),
              op, length(ks), kp, vp, length(hs), C_NULL, hs, nm, out)
    end
    check(status)
    return MXSymbol(out[])
end

"""Read a symbol from MXNet symbol JSON text (any MXNet 1.x release's)."""
function symbol_from_json(json::AbstractString)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:mxl_symbol_from_json, libmxlite), Cint, (Cstring, Ptr{Ptr{Cvoid}}), String(json), out))
    return MXSymbol(out[])
end

"""Load a symbol JSON file (`model-symbol.json`)."""
function load_symbol(path::AbstractString)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:mxl_symbol_load, libmxlite), Cint, (Cstring, Ptr{Ptr{Cvoid}}), String(path), out))
    return MXSymbol(out[])
end

"""Save a symbol as MXNet 1.9 symbol JSON."""
save_symbol(path::AbstractString, s::MXSymbol) =
    check(ccall((:mxl_symbol_save, libmxlite), Cint, (Ptr{Cvoid}, Cstring), s.handle, String(path)))

"""The symbol as MXNet 1.9 symbol JSON text."""
to_json(s::MXSymbol) = copy_string((buf, cap, needed) ->
    ccall((:mxl_symbol_to_json, libmxlite), Cint, (Ptr{Cvoid}, Ptr{UInt8}, UInt64, Ptr{UInt64}),
          s.handle, buf, cap, needed))

function symbol_list(s::MXSymbol, which::Integer)
    text = copy_string((buf, cap, needed) ->
        ccall((:mxl_symbol_list, libmxlite), Cint, (Ptr{Cvoid}, Int32, Ptr{UInt8}, UInt64, Ptr{UInt64}),
              s.handle, Int32(which), buf, cap, needed))
    return String[x for x in parse_json(text)]
end

"""Argument names (variables no op mutates), in graph order."""
list_arguments(s::MXSymbol) = symbol_list(s, 0)
"""Output names (`<node>_output`, ...)."""
list_outputs(s::MXSymbol) = symbol_list(s, 1)
"""Auxiliary state names (variables an op mutates: BatchNorm's moving stats)."""
list_auxiliary_states(s::MXSymbol) = symbol_list(s, 2)
"""All variables in graph order (arguments and auxiliary states)."""
list_inputs(s::MXSymbol) = symbol_list(s, 3)

"""
    infer_shape(s; shapes...) -> Dict

Shape inference from known input shapes given in C order (`data=(32, 784)`).
Returns a Dict with "complete" and the "arguments"/"outputs"/"auxiliary_states"
shapes (C order, `nothing` where unknown).
"""
function infer_shape(s::MXSymbol; shapes...)
    names = String[string(k) for k in keys(shapes)]
    ndims = Int32[length(v) for v in values(shapes)]
    dims = Int64[d for v in values(shapes) for d in v]
    text = GC.@preserve names begin
        np = Cstring[Base.unsafe_convert(Cstring, Base.cconvert(Cstring, n)) for n in names]
        copy_string((buf, cap, needed) ->
            ccall((:mxl_symbol_infer_shape, libmxlite), Cint,
                  (Ptr{Cvoid}, Int32, Ptr{Cstring}, Ptr{Int32}, Ptr{Int64}, Ptr{UInt8}, UInt64, Ptr{UInt64}),
                  s.handle, length(names), np, ndims, dims, buf, cap, needed))
    end
    return parse_json(text)
end
