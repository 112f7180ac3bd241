/*
 * mxlite C ABI -- the only public surface of libmxlite.
 *
 * Rules (DESIGN.md section 2), restated where a caller needs them:
 *
 *  - Every fallible function returns an int status: 0 on success, non-zero
 *    (one of the MXL_ERR_* kinds) on failure.  On failure the thread-local
 *    last error holds the kind and a message naming the op, the argument and
 *    what was expected; read it with mxl_last_error().  Out-parameters are
 *    left untouched on failure and nothing leaks.  The library never calls
 *    exit() or abort() on bad input.
 *  - Ownership is written next to every pointer parameter:
 *      [borrowed]  the library only reads/uses it for the duration of the call;
 *      [new ref]   a handle the caller must release with the matching *_free;
 *      [caller buffer] memory the caller provides, with its capacity; a
 *                  required-size out-parameter lets the caller size it first.
 *  - Handles are typed opaque pointers; every *_free accepts NULL.
 *  - Dtype codes are DLPack's DLDataType packed into an int32 (see MXL_DTYPE),
 *    device codes are DLPack's DLDeviceType values.
 *  - Within one major version functions are only added.  A changed signature
 *    gets a new name (suffix _v2); names are never reused.
 *
 * This header compiles as C11 with -Wall -Werror and is parsed by cffi's cdef
 * after the preprocessor lines are stripped: keep macros out of declarations.
 */
#ifndef MXL_C_API_H_
#define MXL_C_API_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define MXL_API __declspec(dllexport)
#else
#define MXL_API __attribute__((visibility("default")))
#endif

/* ---------------------------------------------------------------- version */

#define MXL_VERSION_MAJOR 0
#define MXL_VERSION_MINOR 1
#define MXL_VERSION_PATCH 0
/* major * 10000 + minor * 100 + patch, comparable as an integer. */
#define MXL_VERSION 100

/* The library's version as MXL_VERSION encodes it.  This function never
 * changes; bindings call it at load and refuse a different major version.
 * Cannot fail. */
MXL_API int32_t mxl_version(void);

/* ----------------------------------------------------------------- errors */

#define MXL_OK 0
#define MXL_ERR_VALUE 1           /* bad value: shape, range, parse failure   */
#define MXL_ERR_TYPE 2            /* wrong dtype or wrong kind of argument    */
#define MXL_ERR_INDEX 3           /* index or axis out of range               */
#define MXL_ERR_OUT_OF_MEMORY 4   /* allocation failed                        */
#define MXL_ERR_NOT_IMPLEMENTED 5 /* valid request this build cannot serve    */
#define MXL_ERR_KEY 6             /* unknown op, parameter or name            */
#define MXL_ERR_RUNTIME 7         /* failure while running (async op errors)  */
#define MXL_ERR_INVALID_HANDLE 8  /* NULL, freed or foreign handle            */

/* The calling thread's last error.
 *   kind      [out, may be NULL] receives the MXL_ERR_* kind (MXL_OK if none).
 *   buf       [caller buffer, may be NULL when cap == 0] receives the message,
 *             NUL-terminated, truncated to cap - 1 bytes.
 *   cap       capacity of buf in bytes.
 *   needed    [out, may be NULL] bytes the full message needs, including NUL.
 * Does not clear the error; a later failing call replaces it, a successful
 * call does not.  Cannot fail; returns the kind. */
MXL_API int32_t mxl_last_error(int32_t* kind, char* buf, uint64_t cap,
                               uint64_t* needed);

/* ------------------------------------------------------------ dtype codes */

/* DLPack type codes: kDLInt 0, kDLUInt 1, kDLFloat 2, kDLBfloat 4, kDLBool 6.
 * An mxlite dtype packs DLDataType as code | bits << 8 | lanes << 16. */
#define MXL_DTYPE(code, bits) ((code) | ((bits) << 8) | (1 << 16))
#define MXL_FLOAT32 MXL_DTYPE(2, 32)
#define MXL_FLOAT64 MXL_DTYPE(2, 64)
#define MXL_FLOAT16 MXL_DTYPE(2, 16)
#define MXL_UINT8 MXL_DTYPE(1, 8)
#define MXL_INT8 MXL_DTYPE(0, 8)
#define MXL_INT32 MXL_DTYPE(0, 32)
#define MXL_INT64 MXL_DTYPE(0, 64)
#define MXL_BOOL MXL_DTYPE(6, 8)

/* DLPack device codes; only CPU exists in this build. */
#define MXL_DEVICE_CPU 1
#define MXL_DEVICE_GPU 2

/* ---------------------------------------------------------------- handles */

/* An n-dimensional array: a shape, a dtype, a device and a view onto a
 * reference-counted storage chunk.  Views share the chunk. */
typedef struct mxl_array mxl_array_t;
/* A registered operator.  Operators live as long as the process; the handle
 * is still released with mxl_op_free for uniformity (a no-op today). */
typedef struct mxl_op mxl_op_t;

/* DLPack's structures, declared by dlpack.h (version >= 1.0).  mxlite only
 * passes pointers to them. */
struct DLManagedTensorVersioned;
struct DLManagedTensor;

/* ----------------------------------------------------------------- arrays */

/* Create an uninitialised C-order array.
 *   shape   [borrowed] ndim extents, each >= 0; may be NULL when ndim == 0
 *           (a scalar array of one element).
 *   ndim    0 <= ndim <= 32.
 *   dtype   an MXL_* dtype code.
 *   device_type, device_id  MXL_DEVICE_CPU, 0.
 *   out     [out, new ref] the array; free with mxl_array_free.
 * Fails with VALUE (bad shape), TYPE (bad dtype), NOT_IMPLEMENTED (device),
 * OUT_OF_MEMORY. */
MXL_API int mxl_array_create(const int64_t* shape, int32_t ndim, int32_t dtype,
                             int32_t device_type, int32_t device_id,
                             mxl_array_t** out);

/* Release a handle.  NULL is accepted.  Storage shared with other handles,
 * views or DLPack exports stays alive; storage is returned to the pool only
 * after the ops pending on it have finished. */
MXL_API void mxl_array_free(mxl_array_t* arr);

