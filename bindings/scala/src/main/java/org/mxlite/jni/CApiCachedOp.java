package org.mxlite.jni;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The CachedOp section of include/c_api.h (JNA direct
 * mapping, conventions as in {@link CApi}).  Registered on first use, so a
 * library without these sections still serves everything else.
 */
public final class CApiCachedOp {
  private CApiCachedOp() {}

  private static boolean registered;

  public static synchronized void register(NativeLibrary lib) {
    if (!registered) {
      Native.register(CApiCachedOp.class, lib);
      registered = true;
    }
  }

  // cached ops (a symbol compiled once and called like one op)
  public static native int mxl_cached_op_create(long sym, int numFlags, long[] keys, long[] vals,
                                                long[] out);
  public static native void mxl_cached_op_free(long op);
  public static native int mxl_cached_op_num_io(long op, int[] numInputs, int[] numOutputs);
  public static native int mxl_cached_op_invoke(long op, int numInputs, long[] inputs,
                                                int[] numOutputs, long[] outputs);
}
