// Loads libmxlite through koffi, declares the C ABI functions the binding
// uses (include/c_api.h is the only interface), and refuses a library of
// another ABI major version.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';

// The ABI major version this package was written against (MXL_VERSION_MAJOR).
export const ABI_MAJOR = 0;

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where the shared library is: $MXLITE_LIBRARY, else the repository's build/. */
export function libraryPath() {
  const env = process.env.MXLITE_LIBRARY;
  if (env) return env;
  return path.resolve(here, '..', '..', '..', 'build', 'libmxlite.so');
}

function open() {
  const p = libraryPath();
  if (!fs.existsSync(p)) {
    throw new Error(`mxlite: shared library not found at ${p}; build it with \`make build\` ` +
                    'or set MXLITE_LIBRARY to the path of libmxlite.so');
  }
  return koffi.load(p);
}

export const lib = open();

// Handles are opaque pointers; koffi 3 represents them as BigInt addresses.
// Arrays of handles cross as BigUint64Array (passed by address, no copy).
const sigs = {
  mxl_version: 'int32_t mxl_version()',
  mxl_last_error: 'int32_t mxl_last_error(_Out_ int32_t* kind, _Out_ uint8_t* buf, uint64_t cap, _Out_ uint64_t* needed)',
  mxl_array_create: 'int mxl_array_create(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type, int32_t device_id, _Out_ void** out)',
  mxl_array_free: 'void mxl_array_free(void* arr)',
  mxl_array_info: 'int mxl_array_info(void* arr, _Out_ int32_t* ndim, _Out_ int64_t* shape, int32_t cap, _Out_ int32_t* dtype)',
  mxl_array_size: 'int mxl_array_size(void* arr, _Out_ int64_t* size, _Out_ int64_t* nbytes)',
  mxl_array_copy_from_host: 'int mxl_array_copy_from_host(void* arr, const void* data, uint64_t nbytes)',
  mxl_array_copy_to_host: 'int mxl_array_copy_to_host(void* arr, _Out_ void* data, uint64_t nbytes)',
  mxl_array_reshape_view: 'int mxl_array_reshape_view(void* arr, const int64_t* shape, int32_t ndim, _Out_ void** out)',
  mxl_array_slice_view: 'int mxl_array_slice_view(void* arr, int64_t begin, int64_t end, _Out_ void** out)',
  mxl_array_at_view: 'int mxl_array_at_view(void* arr, int64_t index, _Out_ void** out)',
  mxl_array_wait_to_read: 'int mxl_array_wait_to_read(void* arr)',
  mxl_wait_all: 'int mxl_wait_all()',
  mxl_registry_json: 'int mxl_registry_json(_Out_ uint8_t* buf, uint64_t cap, _Out_ uint64_t* needed)',
  mxl_op_get: 'int mxl_op_get(const char* name, _Out_ void** out)',
  mxl_op_free: 'void mxl_op_free(void* op)',
  mxl_invoke: 'int mxl_invoke(void* op, int32_t num_inputs, const void* inputs, int32_t num_attrs, const char** keys, const char** vals, _Inout_ int32_t* num_outputs, _Inout_ void* outputs)',
  mxl_autograd_set_recording: 'int mxl_autograd_set_recording(int32_t recording, _Out_ int32_t* prev)',
  mxl_autograd_set_training: 'int mxl_autograd_set_training(int32_t training, _Out_ int32_t* prev)',
  mxl_autograd_is_recording: 'int mxl_autograd_is_recording(_Out_ int32_t* out)',
  mxl_autograd_is_training: 'int mxl_autograd_is_training(_Out_ int32_t* out)',
  mxl_autograd_mark_variables: 'int mxl_autograd_mark_variables(int32_t num, const void* vars, const int32_t* grad_reqs, const void* grads)',
  mxl_array_grad: 'int mxl_array_grad(void* arr, _Out_ void** out)',
  mxl_array_detach: 'int mxl_array_detach(void* arr, _Out_ void** out)',
  mxl_array_has_history: 'int mxl_array_has_history(void* arr, _Out_ int32_t* out)',
  mxl_autograd_backward: 'int mxl_autograd_backward(int32_t num_heads, const void* heads, const void* head_grads, int32_t retain_graph, int32_t train_mode)',
  mxl_autograd_grad: 'int mxl_autograd_grad(int32_t num_heads, const void* heads, const void* head_grads, int32_t num_vars, const void* vars, int32_t retain_graph, int32_t create_graph, int32_t train_mode, _Out_ void* grads)',
  mxl_symbol_free: 'void mxl_symbol_free(void* sym)',
  mxl_symbol_create_op: 'int mxl_symbol_create_op(void* op, int32_t num_attrs, const char** keys, const char** vals, int32_t num_inputs, const char** input_keys, const void* inputs, const char* name, _Out_ void** out)',
  mxl_symbol_create_variable: 'int mxl_symbol_create_variable(const char* name, _Out_ void** out)',
  mxl_symbol_group: 'int mxl_symbol_group(int32_t num, const void* symbols, _Out_ void** out)',
  mxl_symbol_num_outputs: 'int mxl_symbol_num_outputs(void* sym, _Out_ int32_t* out)',
  mxl_symbol_get_output: 'int mxl_symbol_get_output(void* sym, int32_t index, _Out_ void** out)',
  mxl_symbol_get_internals: 'int mxl_symbol_get_internals(void* sym, _Out_ void** out)',
  mxl_symbol_list: 'int mxl_symbol_list(void* sym, int32_t which, _Out_ uint8_t* buf, uint64_t cap, _Out_ uint64_t* needed)',
  mxl_symbol_infer_shape: 'int mxl_symbol_infer_shape(void* sym, int32_t num_known, const char** names, const int32_t* ndims, const int64_t* dims, _Out_ uint8_t* buf, uint64_t cap, _Out_ uint64_t* needed)',
  mxl_symbol_to_json: 'int mxl_symbol_to_json(void* sym, _Out_ uint8_t* buf, uint64_t cap, _Out_ uint64_t* needed)',
  mxl_symbol_from_json: 'int mxl_symbol_from_json(const char* json, _Out_ void** out)',
  mxl_symbol_save: 'int mxl_symbol_save(void* sym, const char* path)',
  mxl_symbol_load: 'int mxl_symbol_load(const char* path, _Out_ void** out)',
  mxl_random_seed: 'int mxl_random_seed(uint64_t seed)',
  mxl_live_handles: 'int mxl_live_handles(_Out_ int64_t* count)',
  mxl_storage_stats: 'int mxl_storage_stats(_Out_ int64_t* in_use, _Out_ int64_t* peak, _Out_ int64_t* pooled)',
};

/** The declared C functions, by their C names. */
export const C = {};
for (const [name, sig] of Object.entries(sigs)) C[name] = lib.func(sig);

const optional = new Map();

/**
 * A function of a newer ABI section (the library may predate it): declared on
 * first use; null when the library does not export it.
 */
export function optionalFunc(sig) {
  let f = optional.get(sig);
  if (f === undefined) {
    try {
      f = lib.func(sig);
    } catch {
      f = null;
    }
    optional.set(sig, f);
  }
  return f;
}

const version = C.mxl_version();
const major = Math.floor(version / 10000);
if (major !== ABI_MAJOR) {
  throw new Error(`mxlite: ${libraryPath()} has ABI major version ${major}, but this package ` +
                  `was written for major version ${ABI_MAJOR}; use a matching library ` +
                  '(MXLITE_LIBRARY) or package');
}
/** The loaded library's version, major*10000 + minor*100 + patch. */
export const LIBRARY_VERSION = version;