/* ndim and extents.
 *   ndim    [out] number of dimensions.
 *   shape   [caller buffer, may be NULL when cap == 0] receives min(cap, ndim)
 *           extents.
 * Fails with INVALID_HANDLE. */
MXL_API int mxl_array_shape(const mxl_array_t* arr, int32_t* ndim,
                            int64_t* shape, int32_t cap);

/* dtype [out]: the MXL_* dtype code.  Fails with INVALID_HANDLE. */
MXL_API int mxl_array_dtype(const mxl_array_t* arr, int32_t* dtype);

/* device_type, device_id [out].  Fails with INVALID_HANDLE. */
MXL_API int mxl_array_device(const mxl_array_t* arr, int32_t* device_type,
                             int32_t* device_id);

/* Shape and dtype in one call (what a binding needs to allocate a host copy).
 *   ndim  [out] number of dimensions.
 *   shape [caller buffer, may be NULL when cap == 0] min(cap, ndim) extents.
 *   dtype [out] the MXL_* dtype code.
 * Fails with INVALID_HANDLE. */
MXL_API int mxl_array_info(const mxl_array_t* arr, int32_t* ndim, int64_t* shape, int32_t cap,
                           int32_t* dtype);

/* Number of elements [out] and bytes [out, may be NULL].  Fails with
 * INVALID_HANDLE. */
MXL_API int mxl_array_size(const mxl_array_t* arr, int64_t* size,
                           int64_t* nbytes);

/* Copy nbytes from host memory into the array, after every pending op on its
 * storage finished.  nbytes must equal the array's byte size.
 *   data [borrowed] nbytes readable bytes.
 * Fails with INVALID_HANDLE, VALUE (byte count), RUNTIME (a pending op on
 * the storage failed; the copy is not done). */
MXL_API int mxl_array_copy_from_host(mxl_array_t* arr, const void* data,
                                     uint64_t nbytes);

/* Copy the array into host memory after pending writes finished.
 *   data [caller buffer] nbytes writable bytes; nbytes must equal the
 *        array's byte size.
 * Fails with INVALID_HANDLE, VALUE, RUNTIME (the op producing the array
 * failed: its error is re-raised here, naming the op). */
MXL_API int mxl_array_copy_to_host(mxl_array_t* arr, void* data,
                                   uint64_t nbytes);

/* A view with another shape over the same elements (same size, C order).
 *   shape [borrowed] ndim extents; entries <= 0 are the Reshape op's special
 *         codes (0 copies an extent, -1 infers one, -2, -3, -4 as MXNet).
 *   out   [out, new ref] the view; writes through it are seen by arr.
 * Fails with INVALID_HANDLE, VALUE (size differs). */
MXL_API int mxl_array_reshape_view(mxl_array_t* arr, const int64_t* shape,
                                   int32_t ndim, mxl_array_t** out);

/* A view of rows [begin, end) of the first axis (0 <= begin <= end <= rows).
 *   out [out, new ref].  Fails with INVALID_HANDLE, INDEX, VALUE (0-d). */
MXL_API int mxl_array_slice_view(mxl_array_t* arr, int64_t begin, int64_t end,
                                 mxl_array_t** out);

/* Row index of the first axis with that axis dropped (arr[i] in NumPy).
 *   out [out, new ref].  Fails with INVALID_HANDLE, INDEX, VALUE (0-d). */
MXL_API int mxl_array_at_view(mxl_array_t* arr, int64_t index,
                              mxl_array_t** out);

/* 1 [out] if a and b share a storage chunk, else 0. */
MXL_API int mxl_array_shares_storage(const mxl_array_t* a,
                                     const mxl_array_t* b, int32_t* out);

/* ------------------------------------------------------------ sync points */

/* Block until every pending write to the array's storage finished.
 * Fails with RUNTIME if one of them failed (the op's name and message are in
 * the error); the array keeps that error until it is written again. */
MXL_API int mxl_array_wait_to_read(mxl_array_t* arr);

/* Block until every pending read and write of the storage finished.  Same
 * failure as mxl_array_wait_to_read. */
MXL_API int mxl_array_wait_to_write(mxl_array_t* arr);

/* Block until every pushed op finished.  Fails with RUNTIME carrying the
 * first asynchronous error not yet reported; the list of unreported errors
 * is then cleared and the engine stays usable. */
MXL_API int mxl_wait_all(void);

/* ----------------------------------------------------------------- DLPack */

/* Export the array zero-copy, after pending ops on it finished.  The
 * storage is row-major at export and stays at that address in that layout
 * for its lifetime (kernels no longer leave it in a layout of their own, see
 * docs/architecture.md, Storage), so the consumer sees every later write.
 *   out [out, new ref] a DLManagedTensorVersioned (DLPack 1.x) holding a
 *       reference to the storage; the consumer calls its deleter once.
 * Fails with INVALID_HANDLE, RUNTIME. */
MXL_API int mxl_array_to_dlpack(mxl_array_t* arr,
                                struct DLManagedTensorVersioned** out);

/* The same for consumers of the legacy unversioned DLManagedTensor. */
MXL_API int mxl_array_to_dlpack_legacy(mxl_array_t* arr,
                                       struct DLManagedTensor** out);

/* Import a DLPack tensor.
 *   tensor [owned by the library on success] on success the library calls
 *          its deleter when the last view of the storage is gone; on failure
 *          the caller still owns it.  Compact row-major tensors on the CPU are
 *          wrapped without a copy; other strides are copied and the deleter
 *          is called at once.
 *   out    [out, new ref].
 * Fails with VALUE (NULL tensor, negative extents), TYPE (dtype with lanes
 * != 1 or unsupported), NOT_IMPLEMENTED (non-CPU device, major version > 1). */
MXL_API int mxl_array_from_dlpack(struct DLManagedTensorVersioned* tensor,
                                  mxl_array_t** out);

/* The same for a legacy unversioned DLManagedTensor. */
MXL_API int mxl_array_from_dlpack_legacy(struct DLManagedTensor* tensor,
                                         mxl_array_t** out);

/* --------------------------------------------------------------- registry */

