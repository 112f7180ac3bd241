"""cffi (API mode) builder for mxlite's C ABI.

The declarations come straight from include/c_api.h: preprocessor lines and
the C++ guard are dropped and integer #defines are kept, so the binding never
drifts from the header.  API mode compiles direct C calls (no libffi
marshalling), which is what keeps per-op dispatch near a microsecond.
"""
import os
import re

from cffi import FFI

_here = os.path.dirname(os.path.abspath(__file__))


def header_declarations(text):
    """c_api.h -> text cffi's cdef accepts."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"#ifdef __cplusplus.*?#endif", "", text, flags=re.S)
    lines = []
    for line in text.splitlines():
        m = re.match(r"\s*#define\s+(MXL_\w+)\s+(-?\d+)\s*$", line)
        if m:
            lines.append(f"#define {m.group(1)} {m.group(2)}")
        elif not line.lstrip().startswith("#"):
            lines.append(line.replace("MXL_API ", ""))
    return "\n".join(lines)


# Capsule destructor for DLPack exports nobody consumed: it must call the
# tensor's deleter.  The structs below only need to place `deleter` (DLPack
# 1.x and legacy layouts).
_CAPSULE_HELPERS = r"""
#include <Python.h>
typedef struct { void* data; int32_t dt; int32_t di; int32_t ndim; uint32_t dtype;
                 int64_t* shape; int64_t* strides; uint64_t byte_offset; } mxl_py_dltensor;
struct DLManagedTensor { mxl_py_dltensor t; void* ctx; void (*deleter)(struct DLManagedTensor*); };
struct DLManagedTensorVersioned { uint32_t major, minor; void* ctx;
  void (*deleter)(struct DLManagedTensorVersioned*); uint64_t flags; mxl_py_dltensor t; };

static void mxl_py_capsule_versioned_dtor(PyObject* cap) {
  if (PyCapsule_IsValid(cap, "dltensor_versioned")) {
    struct DLManagedTensorVersioned* m = PyCapsule_GetPointer(cap, "dltensor_versioned");
    if (m && m->deleter) m->deleter(m);
  } else { PyErr_Clear(); }
}
static void mxl_py_capsule_legacy_dtor(PyObject* cap) {
  if (PyCapsule_IsValid(cap, "dltensor")) {
    struct DLManagedTensor* m = PyCapsule_GetPointer(cap, "dltensor");
    if (m && m->deleter) m->deleter(m);
  } else { PyErr_Clear(); }
}
static void* mxl_py_capsule_dtor(int versioned) {
  return versioned ? (void*)mxl_py_capsule_versioned_dtor : (void*)mxl_py_capsule_legacy_dtor;
}
"""

ffibuilder = FFI()
with open(os.path.join(_here, "c_api.h")) as f:
    ffibuilder.cdef(header_declarations(f.read()))
ffibuilder.cdef("void* mxl_py_capsule_dtor(int versioned);")
# autograd.Function's backward and release, called by the core (see autograd.py).
ffibuilder.cdef('''
extern "Python" int mxl_py_custom_backward(void*, int32_t, mxl_array_t* const*, int32_t,
                                           mxl_array_t**);
extern "Python" void mxl_py_custom_release(void*);
''')
# Scratch for out-parameters (mxl_invoke's outputs, shape and dtype queries),
# reused per thread by _invoke.py so the hot path allocates nothing.
ffibuilder.cdef("typedef struct { int32_t cap; mxl_array_t* outs[16]; int32_t ndim; int32_t dtype; int64_t dims[32]; } mxl_py_invoke_scratch;")
ffibuilder.set_source(
    "mxlite._mxlite_cffi",
    _CAPSULE_HELPERS + '\n#include "c_api.h"\n'
    "typedef struct { int32_t cap; mxl_array_t* outs[16]; int32_t ndim; int32_t dtype; int64_t dims[32]; } mxl_py_invoke_scratch;\n",
    include_dirs=[_here],
    library_dirs=[_here],
    libraries=["mxlite"],
    extra_link_args=["-Wl,-rpath,$ORIGIN"],
    extra_compile_args=["-O2"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
