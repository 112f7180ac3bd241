package org.mxlite.jni;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The C ABI of libmxlite (include/c_api.h) through JNA direct mapping.
 *
 * <p>Java rather than Scala because JNA's direct mapping binds {@code static native}
 * methods, which Scala 2 cannot declare; direct mapping costs a fraction of a
 * microsecond per call where JNA's interface proxies cost several, and every op
 * call goes through here.  Handles ({@code mxl_array_t*} etc.) travel as
 * {@code long}: the binding checks at load that pointers are 64-bit, so a
 * {@code long[]} is exactly a C array of handles.  Strings that the C side keeps
 * only for the call are passed as addresses of NUL-terminated buffers the caller
 * keeps alive (see org.mxlite.Invoke).  Only the core sections live here; later
 * sections (.params files, CachedOp) are in their own classes so this one
 * registers against any library of the same major version.
 */
public final class CApi {
  private CApi() {}

  /** Bind every native method below to the library at path. */
  public static synchronized void register(NativeLibrary lib) {
    Native.register(CApi.class, lib);
  }

  // version and errors
  public static native int mxl_version();
  public static native int mxl_last_error(int[] kind, byte[] buf, long cap, long[] needed);

  // arrays
  public static native int mxl_array_create(long[] shape, int ndim, int dtype, int deviceType,
                                            int deviceId, long[] out);
  public static native void mxl_array_free(long arr);
  public static native int mxl_array_info(long arr, int[] ndim, long[] shape, int cap, int[] dtype);
  public static native int mxl_array_size(long arr, long[] size, long[] nbytes);
  public static native int mxl_array_copy_from_host(long arr, float[] data, long nbytes);
  public static native int mxl_array_copy_from_host(long arr, double[] data, long nbytes);
  public static native int mxl_array_copy_from_host(long arr, int[] data, long nbytes);
  public static native int mxl_array_copy_from_host(long arr, long[] data, long nbytes);
  public static native int mxl_array_copy_from_host(long arr, byte[] data, long nbytes);
  public static native int mxl_array_copy_to_host(long arr, float[] data, long nbytes);
  public static native int mxl_array_copy_to_host(long arr, double[] data, long nbytes);
  public static native int mxl_array_copy_to_host(long arr, int[] data, long nbytes);
  public static native int mxl_array_copy_to_host(long arr, long[] data, long nbytes);
  public static native int mxl_array_copy_to_host(long arr, byte[] data, long nbytes);
  public static native int mxl_array_reshape_view(long arr, long[] shape, int ndim, long[] out);
  public static native int mxl_array_slice_view(long arr, long begin, long end, long[] out);
  public static native int mxl_array_at_view(long arr, long index, long[] out);
  public static native int mxl_array_wait_to_read(long arr);
  public static native int mxl_wait_all();

  // registry and invoke
  public static native int mxl_registry_json(byte[] buf, long cap, long[] needed);
  public static native int mxl_op_get(byte[] name, long[] out);
  public static native void mxl_op_free(long op);
  /** keys and vals are C arrays of char* (addresses of live NUL-terminated buffers). */
  public static native int mxl_invoke(long op, int numInputs, long[] inputs, int numAttrs,
                                      long[] keys, long[] vals, int[] numOutputs, long[] outputs);

  // autograd
  public static native int mxl_autograd_set_recording(int recording, int[] prev);
  public static native int mxl_autograd_set_training(int training, int[] prev);
  public static native int mxl_autograd_is_recording(int[] out);
  public static native int mxl_autograd_is_training(int[] out);
  public static native int mxl_autograd_mark_variables(int num, long[] vars, int[] gradReqs,
                                                       long[] grads);
  public static native int mxl_array_grad(long arr, long[] out);
  public static native int mxl_array_detach(long arr, long[] out);
  public static native int mxl_array_has_history(long arr, int[] out);
  public static native int mxl_autograd_backward(int numHeads, long[] heads, long[] headGrads,
                                                 int retainGraph, int trainMode);
  public static native int mxl_autograd_grad(int numHeads, long[] heads, long[] headGrads,
                                             int numVars, long[] vars, int retainGraph,
                                             int createGraph, int trainMode, long[] grads);

  // symbols (the subset inference needs)
  public static native int mxl_symbol_load(byte[] path, long[] out);
  public static native int mxl_symbol_from_json(byte[] json, long[] out);
  public static native void mxl_symbol_free(long sym);
  public static native int mxl_symbol_list(long sym, int which, byte[] buf, long cap, long[] needed);
  public static native int mxl_symbol_to_json(long sym, byte[] buf, long cap, long[] needed);

  // engine, random, counters
  public static native int mxl_engine_set_type(byte[] name);
  public static native int mxl_random_seed(long seed);
  public static native int mxl_live_handles(long[] count);
  public static native int mxl_storage_stats(long[] inUse, long[] peak, long[] pooled);
}
