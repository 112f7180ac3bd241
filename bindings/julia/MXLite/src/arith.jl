# Arithmetic on NDArrays with Julia's meaning: + and - elementwise (with
# broadcasting, since the reversed shapes broadcast exactly as Julia arrays
# do), * between two arrays is the matrix product, * and / with a scalar
# scale; .+ .- .* ./ .^ broadcast elementwise.

_op1(name, xs...; attrs...) = invoke_op(name, NDArray[xs...], String[string(k) for k in keys(attrs)],
                                     String[attr_text(v) for v in values(attrs)])[1]

Base.:+(a::NDArray, b::NDArray) = _op1("broadcast_add", a, b)
Base.:-(a::NDArray, b::NDArray) = _op1("broadcast_sub", a, b)
Base.:-(a::NDArray) = _op1("negative", a)
Base.:+(a::NDArray, s::Real) = _op1("_plus_scalar", a; scalar=s)
Base.:+(s::Real, a::NDArray) = _op1("_plus_scalar", a; scalar=s)
Base.:-(a::NDArray, s::Real) = _op1("_minus_scalar", a; scalar=s)
Base.:-(s::Real, a::NDArray) = _op1("_rminus_scalar", a; scalar=s)
Base.:*(a::NDArray, s::Real) = _op1("_mul_scalar", a; scalar=s)
Base.:*(s::Real, a::NDArray) = _op1("_mul_scalar", a; scalar=s)
Base.:/(a::NDArray, s::Real) = _op1("_div_scalar", a; scalar=s)

"""
    a * b

Julia's matrix (or matrix-vector) product. In C order the operands are the
transposes, so this is the core's `dot(b, a)`.
"""
Base.:*(a::NDArray, b::NDArray) = _op1("dot", b, a)

const BROADCAST_OPS = Dict{Any,Tuple{String,String,String}}(
    # op => (array-array, array-scalar, scalar-array)
    (+) => ("broadcast_add", "_plus_scalar", "_plus_scalar"),
    (-) => ("broadcast_sub", "_minus_scalar", "_rminus_scalar"),
    (*) => ("broadcast_mul", "_mul_scalar", "_mul_scalar"),
    (/) => ("broadcast_div", "_div_scalar", "_rdiv_scalar"),
    (^) => ("broadcast_power", "_power_scalar", "_rpower_scalar"),
    (max) => ("broadcast_maximum", "_maximum_scalar", "_maximum_scalar"),
    (min) => ("broadcast_minimum", "_minimum_scalar", "_minimum_scalar"))

for f in (:+, :-, :*, :/, :^, :max, :min)
    @eval begin
        Base.broadcasted(::typeof($f), a::NDArray, b::NDArray) = _op1(BROADCAST_OPS[$f][1], a, b)
        Base.broadcasted(::typeof($f), a::NDArray, s::Real) = _op1(BROADCAST_OPS[$f][2], a; scalar=s)
        Base.broadcasted(::typeof($f), s::Real, a::NDArray) = _op1(BROADCAST_OPS[$f][3], a; scalar=s)
    end
end

# x .^ 2 with a literal exponent lowers to Base.literal_pow.
Base.broadcasted(::typeof(Base.literal_pow), ::typeof(^), a::NDArray, ::Val{p}) where {p} =
    _op1("_power_scalar", a; scalar=p)

for (f, name) in ((:exp, "exp"), (:log, "log"), (:sqrt, "sqrt"), (:abs, "abs"), (:tanh, "tanh"),
                  (:sin, "sin"), (:cos, "cos"))
    @eval Base.broadcasted(::typeof($f), a::NDArray) = _op1($name, a)
end

"""Sum of all elements as a Julia number."""
Base.sum(a::NDArray) = only(to_flat(_op1("sum", a)))

Base.copy(a::NDArray) = _op1("_copy", a)
Base.zero(a::NDArray) = _op1("zeros_like", a)
