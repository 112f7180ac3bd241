package org.mxlite.jni;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The .params files section of include/c_api.h (JNA direct
 * mapping, conventions as in {@link CApi}).  Registered on first use, so a
 * library without these sections still serves everything else.
 */
public final class CApiFiles {
  private CApiFiles() {}

  private static boolean registered;

  public static synchronized void register(NativeLibrary lib) {
    if (!registered) {
      Native.register(CApiFiles.class, lib);
      registered = true;
    }
  }

  // .params files (MXNet's nd.save / nd.load format)
  public static native int mxl_arrays_save(byte[] path, int num, long[] arrays, long[] names);
  public static native int mxl_arrays_load(byte[] path, long[] out);
  public static native int mxl_array_list_size(long list, int[] num, int[] hasNames);
  public static native int mxl_array_list_get(long list, int index, long[] out, byte[] name,
                                              long cap, long[] needed);
  public static native void mxl_array_list_free(long list);
}
