package org.mxlite

import org.mxlite.jni.{CApi, CApiFiles}

/** An n-dimensional array of the mxlite core (MXNet's NDArray).
  *
  * Arrays are C-order (row-major): `NDArray.array(Array(1f, 2f, 3f, 4f, 5f, 6f), Shape(2, 3))`
  * has rows (1, 2, 3) and (4, 5, 6), and `toArray` returns the elements in that order.
  * Ops run asynchronously; reading (`toArray`, `waitToRead`) waits for them and
  * raises their errors.  The native handle is freed when the array is garbage
  * collected, or at once by `dispose()`/`close()` (try-with-resources style code,
  * `scala.util.Using`).  Common ops are also methods (`x.sum(axis = 1)`, `x.relu()`).
  * Every op is a method of [[NDArray$ object NDArray]] (also
  * reachable as `nd`): `nd.FullyConnected(x, w, b, numHidden = 10)`. */
final class NDArray private[mxlite] (handle0: Long) extends AutoCloseable with GeneratedFluent {
  private[mxlite] val ref: Handle = new Handle(handle0, h => CApi.mxl_array_free(h)).attach(this)
  private var shapeCache: Shape = _
  private var dtypeCache: DType = _

  /** The raw handle; fails with INVALID_HANDLE once disposed. */
  def handle: Long = handleFor(null, null)

  private[mxlite] def handleFor(op: String, arg: String): Long = {
    val h = ref.peek
    if (h == 0L) {
      val where = if (op == null) "" else s"Operator $op: argument '$arg' is "
      throw MXNetError(ErrorKind.InvalidHandle, s"${where}an NDArray that has been disposed")
    }
    h
  }

  /** Free the native handle now (the storage itself stays alive while views or
    * pending ops use it).  Later use raises MXNetError(INVALID_HANDLE).  Idempotent. */
  def dispose(): Unit = ref.release()
  override def close(): Unit = dispose()
  def isDisposed: Boolean = ref.peek == 0L

  private def loadInfo(): Unit = {
    val h = handle
    val ndim = new Array[Int](1)
    val dims = new Array[Long](32)
    val dt = new Array[Int](1)
    Base.check(CApi.mxl_array_info(h, ndim, dims, dims.length, dt))
    java.lang.ref.Reference.reachabilityFence(this)
    shapeCache = Shape.fromLongs(java.util.Arrays.copyOf(dims, ndim(0)))
    dtypeCache = DType.fromCode(dt(0))
  }

  def shape: Shape = { if (shapeCache == null) loadInfo(); shapeCache }
  def dtype: DType = { if (dtypeCache == null) loadInfo(); dtypeCache }
  def ndim: Int = shape.length
  def size: Long = shape.product

  /** Block until pending writes finished; raises an asynchronous op error. */
  def waitToRead(): Unit = {
    Base.check(CApi.mxl_array_wait_to_read(handle))
    java.lang.ref.Reference.reachabilityFence(this)
  }

  private def elements: Int = {
    val n = size
    if (n > Int.MaxValue) throw MXNetError(ErrorKind.Value, s"array of $n elements does not fit a JVM array")
    n.toInt
  }

  /** This array converted to dtype (itself when it already has it). */
  private def as(dt: DType): NDArray = if (dtype == dt) this else asType(dt)

  private def withHandle[T](dt: DType)(f: Long => Int): Unit = {
    val a = as(dt)
    try Base.check(f(a.handle))
    finally {
      java.lang.ref.Reference.reachabilityFence(a)
      if (a ne this) a.dispose()
    }
  }

  /** The elements in C order as Float (converted when the dtype differs). */
  def toArray: Array[Float] = {
    val out = new Array[Float](elements)
    withHandle(DType.Float32)(h => CApi.mxl_array_copy_to_host(h, out, out.length * 4L))
    out
  }
  def toFloat64Array: Array[Double] = {
    val out = new Array[Double](elements)
    withHandle(DType.Float64)(h => CApi.mxl_array_copy_to_host(h, out, out.length * 8L))
    out
  }
  def toInt32Array: Array[Int] = {
    val out = new Array[Int](elements)
    withHandle(DType.Int32)(h => CApi.mxl_array_copy_to_host(h, out, out.length * 4L))
    out
  }
  def toInt64Array: Array[Long] = {
    val out = new Array[Long](elements)
    withHandle(DType.Int64)(h => CApi.mxl_array_copy_to_host(h, out, out.length * 8L))
    out
  }
  /** The elements as unsigned bytes (uint8), stored in JVM bytes. */
  def toUInt8Array: Array[Byte] = {
    val out = new Array[Byte](elements)
    withHandle(DType.UInt8)(h => CApi.mxl_array_copy_to_host(h, out, out.length.toLong))
    out
  }

  /** The only element of a one-element array. */
  def toScalar: Float = {
    if (size != 1) throw MXNetError(ErrorKind.Value, s"toScalar needs a one-element array, got shape $shape")
    toArray(0)
  }

