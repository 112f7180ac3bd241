"""Builds the mxlite Python package around a prebuilt libmxlite.so.

MXLITE_ROOT (default: two levels up) is the repository root; the library is
taken from $MXLITE_ROOT/build/libmxlite.so (or MXLITE_LIB) and shipped inside
the package next to the cffi extension, which finds it through $ORIGIN.
"""
import glob
import os
import shutil

from setuptools import find_packages, setup

here = os.path.dirname(os.path.abspath(__file__))
root = os.environ.get("MXLITE_ROOT", os.path.normpath(os.path.join(here, "..", "..")))
lib = os.environ.get("MXLITE_LIB", os.path.join(root, "build", "libmxlite.so"))
if not os.path.exists(lib):
    raise SystemExit(f"mxlite: {lib} not found; build the core first (make build)")
shutil.copy2(lib, os.path.join(here, "mxlite", "libmxlite.so"))
shutil.copy2(os.path.join(root, "include", "c_api.h"), os.path.join(here, "mxlite", "c_api.h"))
# oneDNN's runtime, found by libmxlite through $ORIGIN.
_dnnl = glob.glob(os.path.join(root, ".venv", "lib", "libdnnl.so.[0-9]"))
if not _dnnl:
    raise SystemExit("mxlite: libdnnl.so.N not found in .venv/lib; run tools/install_deps.sh")
for f in _dnnl:
    shutil.copy2(f, os.path.join(here, "mxlite", os.path.basename(f)))

setup(
    name="mxlite",
    version="0.1.0",
    description="MXNet 1.9-compatible deep learning on a small C++ core",
    packages=find_packages(include=["mxlite", "mxlite.*"]),
    # py.typed + the generated mx.nd stub: type checkers see the op functions.
    package_data={"mxlite": ["libmxlite.so", "libdnnl.so.*", "c_api.h", "py.typed"],
                  "mxlite.ndarray": ["*.pyi"]},
    cffi_modules=["mxlite/_build_ffi.py:ffibuilder"],
    install_requires=["cffi>=1.15", "numpy>=1.23"],
    python_requires=">=3.9",
    zip_safe=False,
)
