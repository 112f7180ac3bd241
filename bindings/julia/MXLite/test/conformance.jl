# The conformance suite (tests/conformance/*.json) through the Julia binding:
# every case is run by op name with its attributes as strings, outputs are
# compared (count, C-order shape, dtype, values within rtol/atol, NaN equal
# to NaN), error cases must raise MXError of the stated kind.  Then the
# core's live-handle counter must be back at its baseline.
#
#   julia --project=bindings/julia/MXLite bindings/julia/MXLite/test/conformance.jl [case dir]
#
# Prints "N passed, N failed"; exits 1 on any failure when run as a script.

using MXLite
using MXLite: NDArray, MXError, parse_json

const CONFORMANCE_DIR = normpath(joinpath(@__DIR__, "..", "..", "..", "..", "tests", "conformance"))
const NONFINITE = Dict("nan" => NaN, "inf" => Inf, "-inf" => -Inf)

number(v) = v isa AbstractString ? NONFINITE[v] : v

function case_array(rec)
    T = MXLite.NAME_TO_JULIA[rec["dtype"]]
    shape = Int[d for d in rec["shape"]]
    flat = T === Bool ? Bool[v != 0 for v in rec["data"]] : T[convert(T, number(v)) for v in rec["data"]]
    return MXLite.from_flat(T, shape, flat)
end

function run_case(case)
    inputs = NDArray[case_array(r) for r in case["inputs"]]
    ks = String[k for k in keys(case["attrs"])]
    vs = String[case["attrs"][k] for k in ks]
    outs = MXLite.invoke_op(case["op"], inputs, ks, vs)
    foreach(MXLite.wait_to_read, outs)  # asynchronous errors surface here
    return outs
end

"""`nothing` when the case passes, else what went wrong."""
function check_case(case)
    if haskey(case, "error")
        try
            run_case(case)
        catch e
            e isa MXError || return "expected MXError($(case["error"])), got $(typeof(e)): $(e)"
            return string(e.kind) == case["error"] ? nothing :
                   "expected $(case["error"]), got $(e.kind): $(e.msg)"
        end
        return "expected MXError($(case["error"])), nothing was raised"
    end
    outs = try
        run_case(case)
    catch e
        return "raised $(sprint(showerror, e))"
    end
    want = case["expected"]["outputs"]
    length(outs) == length(want) || return "$(length(outs)) outputs, expected $(length(want))"
    rtol = Float64(case["expected"]["rtol"])
    atol = Float64(case["expected"]["atol"])
    for (k, (o, w)) in enumerate(zip(outs, want))
        shape = Tuple(Int[d for d in w["shape"]])
        MXLite.mxshape(o) == shape || return "output $(k): shape $(MXLite.mxshape(o)), expected $(shape)"
        T = MXLite.NAME_TO_JULIA[w["dtype"]]
        MXLite.dtype(o) === T || return "output $(k): dtype $(MXLite.dtype(o)), expected $(T)"
        got = Float64.(MXLite.to_flat(o))
        for (i, (g, v)) in enumerate(zip(got, w["data"]))
            e = Float64(number(v))
            ok = isnan(e) ? isnan(g) : isinf(e) ? g == e : abs(g - e) <= atol + rtol * abs(e)
            ok || return "output $(k)[$(i)]: got $(g), expected $(e)"
        end
    end
    return nothing
end

function load_cases(dir)
    cases = Any[]
    for f in sort(filter(n -> endswith(n, ".json"), readdir(dir)))
        doc = parse_json(read(joinpath(dir, f), String))
        doc["format"] == 1 || error("$(f): unknown case format $(doc["format"])")
        append!(cases, doc["cases"])
    end
    return cases
end

"""
    run_conformance(dir) -> (passed, failed, failures, leaked)

Runs every case; `leaked` is the change of the live-handle counter after
the arrays are collected (0 when nothing leaks). Op handles are cached for
the process, so they are created before the baseline is read.
"""
function run_conformance(dir=CONFORMANCE_DIR)
    cases = load_cases(dir)
    for c in cases
        try
            MXLite.op_handle(c["op"])
        catch e
            e isa MXError || rethrow()
        end
    end
    GC.gc(true)
    GC.gc(true)  # arrays of earlier code must not be collected during the run
    baseline = MXLite.live_handles()
    passed, failures = 0, String[]
    for c in cases
        why = check_case(c)
        if why === nothing
            passed += 1
        else
            push!(failures, "$(c["name"]): $(why)")
        end
    end
    try
        MXLite.waitall()
    catch e
        e isa MXError || rethrow()
    end
    GC.gc(true)
    GC.gc(true)
    leaked = MXLite.live_handles() - baseline
    return passed, length(failures), failures, leaked
end

if abspath(PROGRAM_FILE) == @__FILE__
    passed, failed, failures, leaked = run_conformance(isempty(ARGS) ? CONFORMANCE_DIR : ARGS[1])
    foreach(println, failures)
    leaked == 0 || println("live handles: $(leaked) not released after the suite")
    println("$(passed) passed, $(failed + (leaked == 0 ? 0 : 1)) failed")
    exit(failed == 0 && leaked == 0 ? 0 : 1)
end