  /** Overwrite the elements (C order); the array must be float32 of that size. */
  def set(data: Array[Float]): NDArray = {
    if (dtype != DType.Float32)
      throw MXNetError(ErrorKind.Type, s"set(Array[Float]) needs a float32 array, this one is $dtype")
    if (data.length.toLong != size)
      throw MXNetError(ErrorKind.Value, s"set: ${data.length} values for an array of shape $shape")
    Base.check(CApi.mxl_array_copy_from_host(handle, data, data.length * 4L))
    this
  }

  /** Set every element to value. */
  def set(value: Float): NDArray = NDArray.internal._full(shape = shape, value = value, dtype = dtype, out = this)

  // ---- views (share storage with this array)
  private def view(f: Array[Long] => Int): NDArray = {
    val out = new Array[Long](1)
    Base.check(f(out))
    java.lang.ref.Reference.reachabilityFence(this)
    new NDArray(out(0))
  }

  /** A view with another shape (same size; 0 and -1 as in MXNet's Reshape). */
  def reshape(newShape: Shape): NDArray = view(o => CApi.mxl_array_reshape_view(handle, newShape.toLongArray, newShape.length, o))
  /** Rows [begin, end) of the first axis, as a view. */
  def slice(begin: Long, end: Long): NDArray = view(o => CApi.mxl_array_slice_view(handle, begin, end, o))
  /** Row i of the first axis with that axis dropped, as a view. */
  def at(i: Long): NDArray = view(o => CApi.mxl_array_at_view(handle, i, o))

  // ---- copies and conversions
  def copy(): NDArray = NDArray.internal._copy(this)
  def asType(dt: DType): NDArray = NDArray.Cast(this, dtype = dt)
  /** The transpose (axes reversed). */
  def T: NDArray = NDArray.transpose(this)

  // ---- arithmetic (broadcasting, as MXNet's operators on NDArray)
  def +(o: NDArray): NDArray = NDArray.broadcast_add(this, o)
  def -(o: NDArray): NDArray = NDArray.broadcast_sub(this, o)
  def *(o: NDArray): NDArray = NDArray.broadcast_mul(this, o)
  def /(o: NDArray): NDArray = NDArray.broadcast_div(this, o)
  def +(s: Float): NDArray = NDArray.internal._plus_scalar(this, scalar = s)
  def -(s: Float): NDArray = NDArray.internal._minus_scalar(this, scalar = s)
  def *(s: Float): NDArray = NDArray.internal._mul_scalar(this, scalar = s)
  def /(s: Float): NDArray = NDArray.internal._div_scalar(this, scalar = s)
  def unary_- : NDArray = NDArray.negative(this)
  /** In place: this = this + o (o broadcast to this array's shape). */
  def +=(o: NDArray): NDArray = NDArray.broadcast_add(this, o, out = this)
  def -=(o: NDArray): NDArray = NDArray.broadcast_sub(this, o, out = this)
  def *=(o: NDArray): NDArray = NDArray.broadcast_mul(this, o, out = this)
  def /=(o: NDArray): NDArray = NDArray.broadcast_div(this, o, out = this)
  def +=(s: Float): NDArray = NDArray.internal._plus_scalar(this, scalar = s, out = this)
  def -=(s: Float): NDArray = NDArray.internal._minus_scalar(this, scalar = s, out = this)
  def *=(s: Float): NDArray = NDArray.internal._mul_scalar(this, scalar = s, out = this)
  def /=(s: Float): NDArray = NDArray.internal._div_scalar(this, scalar = s, out = this)

  // ---- autograd
  /** Make this array a variable with a zero gradient buffer; gradReq is
    * "write", "add" or "null". */
  def attachGrad(gradReq: String = "write"): Unit = Autograd.attachGrad(this, gradReq)
  /** The gradient buffer (shares storage with the core's), or null if none. */
  def grad: NDArray = {
    val out = new Array[Long](1)
    Base.check(CApi.mxl_array_grad(handle, out))
    if (out(0) == 0L) null else new NDArray(out(0))
  }
  /** A handle on the same storage with no autograd history. */
  def detach(): NDArray = view(o => CApi.mxl_array_detach(handle, o))
  /** Backward from this array (headGrad null means ones). */
  def backward(headGrad: NDArray = null, retainGraph: Boolean = false, trainMode: Boolean = true): Unit =
    Autograd.backward(Seq(this), if (headGrad == null) null else Seq(headGrad), retainGraph, trainMode)

  override def toString: String =
    if (isDisposed) "NDArray(disposed)" else s"NDArray${shape.text}<$dtype>"
}

/** Creation helpers, and every registry op as a method (generated, see
  * GeneratedOps.scala): `NDArray.Convolution(data, weight, bias, kernel = Shape(3, 3),
  * numFilter = 8)`.  Hidden ops (names starting with "_") are in `NDArray.internal`. */
object NDArray extends GeneratedOps {
  Base.ensureLoaded()