/* The registry as a JSON document (UTF-8, NUL-terminated), the input of every
 * binding generator.  Schema: {"schema_version": 1, "library_version": int,
 * "ops": [{"name", "aliases", "doc", "inputs": [{"name", "doc"}],
 * "variadic_inputs": bool, "num_inputs_param": str|null,
 * "outputs": [names], "num_outputs_param": str|null, "params": [{"name",
 * "type", "default", "default_text", "required", "doc", "range": [lo, hi]|null,
 * "values": [enum values]|null, "none_entries": bool (a shape whose entries may
 * be None)}], "differentiable": bool (a gradient is registered),
 * "needs_rng": bool}]}.
 * Parameter types: int, float, bool, str, shape, dtype, enum,
 * each optionally wrapped as "optional<T>".
 *   buf    [caller buffer, may be NULL when cap == 0].
 *   needed [out] bytes required including the NUL.
 * Fails with VALUE if cap is non-zero but too small (buf untouched). */
MXL_API int mxl_registry_json(char* buf, uint64_t cap, uint64_t* needed);

/* Number of registered ops [out] (aliases not counted). */
MXL_API int mxl_op_count(int32_t* count);

/* Name of the index-th op (0 <= index < count), as mxl_last_error copies
 * strings: buf [caller buffer], needed [out, may be NULL].
 * Fails with INDEX, VALUE (cap too small and non-zero). */
MXL_API int mxl_op_name(int32_t index, char* buf, uint64_t cap,
                        uint64_t* needed);

/* Look up an op by name or alias.
 *   name [borrowed] UTF-8.
 *   out  [out, new ref] release with mxl_op_free.
 * Fails with KEY (unknown op). */
MXL_API int mxl_op_get(const char* name, mxl_op_t** out);

/* Release an op handle.  NULL is accepted. */
MXL_API void mxl_op_free(mxl_op_t* op);

/* ----------------------------------------------------------------- invoke */

/* Run an op on arrays: the one entry point through which every operator is
 * called.  Shapes and dtypes are inferred and checked before return (errors
 * surface here); the kernel is then scheduled on the engine and may still be
 * running when this returns.
 *   op          [borrowed] from mxl_op_get.
 *   inputs      [borrowed] num_inputs array handles.
 *   keys, vals  [borrowed] num_attrs attribute name/value strings, values in
 *               MXNet's text form ("(2, 3)", "True", "float32", "1.5").
 *               Parsed attributes are cached per op, so calling again with
 *               identical strings does not parse them again.
 *   num_outputs [in/out] on entry the capacity of outputs; on success the
 *               op's number of visible outputs (as in MXNet: Dropout returns
 *               its result, not its mask; BatchNorm returns mean and var only
 *               with output_mean_var=True).  Hidden outputs are internal.
 *   outputs     [in/out] entries that are non-NULL on entry are pre-allocated
 *               destinations [borrowed] whose shape and dtype must match the
 *               inferred ones; NULL entries receive [new ref] arrays.
 * Fails with INVALID_HANDLE, KEY (unknown parameter), VALUE (bad attribute,
 * wrong number of inputs, shape mismatch, capacity too small), TYPE (dtype),
 * INDEX (axis), OUT_OF_MEMORY; on failure no output entry is written. */
MXL_API int mxl_invoke(const mxl_op_t* op, int32_t num_inputs,
                       mxl_array_t* const* inputs, int32_t num_attrs,
                       const char* const* keys, const char* const* vals,
                       int32_t* num_outputs, mxl_array_t** outputs);

/* --------------------------------------------------------------- autograd */

/* Eager reverse-mode differentiation (MXNet's mx.autograd).  While recording
 * is on (per thread), mxl_invoke and the view functions record every op with
 * a tracked input; an array is tracked once it is a variable
 * (mxl_autograd_mark_variables) or was computed from one while recording.
 * The recorded graph lives as long as arrays computed from it.  Gradients
 * are computed with the ops' registered gradients (the registry JSON's
 * "differentiable"), so the backward pass is itself recordable. */

/* Switch recording / training mode for the calling thread.
 *   prev [out, may be NULL] the previous setting (0 or 1). */
MXL_API int mxl_autograd_set_recording(int32_t recording, int32_t* prev);
MXL_API int mxl_autograd_set_training(int32_t training, int32_t* prev);
/* Current settings [out] (0 or 1). */
MXL_API int mxl_autograd_is_recording(int32_t* out);
MXL_API int mxl_autograd_is_training(int32_t* out);

/* Make arrays variables (leaves) whose gradients land in grads.
 *   vars      [borrowed] num handles; each gets a fresh history (any earlier
 *             one is dropped).
 *   grad_reqs [borrowed] per variable: 0 null (no gradient), 1 write
 *             (overwrite), 3 add (accumulate).
 *   grads     [borrowed] gradient buffers of the variables' shape and dtype;
 *             the core keeps a reference to their storage.  May be NULL
 *             entries where grad_req is 0.
 * Fails with INVALID_HANDLE, VALUE (bad grad_req, shape), TYPE (dtype); on
 * failure no variable is changed. */
MXL_API int mxl_autograd_mark_variables(int32_t num, mxl_array_t* const* vars,
                                        const int32_t* grad_reqs,
                                        mxl_array_t* const* grads);

/* The gradient buffer of a variable.
 *   out [out, new ref or NULL] NULL when arr is not a variable with a
 *       buffer; otherwise a handle sharing the buffer's storage. */
MXL_API int mxl_array_grad(const mxl_array_t* arr, mxl_array_t** out);

/* Whether a backward pass wrote the gradient of variable arr since the
 * flag was last cleared (MXNet's fresh_grad; Gluon's Trainer uses it to find
 * parameters the last backward did not reach).  Marking a variable clears it.
 *   out [out] 1 or 0; 0 when arr is not a variable. */
MXL_API int mxl_array_get_grad_state(const mxl_array_t* arr, int32_t* out);
/* Set (fresh != 0) or clear the flag; no effect when arr is not a variable. */
MXL_API int mxl_array_set_grad_state(mxl_array_t* arr, int32_t fresh);

/* A new handle on arr's storage with no history (MXNet's detach()).
 *   out [out, new ref]. */
MXL_API int mxl_array_detach(const mxl_array_t* arr, mxl_array_t** out);

/* out [out] 1 if arr is a variable or was computed from one while
 * recording, else 0. */
