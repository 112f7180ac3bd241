package org.mxlite

import java.util.concurrent.ConcurrentHashMap

import com.sun.jna.{Memory, Pointer}
import org.mxlite.jni.CApi

/** The one path from Scala to mxl_invoke, kept lean: every op call runs it.
  *
  * Generated op methods call `Invoke.begin(opName)`, add inputs and attributes
  * to the calling thread's reusable Call, then `run`.  Op handles are looked up
  * once per name and kept for the process's life (op handles live as long as
  * the process anyway).  Attribute names and values cross as addresses of cached
  * NUL-terminated buffers: a training loop sends the same few strings call after
  * call, and building native strings costs more than the op. */
private[mxlite] object Invoke {
  Base.ensureLoaded()

  private val ops = new ConcurrentHashMap[String, java.lang.Long]()

  def op(name: String): Long = {
    val h = ops.get(name)
    if (h != null) h.longValue else ops.synchronized {
      val again = ops.get(name)
      if (again != null) again.longValue else {
        val out = new Array[Long](1)
        Base.check(CApi.mxl_op_get(Base.cBytes(name), out))
        ops.put(name, out(0))
        out(0)
      }
    }
  }

  /** How many op handles are cached (they live as long as the process). */
  def cachedOps: Int = ops.size

  // Bounded, so arbitrary values (scalars) cannot grow it forever; beyond the
  // bound a call allocates its strings and keeps them until it returns.
  private val CacheLimit = 4096
  private val strings = new ConcurrentHashMap[String, Memory]()

  private def newCString(s: String): Memory = {
    val b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8)
    val m = new Memory(b.length + 1L)
    m.write(0, b, 0, b.length)
    m.setByte(b.length.toLong, 0)
    m
  }

  private val tls = new ThreadLocal[Call] { override def initialValue(): Call = new Call }

  /** The calling thread's Call, reset for op `name`. */
  def begin(name: String): Call = {
    val c = tls.get()
    c.reset(name, op(name))
    c
  }

  /** One call being assembled.  Inputs are kept referenced until the call
    * returns, so the Cleaner cannot free a handle the core is reading. */
  final class Call {
    private[Invoke] var opName: String = _
    private var opHandle = 0L
    private var inHandles = new Array[Long](8)
    private var inRefs = new Array[NDArray](8)
    private var nIn = 0
    private var keys = new Array[Long](16)
    private var vals = new Array[Long](16)
    private var nAttr = 0
    private val temps = new java.util.ArrayList[Memory]()
    private val numOut = new Array[Int](1)
    private var outs = new Array[Long](16)

    private[Invoke] def reset(name: String, h: Long): Unit = {
      finish()  // a call that failed while being assembled leaves references behind
      opName = name; opHandle = h; nIn = 0; nAttr = 0
    }

    private def cstr(s: String): Long = {
      var m = strings.get(s)
      if (m == null) {
        m = newCString(s)
        if (strings.size < CacheLimit) {
          val prev = strings.putIfAbsent(s, m)
          if (prev != null) m = prev
        } else temps.add(m)
      }
      Pointer.nativeValue(m)
    }

    /** An input; null (not given) is skipped, as the Python binding skips None. */
    def in(x: NDArray, argName: String): Call = {
      if (x != null) {
        val h = x.handleFor(opName, argName)
        if (nIn == inHandles.length) {
          inHandles = java.util.Arrays.copyOf(inHandles, nIn * 2)
          inRefs = java.util.Arrays.copyOf(inRefs, nIn * 2)
        }
        inHandles(nIn) = h
        inRefs(nIn) = x
        nIn += 1
      }
      this
    }

    /** Every array of a variadic input. */
    def inSeq(xs: Seq[NDArray], argName: String): Call = {
      if (xs == null) throw MXNetError(ErrorKind.Value, s"Operator $opName: argument '$argName' " +
        "must be a sequence of NDArrays, got null")
      var i = 0
      xs.foreach { x =>
        if (x == null) throw MXNetError(ErrorKind.Value,
          s"Operator $opName: argument '$argName' entry $i is null")
        in(x, s"$argName[$i]")
        i += 1
      }
      this
    }

    def numInputs: Int = nIn

    def attr(key: String, value: String): Call = {
      if (nAttr == keys.length) {
        keys = java.util.Arrays.copyOf(keys, nAttr * 2)
        vals = java.util.Arrays.copyOf(vals, nAttr * 2)
      }
      keys(nAttr) = cstr(key)
      vals(nAttr) = cstr(value)
      nAttr += 1
      this
    }

    private def finish(): Unit = {
      java.util.Arrays.fill(inRefs.asInstanceOf[Array[AnyRef]], 0, nIn, null)
      if (!temps.isEmpty) temps.clear()
    }

    /** Runs the op; capacity outputs, dest the preallocated outputs (or null).
      * Returns how many outputs the op produced; they are in outs(0 until n). */
    private def exec(capacity: Int, dest: Seq[NDArray]): Int = {
      val cap = capacity max 1 max (if (dest == null) 0 else dest.length)
      if (outs.length < cap) outs = new Array[Long](cap)
      java.util.Arrays.fill(outs, 0, cap, 0L)
      if (dest != null) {
        var i = 0
        dest.foreach { d =>
          if (d != null) outs(i) = d.handleFor(opName, "out")
          i += 1
        }
      }
      numOut(0) = cap
      val rc = try CApi.mxl_invoke(opHandle, nIn, inHandles, nAttr, keys, vals, numOut, outs)
      finally {
        if (dest != null) java.lang.ref.Reference.reachabilityFence(dest)
        finish()
      }
      if (rc != 0) throw Base.lastError()
      numOut(0)
    }

    private def wrapOut(i: Int, dest: Seq[NDArray]): NDArray =
      if (dest != null && i < dest.length && dest(i) != null) dest(i) else new NDArray(outs(i))

    /** An op with one visible output: returns it (or `out`, written in place). */
    def run(out: NDArray): NDArray = {
      val dest = if (out == null) null else Seq(out)
      val n = exec(1, dest)
      val r = wrapOut(0, dest)
      var i = 1
      while (i < n) { CApi.mxl_array_free(outs(i)); i += 1 }  // cannot happen for a 1-output op
      r
    }

    /** An op that may have several visible outputs. */
    def runMulti(out: Seq[NDArray], capacity: Int): NDArrayFuncReturn = {
      val n = exec(capacity max 16, out)
      val res = new Array[NDArray](n)
      var i = 0
      while (i < n) { res(i) = wrapOut(i, out); i += 1 }
      new NDArrayFuncReturn(res.toIndexedSeq)
    }
  }

  /** Text forms of attribute values the generated code formats. */
  @inline def bool(b: Boolean): String = if (b) "True" else "False"
}