  private def create(shape: Shape, dtype: DType): NDArray = {
    val out = new Array[Long](1)
    Base.check(CApi.mxl_array_create(shape.toLongArray, shape.length, dtype.code, 1, 0, out))
    new NDArray(out(0))
  }

  private def checkSize(n: Int, shape: Shape): Unit =
    if (n.toLong != shape.product)
      throw MXNetError(ErrorKind.Value, s"array: ${n} values do not fill shape $shape (${shape.product} elements)")

  /** A float32 array holding data (C order) with the given shape. */
  def array(data: Array[Float], shape: Shape): NDArray = {
    checkSize(data.length, shape)
    val a = create(shape, DType.Float32)
    Base.check(CApi.mxl_array_copy_from_host(a.handle, data, data.length * 4L))
    a
  }
  /** A float64 array. */
  def array(data: Array[Double], shape: Shape): NDArray = {
    checkSize(data.length, shape)
    val a = create(shape, DType.Float64)
    Base.check(CApi.mxl_array_copy_from_host(a.handle, data, data.length * 8L))
    a
  }
  /** An int32 array. */
  def array(data: Array[Int], shape: Shape): NDArray = {
    checkSize(data.length, shape)
    val a = create(shape, DType.Int32)
    Base.check(CApi.mxl_array_copy_from_host(a.handle, data, data.length * 4L))
    a
  }
  /** An int64 array. */
  def array(data: Array[Long], shape: Shape): NDArray = {
    checkSize(data.length, shape)
    val a = create(shape, DType.Int64)
    Base.check(CApi.mxl_array_copy_from_host(a.handle, data, data.length * 8L))
    a
  }
  /** A uint8 array (JVM bytes read as unsigned). */
  def array(data: Array[Byte], shape: Shape): NDArray = {
    checkSize(data.length, shape)
    val a = create(shape, DType.UInt8)
    Base.check(CApi.mxl_array_copy_from_host(a.handle, data, data.length.toLong))
    a
  }

  /** An uninitialised array. */
  def empty(shape: Shape, dtype: DType = DType.Float32): NDArray = create(shape, dtype)
  def zeros(shape: Shape, dtype: DType = DType.Float32): NDArray = internal._zeros(shape = shape, dtype = dtype)
  def ones(shape: Shape, dtype: DType = DType.Float32): NDArray = internal._ones(shape = shape, dtype = dtype)
  def full(shape: Shape, value: Float, dtype: DType = DType.Float32): NDArray =
    internal._full(shape = shape, value = value, dtype = dtype)

  // ---- .params files (MXNet's nd.save / nd.load format)

  private def filesSection(): Unit = Base.registerSection(".params files")(CApiFiles.register)

  private def saveImpl(path: String, arrays: Seq[NDArray], names: Seq[String]): Unit = {
    filesSection()
    val hs = arrays.zipWithIndex.map { case (a, i) => if (a == null) 0L else a.handleFor("save", s"arrays[$i]") }.toArray
    val (ns, mems) = if (names == null) (null, Nil) else Base.cStringArray(names)
    Base.check(CApiFiles.mxl_arrays_save(Base.cBytes(path), hs.length, hs, ns))
    java.lang.ref.Reference.reachabilityFence(arrays)
    java.lang.ref.Reference.reachabilityFence(mems)
  }

  /** Save named arrays (a dict file, as `mx.nd.save(path, dict)`). */
  def save(path: String, arrays: Map[String, NDArray]): Unit = {
    val kv = arrays.toSeq
    saveImpl(path, kv.map(_._2), kv.map(_._1))
  }
  /** Save a list of arrays (a list file). */
  def save(path: String, arrays: Seq[NDArray]): Unit = saveImpl(path, arrays, null)

  /** Load a .params / nd.save file: (name, array) pairs in file order; names are ""
    * in a list file; a "none" entry loads as null. */
  def load(path: String): IndexedSeq[(String, NDArray)] = {
    filesSection()
    val out = new Array[Long](1)
    Base.check(CApiFiles.mxl_arrays_load(Base.cBytes(path), out))
    val list = out(0)
    try {
      val num, hasNames = new Array[Int](1)
      Base.check(CApiFiles.mxl_array_list_size(list, num, hasNames))
      (0 until num(0)).map { i =>
        val a = new Array[Long](1)
        val needed = new Array[Long](1)
        Base.check(CApiFiles.mxl_array_list_get(list, i, a, null, 0L, needed))
        val arr = if (a(0) == 0L) null else new NDArray(a(0))
        val buf = new Array[Byte](needed(0).toInt max 1)
        val h2 = new Array[Long](1)
        Base.check(CApiFiles.mxl_array_list_get(list, i, h2, buf, buf.length.toLong, needed))
        if (h2(0) != 0L) CApi.mxl_array_free(h2(0))  // the second call's reference is not needed
        Base.cString(buf) -> arr
      }
    } finally CApiFiles.mxl_array_list_free(list)
  }

  /** Block until every pushed op finished; raises the first unreported async error. */
  def waitAll(): Unit = Base.check(CApi.mxl_wait_all())
}