MXL_API int mxl_array_has_history(const mxl_array_t* arr, int32_t* out);

/* Backward from heads into the variables' gradient buffers (per grad_req).
 *   heads      [borrowed] num_heads tracked arrays.
 *   head_grads [borrowed, may be NULL] num_heads gradients of the heads;
 *              NULL (or a NULL entry) means ones.
 *   retain_graph 0 frees the graph's saved values: a second backward
 *              through it fails with VALUE.
 *   train_mode  training mode for the backward ops.
 * Fails with VALUE (untracked head, shape mismatch, freed graph, an op
 * without gradient), INVALID_HANDLE; kernel errors surface at sync points. */
MXL_API int mxl_autograd_backward(int32_t num_heads, mxl_array_t* const* heads,
                                  mxl_array_t* const* head_grads,
                                  int32_t retain_graph, int32_t train_mode);

/* Gradients of heads with respect to vars, returned instead of written to
 * buffers (MXNet's autograd.grad).  Arguments as mxl_autograd_backward, and:
 *   vars         [borrowed] num_vars tracked arrays (variables or
 *                intermediate results).
 *   create_graph 1 records the backward pass, so the returned gradients are
 *                tracked and can be differentiated again.
 *   grads        [out] num_vars [new ref] handles (zeros for variables the
 *                heads do not depend on).  Untouched on failure. */
MXL_API int mxl_autograd_grad(int32_t num_heads, mxl_array_t* const* heads,
                              mxl_array_t* const* head_grads, int32_t num_vars,
                              mxl_array_t* const* vars, int32_t retain_graph,
                              int32_t create_graph, int32_t train_mode,
                              mxl_array_t** grads);

/* A custom function's backward (MXNet's autograd.Function).
 *   ctx       the pointer given to mxl_autograd_record_custom.
 *   out_grads [borrowed for the call] one gradient per output.
 *   in_grads  [out] one slot per input, NULL on entry; store a [new ref]
 *             handle (the core takes it) or leave NULL for "no gradient".
 * Return 0 on success; on failure call mxl_set_last_error and return
 * non-zero: backward then fails with that kind and message. */
typedef int (*mxl_custom_backward_t)(void* ctx, int32_t num_out_grads,
                                     mxl_array_t* const* out_grads,
                                     int32_t num_in_grads,
                                     mxl_array_t** in_grads);
/* Called once when the recorded node (or a failed record call) lets go of
 * ctx. */
typedef void (*mxl_custom_release_t)(void* ctx);

/* Record outputs as computed from inputs by a custom function, so backward
 * calls `backward` for their gradients.  Does nothing (but still releases
 * ctx) when recording is off.
 *   inputs, outputs [borrowed]; outputs get the new history.
 *   release [may be NULL] called with ctx when the node is destroyed, or
 *           before return when nothing was recorded or on failure. */
MXL_API int mxl_autograd_record_custom(int32_t num_inputs,
                                       mxl_array_t* const* inputs,
                                       int32_t num_outputs,
                                       mxl_array_t* const* outputs,
                                       mxl_custom_backward_t backward,
                                       mxl_custom_release_t release, void* ctx);

/* Set the calling thread's last error (for callbacks reporting failure).
 * Fails with VALUE for an unknown kind. */
MXL_API int mxl_set_last_error(int32_t kind, const char* message);

/* ---------------------------------------------------------------- symbols */

/* Symbolic graphs (MXNet's mx.sym).  A symbol is a list of outputs of a
 * graph whose nodes are variables (graph inputs) and op applications.
 * Composing ops on symbols links nodes; graphs are shared, not copied, so
 * mxl_symbol_set_attr on one symbol is seen by every symbol sharing that
 * node (as in MXNet).  Symbols are not thread-safe for mutation (set_attr);
 * everything else only reads them.
 *
 * Names: an op node without a name gets MXNet's automatic name, its op name
 * lowercased plus a per-thread counter for that name (fullyconnected0,
 * fullyconnected1, ...).  Inputs an op is composed without become variables
 * named "<node name>_<input name>" (fc1_weight, fc1_bias, softmax_label).
 *
 * Shapes follow MXNet 1.x: an extent of 0 inside a shape means "unknown"
 * (partial shapes such as (0, 64)), never an empty dimension.
 *
 * Lists and inference results are JSON documents copied as mxl_last_error
 * copies its message: buf [caller buffer, may be NULL when cap == 0],
 * cap its size, needed [out, may be NULL] the bytes the document needs
 * including the NUL.  They fail with VALUE when cap is non-zero but too
 * small (buf untouched).  Every function taking a symbol fails with
 * INVALID_HANDLE for a NULL or freed handle. */
typedef struct mxl_symbol mxl_symbol_t;

/* mxl_symbol_list kinds. */
#define MXL_SYMBOL_ARGUMENTS 0        /* variables no op mutates            */
#define MXL_SYMBOL_OUTPUTS 1          /* "<node>_output", "<node>_<name>"   */
#define MXL_SYMBOL_AUXILIARY_STATES 2 /* variables an op mutates (BatchNorm's
                                         moving_mean / moving_var)          */
#define MXL_SYMBOL_INPUTS 3           /* all variables, graph order         */

/* A variable (a graph input).
 *   name [borrowed] non-empty UTF-8.
 *   out  [out, new ref] free with mxl_symbol_free.
 * Fails with VALUE (NULL or empty name). */
MXL_API int mxl_symbol_create_variable(const char* name, mxl_symbol_t** out);

