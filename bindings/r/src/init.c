/* Registration of the .Call entry points (R's native routine registry), so
 * R code calls them as C_<name> symbols without a name lookup per call. */
#include <R_ext/Rdynload.h>

#include "mxlite_r.h"

void mxr_array_init(void);
void mxr_symbol_init(void);

#define DECL(name, n) SEXP name();
#define ENTRIES(X)                       \
  X(mxr_version, 0)                      \
  X(mxr_live_handles, 0)                 \
  X(mxr_random_seed, 1)                  \
  X(mxr_array_create, 3)                 \
  X(mxr_array_to_r, 1)                   \
  X(mxr_array_shape, 1)                  \
  X(mxr_array_dtype, 1)                  \
  X(mxr_array_size, 1)                   \
  X(mxr_array_wait, 1)                   \
  X(mxr_wait_all, 0)                     \
  X(mxr_array_dispose, 1)                \
  X(mxr_array_is_disposed, 1)            \
  X(mxr_array_reshape_view, 2)           \
  X(mxr_array_slice_view, 3)             \
  X(mxr_invoke, 5)                       \
  X(mxr_invoke_raw, 5)                   \
  X(mxr_arith, 3)                        \
  X(mxr_autograd_set, 2)                 \
  X(mxr_autograd_state, 0)               \
  X(mxr_autograd_mark, 3)                \
  X(mxr_array_grad, 1)                   \
  X(mxr_array_detach, 1)                 \
  X(mxr_array_has_history, 1)            \
  X(mxr_autograd_backward, 4)            \
  X(mxr_autograd_grad, 6)                \
  X(mxr_symbol_load_json, 1)             \
  X(mxr_symbol_to_json, 1)               \
  X(mxr_symbol_list, 2)                  \
  X(mxr_symbol_dispose, 1)               \
  X(mxr_symbol_infer_shape, 3)           \
  X(mxr_arrays_save, 3)                  \
  X(mxr_arrays_load, 1)                  \
  X(mxr_cached_op_create, 2)             \
  X(mxr_cached_op_invoke, 2)             \
  X(mxr_core_has, 1)                     \
  X(mxr_symbol_op, 5)                    \
  X(mxr_symbol_variable, 1)              \
  X(mxr_symbol_group, 1)


ENTRIES(DECL)

#define ENTRY(name, n) {"C_" #name, (DL_FUNC)&name, n},
static const R_CallMethodDef call_methods[] = {ENTRIES(ENTRY){NULL, NULL, 0}};

void R_init_mxlite(DllInfo* dll) {
  mxr_array_init();
  mxr_symbol_init();
  R_registerRoutines(dll, NULL, call_methods, NULL, NULL);
  R_useDynamicSymbols(dll, FALSE);
  R_forceSymbols(dll, TRUE);
}
