# NDArray: a handle to a core array, freed by a finalizer (or dispose!).
#
# Order convention (MXNet.jl's): a Julia Array of size (d1, ..., dn) is an
# NDArray of C-order shape (dn, ..., d1) with the same bytes in the same
# order, so conversions are plain copies and Julia-style broadcasting of the
# reversed shapes is exactly the core's broadcasting.

# DLPack type codes packed as code | bits << 8 | lanes << 16 (MXL_DTYPE).
dtype_code(code::Integer, bits::Integer) = Int32(code | (bits << 8) | (1 << 16))

const JULIA_TO_DTYPE = Dict{DataType,Int32}(
    Float32 => dtype_code(2, 32), Float64 => dtype_code(2, 64), Float16 => dtype_code(2, 16),
    UInt8 => dtype_code(1, 8), Int8 => dtype_code(0, 8), Int32 => dtype_code(0, 32),
    Int64 => dtype_code(0, 64), Bool => dtype_code(6, 8))
const DTYPE_TO_JULIA = Dict{Int32,DataType}(v => k for (k, v) in JULIA_TO_DTYPE)
const DTYPE_NAMES = Dict{DataType,String}(
    Float32 => "float32", Float64 => "float64", Float16 => "float16", UInt8 => "uint8",
    Int8 => "int8", Int32 => "int32", Int64 => "int64", Bool => "bool")
const NAME_TO_JULIA = Dict{String,DataType}(v => k for (k, v) in DTYPE_NAMES)

function dtype_of(T::Type)
    haskey(JULIA_TO_DTYPE, T) || throw(MXError(:TYPE, "MXLite: element type $(T) has no mxlite " *
                                               "dtype; use one of $(sort(collect(keys(DTYPE_NAMES)); by=string))"))
    return JULIA_TO_DTYPE[T]
end

"""
    NDArray

An n-dimensional array in the mxlite core. Create one from a Julia array
(`NDArray(A)`), with `NDArray(T, dims...)` (uninitialized, Julia order), or get
one from an op. `Array(x)` copies it back. The handle is released by a
finalizer; `dispose!(x)` releases it at once.
"""
mutable struct NDArray
    handle::Ptr{Cvoid}
    function NDArray(handle::Ptr{Cvoid})
        handle == C_NULL && throw(MXError(:INVALID_HANDLE, "MXLite: NULL array handle"))
        x = new(handle)
        finalizer(free_handle!, x)
        return x
    end
end

function free_handle!(x::NDArray)
    h = x.handle
    if h != C_NULL
        x.handle = C_NULL
        ccall((:mxl_array_free, libmxlite), Cvoid, (Ptr{Cvoid},), h)
    end
    return nothing
end

"""
    dispose!(x::NDArray)

Release the core array now instead of at garbage collection. Using `x`
afterwards raises an `MXError` of kind `:INVALID_HANDLE`.
"""
dispose!(x::NDArray) = free_handle!(x)

"""Create an uninitialized array of C-order shape `cshape` and element type T."""
function empty_c(::Type{T}, cshape) where {T}
    shape = Int64[d for d in cshape]
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(ccall((:mxl_array_create, libmxlite), Cint,
                (Ptr{Int64}, Int32, Int32, Int32, Int32, Ptr{Ptr{Cvoid}}),
                shape, length(shape), dtype_of(T), 1, 0, out))
    return NDArray(out[])
end

"""
    NDArray(T, dims...)

An uninitialized array with Julia size `dims` (C-order shape reversed).
"""
NDArray(::Type{T}, dims::Integer...) where {T} = empty_c(T, reverse(dims))

"""
    NDArray(A::AbstractArray)

A copy of `A` in the core; `size(NDArray(A)) == size(A)`.
"""
function NDArray(a::AbstractArray{T}) where {T}
    data = Array{T}(a)
    x = empty_c(T, reverse(size(data)))
    copy_from!(x, data)
    return x
end

"""A 0-d array holding one number."""
NDArray(v::Number) = NDArray(fill(v))

"""
    from_flat(T, cshape, flat)

An array of C-order shape `cshape` whose memory is `flat` (C order), as the
conformance cases describe arrays.
"""
function from_flat(::Type{T}, cshape, flat::AbstractVector) where {T}
    x = empty_c(T, cshape)
    copy_from!(x, Vector{T}(flat))
    return x
end

function copy_from!(x::NDArray, data::Array{T}) where {T}
    GC.@preserve data begin
        check(ccall((:mxl_array_copy_from_host, libmxlite), Cint, (Ptr{Cvoid}, Ptr{Cvoid}, UInt64),
                    x.handle, pointer(data), UInt64(sizeof(data))))
    end
    return x
end

"""
    mxshape(x)

The core's C-order shape of `x` (the reverse of `size(x)`): what op
attributes such as `axis` and `shape` refer to.
"""
function mxshape(x::NDArray)
    ndim = Ref{Int32}(0)
    check(ccall((:mxl_array_shape, libmxlite), Cint, (Ptr{Cvoid}, Ptr{Int32}, Ptr{Int64}, Int32),
                x.handle, ndim, C_NULL, 0))
    dims = Vector{Int64}(undef, ndim[])
    check(ccall((:mxl_array_shape, libmxlite), Cint, (Ptr{Cvoid}, Ptr{Int32}, Ptr{Int64}, Int32),
                x.handle, ndim, dims, Int32(length(dims))))
    return Tuple(Int.(dims))
end

"""The element type of `x` as a Julia type (Float32, Int32, Bool, ...)."""
function dtype(x::NDArray)
    code = Ref{Int32}(0)
    check(ccall((:mxl_array_dtype, libmxlite), Cint, (Ptr{Cvoid}, Ptr{Int32}), x.handle, code))
    haskey(DTYPE_TO_JULIA, code[]) || throw(MXError(:TYPE, "MXLite: dtype code $(code[]) has no Julia type"))
    return DTYPE_TO_JULIA[code[]]
end

Base.size(x::NDArray) = reverse(mxshape(x))
Base.size(x::NDArray, d::Integer) = (s = size(x); d <= length(s) ? s[d] : 1)
Base.ndims(x::NDArray) = length(mxshape(x))
Base.length(x::NDArray) = prod(mxshape(x); init=1)
Base.eltype(x::NDArray) = dtype(x)

"""Copy the array's memory (C order) into a flat Julia vector."""
function to_flat(x::NDArray)
    T = dtype(x)
    out = Vector{T}(undef, length(x))
    GC.@preserve out begin
        check(ccall((:mxl_array_copy_to_host, libmxlite), Cint, (Ptr{Cvoid}, Ptr{Cvoid}, UInt64),
                    x.handle, pointer(out), UInt64(sizeof(out))))
    end
    return out
end

"""
    Array(x::NDArray)

A Julia copy of `x` with `size(Array(x)) == size(x)`. Waits for the ops
producing `x`; their errors are raised here.
"""
Base.Array(x::NDArray) = reshape(to_flat(x), size(x))
Base.collect(x::NDArray) = Array(x)
Base.convert(::Type{Array}, x::NDArray) = Array(x)

"""Block until pending writes to `x` are done (errors of the ops are raised)."""
wait_to_read(x::NDArray) = (check(ccall((:mxl_array_wait_to_read, libmxlite), Cint, (Ptr{Cvoid},), x.handle)); x)

function Base.show(io::IO, x::NDArray)
    if x.handle == C_NULL
        print(io, "NDArray(disposed)")
        return
    end
    print(io, "NDArray{", dtype(x), "} of size ", size(x), ": ")
    show(io, Array(x))
end