/* Apply an op to input symbols (MXNet's symbol creation + composition).
 *   op          [borrowed] from mxl_op_get.
 *   keys, vals  [borrowed] num_attrs attributes in MXNet's text form: op
 *               parameters ("num_hidden" = "10"), which are parsed and
 *               checked now, and graph attributes, which must be
 *               "__name__"-style ("__lr_mult__") or one of MXNet's
 *               shorthands ctx_group, lr_mult, wd_mult, force_mirroring,
 *               mirror_stage (stored as "__ctx_group__", ...).  Values are
 *               kept as given and written to JSON as they are.  A variadic
 *               op's count parameter (Concat's num_args) defaults to the
 *               number of inputs.
 *   input_keys  [borrowed, may be NULL] per input: NULL for positional, or
 *               the op input it fills ("data", "weight").  Positional inputs
 *               come first and fill the first slots.  Variadic ops take
 *               positional inputs only.
 *   inputs      [borrowed] num_inputs symbols, each with exactly one output.
 *               Slots left empty become new variables (see above).
 *   name        [borrowed, may be NULL] the node's name; NULL or "" for an
 *               automatic one.
 *   out         [out, new ref] the op's visible outputs.
 * Fails with KEY (unknown parameter or input name), VALUE (bad parameter
 * value, too many inputs, a multi-output input, an op-mutated input that is
 * not a variable), TYPE (keywords for a variadic op). */
MXL_API int mxl_symbol_create_op(const mxl_op_t* op, int32_t num_attrs,
                                 const char* const* keys,
                                 const char* const* vals, int32_t num_inputs,
                                 const char* const* input_keys,
                                 mxl_symbol_t* const* inputs, const char* name,
                                 mxl_symbol_t** out);

/* Release a symbol handle.  NULL is accepted.  The graph lives as long as a
 * symbol (or an executor) refers to it. */
MXL_API void mxl_symbol_free(mxl_symbol_t* sym);

/* A deep copy: new nodes with the same names, attributes and structure.
 *   out [out, new ref]. */
MXL_API int mxl_symbol_copy(const mxl_symbol_t* sym, mxl_symbol_t** out);

/* The outputs of num symbols, in order, as one symbol (MXNet's Group).
 *   symbols [borrowed] num > 0 handles.
 *   out     [out, new ref].
 * Fails with VALUE (num <= 0 or symbols NULL). */
MXL_API int mxl_symbol_group(int32_t num, mxl_symbol_t* const* symbols,
                             mxl_symbol_t** out);

/* Number of outputs [out]. */
MXL_API int mxl_symbol_num_outputs(const mxl_symbol_t* sym, int32_t* out);

/* Output index alone.  out [out, new ref].  Fails with INDEX. */
MXL_API int mxl_symbol_get_output(const mxl_symbol_t* sym, int32_t index,
                                  mxl_symbol_t** out);

/* Every variable and every visible op output of the graph, in graph order
 * (MXNet's get_internals).  out [out, new ref]. */
MXL_API int mxl_symbol_get_internals(const mxl_symbol_t* sym,
                                     mxl_symbol_t** out);

/* The inputs of the output nodes (MXNet's get_children); a symbol with no
 * outputs when those nodes are variables.  out [out, new ref]. */
MXL_API int mxl_symbol_get_children(const mxl_symbol_t* sym,
                                    mxl_symbol_t** out);

/* A copy of sym with variables replaced by symbols (MXNet's
 * Symbol.__call__): positional inputs (key NULL) replace the variables in
 * MXL_SYMBOL_INPUTS order, keyword inputs the variables of that name; not
 * both kinds in one call.
 *   input_keys [borrowed, may be NULL], inputs [borrowed] as in
 *              mxl_symbol_create_op.
 *   name       [borrowed, may be NULL] renames the head node when non-empty.
 *   out        [out, new ref].
 * Fails with KEY (no variable of that name), VALUE, TYPE (mixed kinds). */
MXL_API int mxl_symbol_compose(const mxl_symbol_t* sym, int32_t num_inputs,
                               const char* const* input_keys,
                               mxl_symbol_t* const* inputs, const char* name,
                               mxl_symbol_t** out);

/* Names as a JSON list of strings, e.g. ["data", "fc1_weight", "fc1_bias"].
 *   which one of MXL_SYMBOL_ARGUMENTS / _OUTPUTS / _AUXILIARY_STATES /
 *         _INPUTS.
 *   buf, cap, needed  as described at the top of this section.
 * Fails with VALUE (unknown kind, small buffer). */
MXL_API int mxl_symbol_list(const mxl_symbol_t* sym, int32_t which, char* buf,
                            uint64_t cap, uint64_t* needed);

/* One attribute of the head node (the symbol's outputs must all come from
 * one node; otherwise nothing is found).  The key "name" reads the node's
 * name; ctx_group, lr_mult, ... also find their "__key__" forms.
 *   key    [borrowed].
 *   found  [out] 1 if the attribute exists, else 0 (buf untouched, needed
 *          set to 0).
 *   buf, cap, needed  the value, as described at the top of this section.
 * Fails with VALUE (NULL key, small buffer). */
MXL_API int mxl_symbol_get_attr(const mxl_symbol_t* sym, const char* key,
                                int32_t* found, char* buf, uint64_t cap,
                                uint64_t* needed);

/* Set an attribute of the head node: "name" renames it, an op parameter is
 * parsed and checked (the node keeps its old value on failure), shorthand
 * keys are stored as "__key__".  The node is shared with every symbol
 * that contains it.
 *   key, value [borrowed].
 * Fails with VALUE (grouped symbol, bad value, deprecated
 * "<input>_lr_mult" keys), KEY (unknown op parameter). */
MXL_API int mxl_symbol_set_attr(mxl_symbol_t* sym, const char* key,
                                const char* value);

/* Attributes as JSON.  recursive == 0: the head node's attributes,
 * {"key": "value", ...}, with "__ctx_group__"-style keys also listed under
 * their short names.  recursive != 0: every node's,
 * {"node name": {"key": "value"}, ...} (nodes without attributes absent).
 *   buf, cap, needed  as described at the top of this section. */
MXL_API int mxl_symbol_list_attr(const mxl_symbol_t* sym, int32_t recursive,
                                 char* buf, uint64_t cap, uint64_t* needed);

/* Shape inference from known input shapes (MXNet's infer_shape and
 * infer_shape_partial: the result says whether it is complete).
 *   num_known  number of known values.
 *   names      [borrowed, may be NULL] the inputs (arguments or auxiliary
 *              states) the values belong to; NULL: the values are
 *              positional, in MXL_SYMBOL_ARGUMENTS order.
 *   ndims      [borrowed] num_known ranks; -1 for a value not given.
 *   dims       [borrowed] the extents of all values, concatenated; 0 is an
 *              unknown extent.  May be NULL when every ndim is <= 0.
 * Variables' "__shape__" attributes are used where no value is given.
 * Result: {"complete": bool, "arguments": [...], "outputs": [...],
 * "auxiliary_states": [...]}, each a list (in mxl_symbol_list order) of
 * shapes as lists of extents (0 = unknown extent) or null (unknown).
 *   buf, cap, needed  as described at the top of this section.
 * Fails with KEY (name not an input), VALUE (a shape conflict: the message
 * names the node, the input and both shapes; too many positional values). */
