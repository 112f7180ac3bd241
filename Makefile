# mxlite: `make demo` and `make test` are the two quick-start commands.
# Each target installs what it needs (tools/install_deps.sh), so both work on
# a fresh machine.
SHELL := /bin/bash
BUILD_DIR ?= build
VENV := .venv
PY := $(VENV)/bin/python
JOBS ?= $(shell nproc)
# ccache, when present, makes rebuilds in several checkouts cheap.
LAUNCHER := $(if $(shell command -v ccache),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache,)

.PHONY: all deps build core python generate test test-cpp test-python test-asan demo bench clean

all: build

deps:
	@tools/install_deps.sh

core: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(LAUNCHER) > $(BUILD_DIR).cmake.log 2>&1 \
	  || (cat $(BUILD_DIR).cmake.log; exit 1)
	@cmake --build $(BUILD_DIR) -j $(JOBS)

python: core
	@$(PY) -m pip install -q --no-build-isolation --no-deps --force-reinstall ./bindings/python \
	  > $(BUILD_DIR)/pip-install.log 2>&1 || (cat $(BUILD_DIR)/pip-install.log; exit 1)
	@echo "== installed mxlite into $(VENV)"

build: python

# Regenerate every binding's op wrappers from the built library's registry.
generate: core
	@$(PY) tools/bindgen/generate.py --lib $(BUILD_DIR)/libmxlite.so

# MXNet 1.9.1 (in .venv-peers, optional) lets the oracle tests that compare with it run.
test: build
	@tools/install_bench_peers.sh
	@tools/run_tests.sh

test-cpp: build
	@cd $(BUILD_DIR) && ctest --output-on-failure

test-python: build
	@$(PY) -m pytest tests/python -q

# C++ and Python suites against an ASan+UBSan build of the core (slower).
test-asan: build
	@tools/test_sanitized.sh

demo: build
	@$(PY) demo/train_cnn_gluon.py

bench: build
	@tools/install_bench_peers.sh
	@$(PY) bench/run_all.py
	@$(PY) bench/bindings/overhead_table.py

clean:
	rm -rf $(BUILD_DIR) $(BUILD_DIR).cmake.log bindings/python/build bindings/python/*.egg-info
