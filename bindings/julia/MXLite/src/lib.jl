# The shared library, its version check, and core errors as a Julia exception.

"""Path of libmxlite: `ENV["MXLITE_LIBRARY"]`, else the repository's build."""
function library_path()
    p = get(ENV, "MXLITE_LIBRARY", "")
    isempty(p) || return p
    return normpath(joinpath(@__DIR__, "..", "..", "..", "..", "build", "libmxlite.so"))
end

const libmxlite = library_path()

# The ABI major version this binding is written against (MXL_VERSION_MAJOR).
const ABI_MAJOR = 0

const ERROR_KINDS = Dict{Int32,Symbol}(
    1 => :VALUE, 2 => :TYPE, 3 => :INDEX, 4 => :OUT_OF_MEMORY, 5 => :NOT_IMPLEMENTED,
    6 => :KEY, 7 => :RUNTIME, 8 => :INVALID_HANDLE)

"""
    MXError(kind, msg)

An error reported by the mxlite core. `kind` is the `MXL_ERR_*` name without
its prefix (`:VALUE`, `:TYPE`, `:INDEX`, `:KEY`, `:RUNTIME`, ...), `msg` the
core's message, which names the op, the argument and what was expected.
"""
struct MXError <: Exception
    kind::Symbol
    msg::String
end

Base.showerror(io::IO, e::MXError) = print(io, "MXError(", e.kind, "): ", e.msg)

"""The calling thread's last core error as an `MXError`."""
function last_error()
    kind = Ref{Int32}(0)
    needed = Ref{UInt64}(0)
    ccall((:mxl_last_error, libmxlite), Int32, (Ptr{Int32}, Ptr{UInt8}, UInt64, Ptr{UInt64}),
          kind, C_NULL, 0, needed)
    buf = zeros(UInt8, max(Int(needed[]), 1))
    ccall((:mxl_last_error, libmxlite), Int32, (Ptr{Int32}, Ptr{UInt8}, UInt64, Ptr{UInt64}),
          kind, buf, length(buf), C_NULL)
    msg = GC.@preserve buf unsafe_string(pointer(buf))
    return MXError(get(ERROR_KINDS, kind[], :RUNTIME), msg)
end

"""Throw the core's last error when a C call returned a non-zero status."""
@inline check(status::Integer) = status == 0 ? nothing : throw(last_error())

"""
    check_version()

Refuse a library of another ABI major version (called when the package loads).
"""
function check_version()
    isfile(libmxlite) || error("MXLite: library not found at $(libmxlite); build mxlite " *
                               "(make build) or set MXLITE_LIBRARY")
    v = ccall((:mxl_version, libmxlite), Int32, ())
    major = div(v, 10000)
    major == ABI_MAJOR || error("MXLite: $(libmxlite) has ABI major version $(major), " *
                                "this package needs $(ABI_MAJOR)")
    return v
end

"""The library's version as `major * 10000 + minor * 100 + patch`."""
library_version() = Int(ccall((:mxl_version, libmxlite), Int32, ()))

"""
    copy_string(f)

Call a string-returning C function through its size-query convention:
`f(buf, cap, needed_ref)` must return the status.
"""
function copy_string(f)
    needed = Ref{UInt64}(0)
    check(f(Ptr{UInt8}(C_NULL), UInt64(0), needed))
    buf = zeros(UInt8, max(Int(needed[]), 1))
    GC.@preserve buf check(f(pointer(buf), UInt64(length(buf)), needed))
    return GC.@preserve buf unsafe_string(pointer(buf))
end

"""Handles of every kind (arrays, ops, symbols) alive in the core."""
function live_handles()
    n = Ref{Int64}(0)
    check(ccall((:mxl_live_handles, libmxlite), Cint, (Ptr{Int64},), n))
    return n[]
end

"""Block until every pending op has finished; rethrows asynchronous errors."""
waitall() = check(ccall((:mxl_wait_all, libmxlite), Cint, ()))

"""Seed the core's random generator."""
seed!(s::Integer) = check(ccall((:mxl_random_seed, libmxlite), Cint, (UInt64,), UInt64(s)))

"""The registry JSON document (the input of the binding generator)."""
registry_json() = copy_string((buf, cap, needed) ->
    ccall((:mxl_registry_json, libmxlite), Cint, (Ptr{UInt8}, UInt64, Ptr{UInt64}), buf, cap, needed))