MXL_API int mxl_symbol_infer_shape(const mxl_symbol_t* sym, int32_t num_known,
                                   const char* const* names,
                                   const int32_t* ndims, const int64_t* dims,
                                   char* buf, uint64_t cap, uint64_t* needed);

/* Dtype inference, like mxl_symbol_infer_shape.
 *   dtypes [borrowed] num_known MXL_* dtype codes; -1 for a value not given.
 * Variables' "__dtype__" attributes are used where no value is given.
 * Result as for shapes with dtype names ("float32") or null.
 * Fails with KEY, TYPE (a dtype conflict or unsupported code). */
MXL_API int mxl_symbol_infer_type(const mxl_symbol_t* sym, int32_t num_known,
                                  const char* const* names,
                                  const int32_t* dtypes, char* buf,
                                  uint64_t cap, uint64_t* needed);

/* The symbol as MXNet 1.9 symbol JSON ("nodes", "arg_nodes",
 * "node_row_ptr", "heads", "attrs": {"mxnet_version": ["int", 10901]}).
 *   buf, cap, needed  as described at the top of this section. */
MXL_API int mxl_symbol_to_json(const mxl_symbol_t* sym, char* buf, uint64_t cap,
                               uint64_t* needed);

/* Read symbol JSON written by mxlite or by any MXNet release (older keys
 * "param"/"attr" and MXNet's version upgrades included).
 *   json [borrowed] NUL-terminated UTF-8.
 *   out  [out, new ref].
 * Fails with VALUE (malformed JSON, inconsistent graph), KEY (unknown
 * operator), the op's own errors for bad parameters (naming the node),
 * NOT_IMPLEMENTED (subgraph operators). */
MXL_API int mxl_symbol_from_json(const char* json, mxl_symbol_t** out);

/* Write / read a symbol JSON file.
 *   path [borrowed].  out [out, new ref].
 * Fail with VALUE (the file cannot be opened) and as mxl_symbol_from_json. */
MXL_API int mxl_symbol_save(const mxl_symbol_t* sym, const char* path);
MXL_API int mxl_symbol_load(const char* path, mxl_symbol_t** out);

/* A readable listing of the graph (MXNet's debug_str).
 *   buf, cap, needed  as described at the top of this section. */
MXL_API int mxl_symbol_debug_str(const mxl_symbol_t* sym, char* buf,
                                 uint64_t cap, uint64_t* needed);

/* -------------------------------------------------------------- executors */

/* A symbol bound to arrays (MXNet's Executor): forward runs the graph,
 * backward the gradient graph built from the ops' registered gradients.
 * Both are planned once at bind: intermediate values share memory blocks
 * (in-place along the ops' declared pairs, then reuse of freed blocks), and
 * arguments, gradient buffers, auxiliary states and outputs are never used
 * as scratch.  MXL_MEMORY_PLAN=0 turns planning off (every value its own
 * block), MXNET_EXEC_ENABLE_INPLACE=0 only the in-place part;
 * MXNET_BACKWARD_DO_MIRROR=1 recomputes cheap forward nodes in backward
 * (gradient checkpointing; per node: attribute __force_mirroring__="True").
 * These are read when an executor or a CachedOp graph is compiled.
 * An executor keeps its symbol and arrays alive; it is not thread-safe.
 * Every function taking an executor fails with INVALID_HANDLE for a NULL or
 * freed handle. */
typedef struct mxl_executor mxl_executor_t;

/* grad_req codes (MXNet's). */
#define MXL_GRAD_REQ_NULL 0  /* no gradient                            */
#define MXL_GRAD_REQ_WRITE 1 /* overwrite the gradient array            */
#define MXL_GRAD_REQ_ADD 3   /* add to the gradient array               */

/* mxl_executor_arrays kinds. */
#define MXL_EXECUTOR_ARGUMENTS 0
#define MXL_EXECUTOR_GRADIENTS 1
#define MXL_EXECUTOR_AUXILIARY_STATES 2
#define MXL_EXECUTOR_OUTPUTS 3

/* Bind sym to arrays, shared not copied (MXNet's Symbol.bind).
 *   args      [borrowed] num_args arrays, one per argument in
 *             MXL_SYMBOL_ARGUMENTS order (num_args must equal their count).
 *   grads     [borrowed, may be NULL] num_args gradient arrays (NULL
 *             entries where grad_req is null); NULL: no gradients.
 *   grad_reqs [borrowed, may be NULL] num_args MXL_GRAD_REQ_* codes; NULL:
 *             write where a gradient array is given, else null.
 *   aux       [borrowed, may be NULL when num_aux == 0] num_aux arrays, one
 *             per auxiliary state in MXL_SYMBOL_AUXILIARY_STATES order.
 *   out       [out, new ref] free with mxl_executor_free.
 * Fails with VALUE (counts, a shape the graph contradicts: the message
 * names the node and both shapes, a missing gradient array, an unknown
 * grad_req code), TYPE (dtypes), the ops' own errors naming the node. */
MXL_API int mxl_executor_bind(const mxl_symbol_t* sym, int32_t num_args,
                              mxl_array_t* const* args,
                              mxl_array_t* const* grads,
                              const int32_t* grad_reqs, int32_t num_aux,
                              mxl_array_t* const* aux, mxl_executor_t** out);

/* Bind with every array allocated (zero-filled) from shapes inferred from
 * the given ones (MXNet's simple_bind).
 *   num_shapes, shape_names, ndims, dims  [borrowed] known input shapes by
 *             name, as mxl_symbol_infer_shape takes them (names required).
 *   num_types, type_names, dtypes  [borrowed, may be NULL when num_types ==
 *             0] known dtypes by name (MXL_* codes); the rest are inferred,
 *             float32 when nothing says.
 *   grad_reqs [borrowed, may be NULL] one MXL_GRAD_REQ_* per argument
 *             (MXL_SYMBOL_ARGUMENTS order); NULL: write for every argument.
 *   out       [out, new ref].
 * Fails with VALUE (shapes that stay incomplete: the message lists the
 * inputs; conflicts), KEY (a name that is not an input), TYPE. */
