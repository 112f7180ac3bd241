"""Static checks of the Julia binding (no Julia runtime exists on the build
machines): a tokenizer with block/bracket balancing (lexer.py), the C
prototypes of include/c_api.h (cheader.py), and ccall signature checks
(ccalls.py).  Driver: tools/check_julia.py."""
