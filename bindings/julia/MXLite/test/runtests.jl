# The Julia binding's tests (Test stdlib):
#   julia --project=bindings/julia/MXLite -e 'using Pkg; Pkg.test()'
# Needs the built library (build/libmxlite.so, or MXLITE_LIBRARY).

using Test
using MXLite
using MXLite: NDArray, MXError, nd

include("conformance.jl")

const FIXTURES = normpath(joinpath(@__DIR__, "..", "..", "..", "..", "tests", "python", "fixtures"))

# Allocates arrays that become garbage when it returns (finalizer test).
function make_garbage(n)
    for _ in 1:n
        a = NDArray(rand(Float32, 4, 3))
        b = a + a
        nd.relu(b)
    end
    return nothing
end

@testset "MXLite" begin
    @testset "library and version" begin
        v = MXLite.check_version()
        @test div(v, 10000) == MXLite.ABI_MAJOR
        @test MXLite.library_version() == v
        @test occursin("\"schema_version\"", MXLite.registry_json())
    end

    @testset "arrays: Julia order, element types, round trips" begin
        A = Float32[1 2 3; 4 5 6]                 # Julia size (2, 3)
        x = NDArray(A)
        @test size(x) == (2, 3)
        @test mxshape(x) == (3, 2)                # C order: dims reversed
        @test eltype(x) == Float32 && dtype(x) == Float32
        @test ndims(x) == 2 && length(x) == 6
        @test Array(x) == A
        @test MXLite.to_flat(x) == vec(A)         # same memory order
        for T in (Float64, Int32, Int64, UInt8, Int8, Bool, Float16)
            B = T === Bool ? rand(Bool, 3, 4, 2) : T.(reshape(1:24, 3, 4, 2) .% 7)
            y = NDArray(B)
            @test eltype(y) == T
            @test size(y) == (3, 4, 2)
            @test Array(y) == B
        end
        s = NDArray(2.5)                           # 0-d
        @test size(s) == () && Array(s)[] == 2.5
        e = NDArray(Float32, 0, 3)
        @test size(e) == (0, 3) && length(e) == 0
        @test_throws MXError NDArray(ComplexF32[1 + 2im])
    end

    @testset "arithmetic" begin
        A = rand(Float32, 3, 4)
        B = rand(Float32, 3, 4)
        a, b = NDArray(A), NDArray(B)
        @test Array(a + b) ≈ A + B
        @test Array(a - b) ≈ A - B
        @test Array(-a) ≈ -A
        @test Array(a * 2) ≈ A * 2
        @test Array(3 * a) ≈ 3 * A
        @test Array(a / 4) ≈ A / 4
        @test Array(a + 1) ≈ A .+ 1
        @test Array(1 - a) ≈ 1 .- A
        @test Array(a .* b) ≈ A .* B
        @test Array(a ./ (b .+ 1)) ≈ A ./ (B .+ 1)
        @test Array(a .^ 2) ≈ A .^ 2
        col = rand(Float32, 3)                     # Julia broadcasting of a column
        @test Array(a .+ NDArray(reshape(col, 3, 1))) ≈ A .+ col
        M = rand(Float32, 4, 5)
        @test Array(a * NDArray(M)) ≈ A * M        # matrix product, Julia meaning
        v = rand(Float32, 4)
        @test Array(a * NDArray(v)) ≈ A * v
        @test sum(a) ≈ sum(A)
        @test Array(exp.(a)) ≈ exp.(A)
        @test Array(copy(a)) == A
    end

    @testset "generated ops" begin
        X = randn(Float32, 5, 8)                   # 5 features, batch 8 (Julia order)
        W = randn(Float32, 5, 3)                   # C order (3, 5) = (num_hidden, in)
        bias = randn(Float32, 3)
        y = nd.FullyConnected(NDArray(X), NDArray(W), NDArray(bias); num_hidden=3)
        @test size(y) == (3, 8)
        @test Array(y) ≈ W' * X .+ bias rtol = 1e-5
        y2 = nd.FullyConnected(NDArray(X), NDArray(W); num_hidden=3, no_bias=true)
        @test Array(y2) ≈ W' * X rtol = 1e-5
        @test Array(nd.relu(NDArray(X))) == max.(X, 0)
        @test Array(nd.broadcast_plus(NDArray(X), NDArray(X))) ≈ 2X   # an alias
        s = nd.sum(NDArray(X); axis=1)             # C shape (8, 5): axis 1 is Julia's dim 1
        @test Array(s) ≈ vec(sum(X; dims=1))
        parts = nd.SliceChannel(NDArray(X); num_outputs=2, axis=0)   # C axis 0 = batch
        @test parts isa Vector{NDArray} && length(parts) == 2
        @test Array(parts[1]) ≈ X[:, 1:4]
        c = nd.Concat(NDArray(X), NDArray(X); dim=0)
        @test size(c) == (5, 16)
        t = nd.slice(NDArray(X); begin_=(1, 0), end_=(3, 2))
        @test Array(t) ≈ X[1:2, 2:3]
        z = nd._zeros(; shape=(2, 3), dtype=Int32)
        @test eltype(z) == Int32 && size(z) == (3, 2)
        o = NDArray(zeros(Float32, 5, 8))
        r = nd.relu(NDArray(X); out=o)
        @test r === o && Array(o) == max.(X, 0)
        @test Array(nd._plus_scalar(NDArray(X); scalar=1.5)) ≈ X .+ 1.5f0
        @test Array(nd.Cast(NDArray(X); dtype=Float64)) ≈ Float64.(X)
        @test Array(nd.clip(NDArray(X); a_min=-0.5, a_max=0.5)) ≈ clamp.(X, -0.5f0, 0.5f0)
    end

    @testset "errors carry the core's kind and message" begin
        a = NDArray(rand(Float32, 3, 2))
        b = NDArray(rand(Float32, 2, 3))
        err = try
            nd.elemwise_add(a, b)
            nothing
        catch e
            e
        end
        @test err isa MXError && err.kind == :VALUE && occursin("elemwise_add", err.msg)
        err = try
            MXLite.invoke_op("no_such_op", NDArray[a], String[], String[])
        catch e
            e
        end
        @test err isa MXError && err.kind == :KEY
        err = try
            nd.sum(a; axis=5)
        catch e
            e
        end
        @test err isa MXError && err.kind == :INDEX
        err = try
            nd.relu(a; alpha=1)
        catch e
            e
        end
        @test err isa MethodError       # Julia rejects the unknown keyword itself
        err = try
            MXLite.invoke_op("relu", NDArray[a], ["alpha"], ["1"])
        catch e
            e
        end
        @test err isa MXError && err.kind == :KEY
        @test sprint(showerror, MXError(:VALUE, "m")) == "MXError(VALUE): m"
        d = NDArray(rand(Float32, 2))
        MXLite.dispose!(d)
        err = try
            Array(d)
        catch e
            e
        end
        @test err isa MXError && err.kind == :INVALID_HANDLE
        @test sprint(show, d) == "NDArray(disposed)"
    end

    @testset "autograd" begin
        X = rand(Float32, 3, 2)
        x = attach_grad!(NDArray(X))
        y = record() do
            nd.sum(x .* x)
        end
        backward!(y)
        @test Array(grad(x)) ≈ 2X
        w = attach_grad!(NDArray(rand(Float32, 3, 2)); grad_req=:add)
        for _ in 1:2
            l = record(() -> nd.sum(w * 3))
            backward!(l)
        end
        @test Array(grad(w)) ≈ fill(6f0, 3, 2)
        z = attach_grad!(NDArray(Float32[1, 2, 3]))
        q = record(() -> z .* z)
        backward!(q; head_grads=NDArray(Float32[1, 0, 2]))
        @test Array(grad(z)) ≈ Float32[2, 0, 12]
        @test !MXLite.is_recording()
        @test record(() -> MXLite.is_recording() && MXLite.is_training())
        @test grad(NDArray(X)) === nothing
        g = MXLite.autograd_grad(record(() -> nd.sum(z .* z .* z)), z)
        @test Array(g[1]) ≈ 3 .* Float32[1, 2, 3] .^ 2
        @test_throws MXError backward!(NDArray(X))   # not recorded
    end

    @testset "MLP training with sgd_update" begin
        MXLite.seed!(7)
        n, d, h = 64, 4, 16
        X = randn(Float32, d, n)
        labels = Float32[(X[1, i] + X[2, i] > 0) ? 1 : 0 for i in 1:n]
        x, label = NDArray(X), NDArray(labels)
        params = [attach_grad!(NDArray(0.3f0 * randn(Float32, d, h))), attach_grad!(NDArray(zeros(Float32, h))),
                  attach_grad!(NDArray(0.3f0 * randn(Float32, h, 2))), attach_grad!(NDArray(zeros(Float32, 2)))]
        losses = Float64[]
        for step in 1:60
            loss = record() do
                hid = nd.Activation(nd.FullyConnected(x, params[1], params[2]; num_hidden=h); act_type="relu")
                out = nd.FullyConnected(hid, params[3], params[4]; num_hidden=2)
                nd.softmax_cross_entropy(out, label) / n
            end
            backward!(loss)
            push!(losses, only(Array(loss)))
            for p in params
                nd.sgd_update(p, grad(p); lr=0.5, out=p)
            end
        end
        @test losses[end] < 0.5 * losses[1]
        @test all(isfinite, losses)
    end

    @testset "symbols" begin
        s = MXLite.load_symbol(joinpath(FIXTURES, "mlp_softmax-symbol.json"))
        args = MXLite.list_arguments(s)
        @test "data" in args
        @test length(MXLite.list_outputs(s)) == 1
        json = MXLite.to_json(s)
        s2 = MXLite.symbol_from_json(json)
        @test MXLite.list_arguments(s2) == args
        data = MXLite.variable("data")
        fc = MXLite.symbol_op("FullyConnected", data; name="fc1", num_hidden=4)
        @test MXLite.list_arguments(fc) == ["data", "fc1_weight", "fc1_bias"]
        inf = MXLite.infer_shape(fc; data=(2, 3))
        @test inf["complete"]
        @test inf["arguments"][2] == [4, 3] && inf["outputs"][1] == [2, 4]
        @test_throws MXError MXLite.symbol_from_json("{not json")
    end

    @testset "model: .params + symbol, forward through a CachedOp" begin
        dir = mktempdir()
        data = MXLite.variable("data")
        fc1 = MXLite.symbol_op("FullyConnected", data; name="fc1", num_hidden=5)
        act = MXLite.symbol_op("Activation", fc1; name="relu1", act_type="relu")
        fc2 = MXLite.symbol_op("FullyConnected", act; name="fc2", num_hidden=3)
        net = MXLite.symbol_op("softmax", fc2; name="prob")
        MXLite.save_symbol(joinpath(dir, "net-symbol.json"), net)
        W1, b1 = randn(Float32, 4, 5), randn(Float32, 5)
        W2, b2 = randn(Float32, 5, 3), randn(Float32, 3)
        MXLite.save_arrays(joinpath(dir, "net-0000.params"),
                           Dict("arg:fc1_weight" => NDArray(W1), "arg:fc1_bias" => NDArray(b1),
                                "arg:fc2_weight" => NDArray(W2), "fc2_bias" => NDArray(b2)))
        loaded = MXLite.load_arrays(joinpath(dir, "net-0000.params"))
        @test Array(loaded["arg:fc1_weight"]) == W1
        MXLite.save_arrays(joinpath(dir, "list.params"), [NDArray(b1), NDArray(b2)])
        lst = MXLite.load_arrays(joinpath(dir, "list.params"))
        @test lst isa Vector && Array(lst[2]) == b2
        model = MXLite.Model(joinpath(dir, "net-symbol.json"), joinpath(dir, "net-0000.params"))
        X = randn(Float32, 4, 7)
        p = MXLite.predict(model; data=NDArray(X))
        h = max.(W1' * X .+ b1, 0)
        z = W2' * h .+ b2
        want = exp.(z .- maximum(z; dims=1))
        want ./= sum(want; dims=1)
        @test size(p) == (3, 7)
        @test Array(p) ≈ want rtol = 1e-4
        err = try
            MXLite.predict(model)
        catch e
            e
        end
        @test err isa MXError && err.kind == :KEY
        @test_throws MXError MXLite.load_arrays(joinpath(dir, "missing.params"))
    end

    @testset "finalizers release handles" begin
        GC.gc(true)
        GC.gc(true)
        base = MXLite.live_handles()
        make_garbage(50)
        GC.gc(true)
        GC.gc(true)
        @test MXLite.live_handles() == base
    end

    @testset "conformance suite" begin
        passed, failed, failures, leaked = run_conformance()
        foreach(println, failures)
        println("conformance: $(passed) passed, $(failed) failed")
        @test failed == 0
        @test passed > 300
        @test leaked == 0
    end
end
