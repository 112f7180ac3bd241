# A small JSON reader (Julia has no JSON in its standard library): the core
# returns symbol lists and inference results as JSON, and the conformance
# cases are JSON files.  Objects become Dict{String,Any}, arrays Vector{Any},
# numbers Int64 when integral in the text, else Float64.

module JSONLite

export parse_json

mutable struct Reader
    s::String
    i::Int
end

function skip_ws(r::Reader)
    while r.i <= ncodeunits(r.s) && r.s[r.i] in (' ', '\t', '\n', '\r')
        r.i += 1
    end
end

function fail(r::Reader, what)
    throw(ArgumentError("JSON: $(what) at byte $(r.i)"))
end

function expect(r::Reader, c::Char)
    skip_ws(r)
    r.i <= ncodeunits(r.s) && r.s[r.i] == c || fail(r, "expected '$(c)'")
    r.i += 1
end

function read_value(r::Reader)
    skip_ws(r)
    r.i <= ncodeunits(r.s) || fail(r, "unexpected end")
    c = r.s[r.i]
    if c == '{'
        r.i += 1
        d = Dict{String,Any}()
        skip_ws(r)
        if r.s[r.i] == '}'
            r.i += 1
            return d
        end
        while true
            skip_ws(r)
            k = read_string(r)
            expect(r, ':')
            d[k] = read_value(r)
            skip_ws(r)
            c2 = r.s[r.i]
            r.i += 1
            c2 == '}' && return d
            c2 == ',' || fail(r, "expected ',' or '}'")
        end
    elseif c == '['
        r.i += 1
        v = Any[]
        skip_ws(r)
        if r.s[r.i] == ']'
            r.i += 1
            return v
        end
        while true
            push!(v, read_value(r))
            skip_ws(r)
            c2 = r.s[r.i]
            r.i += 1
            c2 == ']' && return v
            c2 == ',' || fail(r, "expected ',' or ']'")
        end
    elseif c == '"'
        return read_string(r)
    elseif startswith(SubString(r.s, r.i), "true")
        r.i += 4
        return true
    elseif startswith(SubString(r.s, r.i), "false")
        r.i += 5
        return false
    elseif startswith(SubString(r.s, r.i), "null")
        r.i += 4
        return nothing
    else
        return read_number(r)
    end
end

function read_string(r::Reader)
    r.s[r.i] == '"' || fail(r, "expected a string")
    r.i += 1
    io = IOBuffer()
    while true
        r.i <= ncodeunits(r.s) || fail(r, "unterminated string")
        c = r.s[r.i]
        if c == '"'
            r.i += 1
            return String(take!(io))
        elseif c == '\\'
            e = r.s[r.i+1]
            if e == 'u'
                code = parse(UInt32, r.s[r.i+2:r.i+5]; base=16)
                r.i += 6
                if 0xd800 <= code <= 0xdbff  # surrogate pair
                    low = parse(UInt32, r.s[r.i+2:r.i+5]; base=16)
                    r.i += 6
                    code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
                end
                print(io, Char(code))
                continue
            end
            print(io, Dict('n' => '\n', 't' => '\t', 'r' => '\r', 'b' => '\b', 'f' => '\f',
                           '"' => '"', '\\' => '\\', '/' => '/')[e])
            r.i += 2
        else
            print(io, c)
            r.i = nextind(r.s, r.i)
        end
    end
end

function read_number(r::Reader)
    j = r.i
    while j <= ncodeunits(r.s) && r.s[j] in "+-0123456789.eE"
        j += 1
    end
    j > r.i || fail(r, "unexpected character")
    text = r.s[r.i:j-1]
    r.i = j
    return any(ch -> ch in ".eE", text) ? parse(Float64, text) : parse(Int64, text)
end

"""Parse a JSON text into Dicts, Vectors, Strings, numbers, Bools and `nothing`."""
function parse_json(s::AbstractString)
    r = Reader(String(s), 1)
    v = read_value(r)
    skip_ws(r)
    r.i > ncodeunits(r.s) || fail(r, "trailing characters")
    return v
end

end # module JSONLite

using .JSONLite: parse_json