MXL_API int mxl_executor_simple_bind(const mxl_symbol_t* sym,
                                     int32_t num_shapes,
                                     const char* const* shape_names,
                                     const int32_t* ndims, const int64_t* dims,
                                     int32_t num_types,
                                     const char* const* type_names,
                                     const int32_t* dtypes,
                                     const int32_t* grad_reqs,
                                     mxl_executor_t** out);

/* Release an executor.  NULL is accepted.  Arrays handed out by
 * mxl_executor_arrays stay valid. */
MXL_API void mxl_executor_free(mxl_executor_t* exec);

/* Run the forward graph.  is_train: training mode for the kernels
 * (Dropout, BatchNorm's batch statistics and moving-stat updates).
 * Kernel errors surface at sync points, as for eager ops. */
MXL_API int mxl_executor_forward(mxl_executor_t* exec, int32_t is_train);

/* Run the backward graph; gradients land in the gradient arrays per
 * grad_req.  Needs a preceding forward; the gradient graph is built for
 * training mode (after a forward with is_train = 0, BatchNorm's gradient
 * still assumes batch statistics).
 *   out_grads [borrowed, may be NULL] num_out_grads (0 or the number of
 *             outputs) head gradients; NULL (or a NULL entry) means ones.
 * Fails with VALUE (no forward yet, counts, shapes), TYPE. */
MXL_API int mxl_executor_backward(mxl_executor_t* exec, int32_t num_out_grads,
                                  mxl_array_t* const* out_grads,
                                  int32_t is_train);

/* The executor's arrays of one kind (MXL_EXECUTOR_*).
 *   count  [out] how many there are (arguments / auxiliary states /
 *          outputs in the symbol's list order; gradients one per argument).
 *   out    [caller buffer, may be NULL when cap == 0] cap slots, filled
 *          with count [new ref] handles (NULL for an argument without
 *          gradient array).  Outputs are the same arrays after every
 *          forward.
 * Fails with VALUE (unknown kind; cap non-zero but smaller than count,
 * nothing written). */
MXL_API int mxl_executor_arrays(const mxl_executor_t* exec, int32_t which,
                                int32_t cap, mxl_array_t** out,
                                int32_t* count);

/* A new executor for other input shapes (MXNet's Executor.reshape):
 * arrays whose shape is unchanged are shared, others are new (zeros).
 *   num, names, ndims, dims [borrowed] the new shapes by name, as in
 *             mxl_executor_simple_bind.
 *   partial_shaping  0: an argument not named that changes shape is a
 *             VALUE error.
 *   allow_up_sizing  0: an array that grows is a VALUE error.
 *   out       [out, new ref]. */
MXL_API int mxl_executor_reshape(const mxl_executor_t* exec, int32_t num,
                                 const char* const* names,
                                 const int32_t* ndims, const int64_t* dims,
                                 int32_t partial_shaping,
                                 int32_t allow_up_sizing,
                                 mxl_executor_t** out);

/* The memory plan [out, any may be NULL]:
 *   planned  bytes of the planned blocks for intermediate values;
 *   naive    bytes those values take with one buffer each;
 *   mirrored forward nodes recomputed in backward (checkpointing). */
MXL_API int mxl_executor_memory(const mxl_executor_t* exec, int64_t* planned,
                                int64_t* naive, int32_t* mirrored);

/* ------------------------------------------------------------- cached ops */

/* A symbol compiled once and invoked like one op (MXNet's CachedOp, what
 * Gluon's hybridize runs).  While autograd records and an input is a
 * tracked argument, a call is recorded as ONE tape node whose backward runs
 * the planned gradient graph.  In training mode auxiliary states
 * (BatchNorm's moving statistics) are updated in place.  Memory planning
 * and checkpointing as for executors. */
typedef struct mxl_cached_op mxl_cached_op_t;

/* Compile sym.
 *   keys, vals [borrowed] num_flags flags in MXNet's text form:
 *              static_alloc ("true"/"false": keep the planned memory across
 *              calls; a second call reuses the first call's memory, so run
 *              backward of a recorded call before calling again),
 *              static_shape (inputs keep their shapes; other shapes are
 *              compiled again either way), data_indices, param_indices,
 *              forward_bulk_size, backward_bulk_size, inline_limit
 *              (accepted, not needed).
 *   out        [out, new ref] free with mxl_cached_op_free.
 * Fails with KEY (unknown flag), VALUE (bad value, no outputs). */
MXL_API int mxl_cached_op_create(const mxl_symbol_t* sym, int32_t num_flags,
                                 const char* const* keys,
                                 const char* const* vals,
                                 mxl_cached_op_t** out);

/* Release a cached op.  NULL is accepted; recorded calls keep what their
 * backward needs. */
MXL_API void mxl_cached_op_free(mxl_cached_op_t* op);

/* Number of inputs (the symbol's MXL_SYMBOL_INPUTS) and outputs [out, may
 * be NULL]. */
MXL_API int mxl_cached_op_num_io(const mxl_cached_op_t* op,
                                 int32_t* num_inputs, int32_t* num_outputs);

/* Run the graph.
 *   inputs      [borrowed] num_inputs arrays in the symbol's
 *               MXL_SYMBOL_INPUTS order (arguments and auxiliary states as
 *               the graph meets them).
 *   num_outputs [in/out] in: the capacity of outputs; out: the number of
 *               outputs written.
 *   outputs     [caller buffer] filled with [new ref] handles to fresh
 *               arrays.
 * Fails with VALUE (input count, capacity smaller than the number of
 * outputs, shapes the graph contradicts), TYPE, INVALID_HANDLE. */
MXL_API int mxl_cached_op_invoke(mxl_cached_op_t* op, int32_t num_inputs,
                                 mxl_array_t* const* inputs,
                                 int32_t* num_outputs, mxl_array_t** outputs);

