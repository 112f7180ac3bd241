package org.mxlite

import java.io.File
import java.nio.charset.StandardCharsets

import com.sun.jna.{Native, NativeLibrary}
import org.mxlite.jni.CApi

/** Loading libmxlite, the version check and the error path shared by every call.
  *
  * The library is found, in order, at the system property `mxlite.library`, the
  * environment variable `MXLITE_LIBRARY`, `build/libmxlite.so` in the current
  * directory or one of its parents (a checkout of the repository), and finally
  * by name on JNA's search path (`jna.library.path`, `LD_LIBRARY_PATH`). */
object Base {
  /** The major version this binding was written against (MXL_VERSION_MAJOR). */
  val SupportedMajor: Int = 0

  /** The path (or name) the library was loaded from. */
  lazy val libraryPath: String = locate()

  private def locate(): String = {
    val explicit = Option(System.getProperty("mxlite.library")).filter(_.nonEmpty)
      .orElse(Option(System.getenv("MXLITE_LIBRARY")).filter(_.nonEmpty))
    explicit.getOrElse {
      var dir = new File(System.getProperty("user.dir")).getAbsoluteFile
      var found: Option[String] = None
      while (dir != null && found.isEmpty) {
        val f = new File(dir, "build/libmxlite.so")
        if (f.isFile) found = Some(f.getPath)
        dir = dir.getParentFile
      }
      found.getOrElse("mxlite")
    }
  }

  /** Library version as MXL_VERSION encodes it (major * 10000 + minor * 100 + patch). */
  lazy val libraryVersion: Int = { ensureLoaded(); CApi.mxl_version() }

  private lazy val loaded: NativeLibrary = {
    if (Native.POINTER_SIZE != 8)
      throw new UnsatisfiedLinkError("mxlite's Scala binding needs a 64-bit JVM (handles are passed as long)")
    val lib = try NativeLibrary.getInstance(libraryPath) catch {
      case e: UnsatisfiedLinkError =>
        val err = new UnsatisfiedLinkError(s"cannot load libmxlite from '$libraryPath' " +
          "(set MXLITE_LIBRARY or -Dmxlite.library to the library's path): " + e.getMessage)
        err.initCause(e)
        throw err
    }
    CApi.register(lib)
    val v = CApi.mxl_version()
    if (v / 10000 != SupportedMajor)
      throw new UnsatisfiedLinkError(s"libmxlite at '$libraryPath' is version ${v / 10000}.${v / 100 % 100}." +
        s"${v % 100}; this binding needs major version $SupportedMajor")
    lib
  }

  /** Bind a later section of the C ABI (a class of static natives) on first use.
    * A library of the same major version without it fails with NOT_IMPLEMENTED
    * naming the feature, instead of breaking the whole binding at load. */
  private[mxlite] def registerSection(what: String)(register: NativeLibrary => Unit): Unit =
    try register(loaded) catch {
      case e: UnsatisfiedLinkError =>
        throw MXNetError(ErrorKind.NotImplemented,
          s"$what needs a newer libmxlite than '$libraryPath': ${e.getMessage}")
    }

  /** Load and check the library once; every object that calls the C ABI calls this first. */
  def ensureLoaded(): Unit = { loaded; () }

  /** The calling thread's last core error as an exception. */
  def lastError(): MXNetError = {
    val kind = new Array[Int](1)
    val needed = new Array[Long](1)
    var buf = new Array[Byte](512)
    CApi.mxl_last_error(kind, buf, buf.length.toLong, needed)
    if (needed(0) > buf.length) {
      buf = new Array[Byte](needed(0).toInt)
      CApi.mxl_last_error(kind, buf, buf.length.toLong, needed)
    }
    new MXNetError(ErrorKind.fromCode(kind(0)), cString(buf))
  }

  /** Throw the last error when a C call returned a non-zero status. */
  @inline def check(rc: Int): Unit = if (rc != 0) throw lastError()

  /** NUL-terminated UTF-8 bytes of s, as the C ABI takes strings. */
  def cBytes(s: String): Array[Byte] = {
    val b = s.getBytes(StandardCharsets.UTF_8)
    java.util.Arrays.copyOf(b, b.length + 1)
  }

  /** C strings for an array of `const char*`: their addresses, and the buffers,
    * which the caller keeps reachable until the C call returned. */
  private[mxlite] def cStringArray(xs: Seq[String]): (Array[Long], Seq[com.sun.jna.Memory]) = {
    val mems = xs.map { x =>
      val b = cBytes(x)
      val m = new com.sun.jna.Memory(b.length.toLong)
      m.write(0, b, 0, b.length)
      m
    }
    (mems.map(m => com.sun.jna.Pointer.nativeValue(m)).toArray, mems)
  }

  /** The string in a NUL-terminated UTF-8 buffer. */
  def cString(buf: Array[Byte]): String = {
    var n = 0
    while (n < buf.length && buf(n) != 0) n += 1
    new String(buf, 0, n, StandardCharsets.UTF_8)
  }

  /** A string result of the C ABI's size-query pattern (buf, cap, needed). */
  private[mxlite] def copyString(call: (Array[Byte], Long, Array[Long]) => Int): String = {
    val needed = new Array[Long](1)
    check(call(null, 0L, needed))
    val buf = new Array[Byte](needed(0).toInt max 1)
    check(call(buf, buf.length.toLong, needed))
    cString(buf)
  }
}