/* The memory plan of the graph the last call ran [out, any may be NULL],
 * as mxl_executor_memory; zeros before the first call. */
MXL_API int mxl_cached_op_memory(const mxl_cached_op_t* op, int64_t* planned,
                                 int64_t* naive, int32_t* mirrored);

/* ----------------------------------------------------------------- engine */

/* Select the engine for arrays and ops created from now on: "ThreadedEngine"
 * (the default, dependency-scheduled on a worker pool) or "NaiveEngine"
 * (every op runs synchronously when pushed, for debugging).  The environment
 * variables MXNET_ENGINE_TYPE / MXL_ENGINE_TYPE select it at load.  Waits for
 * all pending ops first.
 *   name [borrowed].
 * Fails with KEY (unknown engine name), RUNTIME (pending op failed). */
MXL_API int mxl_engine_set_type(const char* name);

/* Name of the current engine, copied like mxl_last_error's message. */
MXL_API int mxl_engine_type(char* buf, uint64_t cap, uint64_t* needed);

/* ------------------------------------------------------------------ files */

/* Lists of arrays in MXNet's NDArray file format (.params files,
 * mx.nd.save / mx.nd.load): little-endian, a header, the arrays, then either
 * no names (a "list" file) or one name per array (a "dict" file).  Files
 * written by any MXNet release load here, and MXNet 1.x loads what mxlite
 * writes (0-d arrays excepted: they use MXNet's numpy-shape record, which
 * MXNet reads only in numpy-shape mode).
 *
 * "none" arrays (MXNet's records for arrays never allocated) load as NULL
 * handles, and a NULL handle is saved as a none record.  Dtypes MXNet writes
 * but mxlite lacks load widened exactly: bfloat16 as float32, int16 and
 * uint16 as int32, uint32 and uint64 as int64 (VALUE if a uint64 does not
 * fit).  Arrays load on the CPU whatever device saved them.
 *
 * Malformed input (truncated, wrong magic, unknown dtype flag, inconsistent
 * counts) fails with VALUE naming the file (or "buffer"), the byte offset and
 * what was expected; nothing past the end of the input is ever read.  Sparse
 * arrays fail with NOT_IMPLEMENTED.  Saving waits for pending writes to the
 * arrays and fails with RUNTIME if one of them failed. */
typedef struct mxl_array_list mxl_array_list_t; /* opaque, counts as a live handle */

/* Write num arrays to a file (created or truncated).
 *   arrays [borrowed] num handles; NULL entries are saved as none arrays.
 *   names  [borrowed, may be NULL] NULL writes a list file; otherwise num
 *          UTF-8 names (a dict file; names may repeat, as in MXNet).
 * Fails with VALUE (num < 0, NULL name, file cannot be opened or written:
 * the message names the path and the system's reason), INVALID_HANDLE,
 * RUNTIME. */
MXL_API int mxl_arrays_save(const char* path, int32_t num, mxl_array_t* const* arrays,
                            const char* const* names);

/* The same bytes into a caller buffer.
 *   buf    [caller buffer, may be NULL when cap == 0] receives the file
 *          contents when cap >= the size.
 *   needed [out, may be NULL] the size in bytes.
 * With cap == 0 only the size is computed (query it first).  Fails with
 * VALUE when cap is non-zero but too small (buf and needed untouched) and as
 * mxl_arrays_save. */
MXL_API int mxl_arrays_save_buffer(int32_t num, mxl_array_t* const* arrays,
                                   const char* const* names, void* buf, uint64_t cap,
                                   uint64_t* needed);

/* Read a file / a memory block.
 *   path [borrowed].  data [borrowed] size bytes.
 *   out  [out, new ref] the arrays and names; free with
 *        mxl_array_list_free.  Handles taken from it with
 *        mxl_array_list_get are separate references and outlive it.
 * Fails with VALUE (cannot open, malformed), NOT_IMPLEMENTED (sparse),
 * OUT_OF_MEMORY. */
MXL_API int mxl_arrays_load(const char* path, mxl_array_list_t** out);
MXL_API int mxl_arrays_load_buffer(const void* data, uint64_t size, mxl_array_list_t** out);

/* Number of arrays [out] and has_names [out]: 1 for a dict file, 0 for a
 * list file.  Fails with INVALID_HANDLE. */
MXL_API int mxl_array_list_size(const mxl_array_list_t* list, int32_t* num, int32_t* has_names);

/* The index-th array and its name.
 *   out    [out, new ref] the array, or NULL for a none array.
 *   name   [caller buffer, may be NULL when cap == 0] the name (NUL
 *          terminated; "" in a list file), copied as mxl_last_error copies
 *          its message; needed [out, may be NULL] its size including the NUL.
 * Fails with INVALID_HANDLE, INDEX (index out of range), VALUE (cap
 * non-zero but too small: nothing is written, out included). */
MXL_API int mxl_array_list_get(const mxl_array_list_t* list, int32_t index, mxl_array_t** out,
                               char* name, uint64_t cap, uint64_t* needed);

/* Release a list.  NULL is accepted.  Arrays already taken stay valid. */
MXL_API void mxl_array_list_free(mxl_array_list_t* list);

/* ----------------------------------------------------------------- random */

/* Seed the global random generator used by random ops; the same seed gives
 * the same sequence of random arrays. Cannot fail. */
MXL_API int mxl_random_seed(uint64_t seed);

/* --------------------------------------------------------------- counters */

/* Handles of every kind (arrays, ops, symbols) created and not yet freed
 * [out]. */
MXL_API int mxl_live_handles(int64_t* count);

/* Storage counters [out, any may be NULL]:
 *   in_use  bytes held by live storage chunks;
 *   peak    highest in_use since load or the last mxl_storage_reset_peak;
 *   pooled  bytes freed by arrays and cached for reuse. */
MXL_API int mxl_storage_stats(int64_t* in_use, int64_t* peak, int64_t* pooled);

/* Return every cached block to the system; pooled drops to 0.  Waits for
 * pending ops first.  Fails with RUNTIME if one of them failed. */
MXL_API int mxl_storage_release_pooled(void);

/* Set peak to the current in_use. */
MXL_API int mxl_storage_reset_peak(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MXL_C_API_H_ */
