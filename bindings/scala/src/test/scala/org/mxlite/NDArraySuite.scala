package org.mxlite

import org.mxlite.TestUtil._

class NDArraySuite extends munit.FunSuite {
  test("version check passed and the library is found") {
    assertEquals(Mxlite.version / 10000, Base.SupportedMajor)
    assert(Mxlite.libraryPath.nonEmpty)
  }

  test("float32 round trip, shape, dtype, size (C order)") {
    val data = Array(1f, 2f, 3f, 4f, 5f, 6f)
    val a = NDArray.array(data, Shape(2, 3))
    assertEquals(a.shape, Shape(2, 3))
    assertEquals(a.dtype, DType.Float32)
    assertEquals(a.size, 6L)
    assertEquals(a.ndim, 2)
    assertEquals(a.toArray.toSeq, data.toSeq)
    assertEquals(a.at(1).toArray.toSeq, Seq(4f, 5f, 6f))
    assertEquals(a.slice(0, 1).shape, Shape(1, 3))
    assertEquals(a.reshape(Shape(3, -1)).shape, Shape(3, 2))
    assertEquals(a.T.toArray.toSeq, Seq(1f, 4f, 2f, 5f, 3f, 6f))
  }

  test("other dtypes round trip and convert") {
    val d = NDArray.array(Array(1.5, -2.25), Shape(2))
    assertEquals(d.dtype, DType.Float64)
    assertEquals(d.toFloat64Array.toSeq, Seq(1.5, -2.25))
    val i = NDArray.array(Array(7, -8, 9), Shape(3))
    assertEquals(i.dtype, DType.Int32)
    assertEquals(i.toInt32Array.toSeq, Seq(7, -8, 9))
    assertEquals(i.toArray.toSeq, Seq(7f, -8f, 9f))
    val l = NDArray.array(Array(1L << 40, 3L), Shape(2, 1))
    assertEquals(l.dtype, DType.Int64)
    assertEquals(l.toInt64Array.toSeq, Seq(1L << 40, 3L))
    val u = NDArray.array(Array[Byte](0, 1, -1), Shape(3))
    assertEquals(u.dtype, DType.UInt8)
    assertEquals(u.toArray.toSeq, Seq(0f, 1f, 255f))
    assertEquals(NDArray.array(Array(1f, 2.5f), Shape(2)).asType(DType.Int32).toInt32Array.toSeq, Seq(1, 2))
  }

  test("creation helpers") {
    assertEquals(NDArray.zeros(Shape(2, 2)).toArray.toSeq, Seq.fill(4)(0f))
    assertEquals(NDArray.ones(Shape(3), DType.Float64).toFloat64Array.toSeq, Seq(1.0, 1.0, 1.0))
    assertEquals(NDArray.full(Shape(2), 2.5f).toArray.toSeq, Seq(2.5f, 2.5f))
    val e = NDArray.empty(Shape(4, 5), DType.Int64)
    assertEquals((e.shape, e.dtype), (Shape(4, 5), DType.Int64))
    val s = NDArray.zeros(Shape(2)).set(Array(3f, 4f))
    assertEquals(s.toArray.toSeq, Seq(3f, 4f))
    assertEquals(s.set(7f).toArray.toSeq, Seq(7f, 7f))
  }

  test("arithmetic operators broadcast, scalars on both sides") {
    val a = NDArray.array(Array(1f, 2f, 3f, 4f, 5f, 6f), Shape(2, 3))
    val b = NDArray.array(Array(10f, 20f, 30f), Shape(1, 3))
    val an = Array(1f, 2f, 3f, 4f, 5f, 6f)
    val bn = Array(10f, 20f, 30f)
    def bc(f: (Float, Float) => Float) = an.indices.map(i => f(an(i), bn(i % 3))).toArray
    assertClose((a + b).toArray, bc(_ + _))
    assertClose((a - b).toArray, bc(_ - _))
    assertClose((a * b).toArray, bc(_ * _))
    assertClose((a / b).toArray, bc(_ / _))
    assertClose((a + 1f).toArray, an.map(_ + 1f))
    assertClose((a - 1f).toArray, an.map(_ - 1f))
    assertClose((a * 2f).toArray, an.map(_ * 2f))
    assertClose((a / 4f).toArray, an.map(_ / 4f))
    assertClose((-a).toArray, an.map(-_))
    assertClose((1f - a).toArray, an.map(1f - _))
    assertClose((2f / a).toArray, an.map(2f / _))
    assertClose((3f * a + 1f).toArray, an.map(3f * _ + 1f))
    val c = a.copy()
    c += b
    c *= 2f
    assertClose(c.toArray, bc((x, y) => (x + y) * 2f))
    assertClose(a.toArray, an)  // copy() did not share storage
  }

  test("errors carry the core's kind and message") {
    val a = NDArray.array(Array(1f, 2f, 3f), Shape(3))
    val b = NDArray.array(Array(1f, 2f), Shape(2))
    val e = intercept[MXNetError](a + b)
    assertEquals(e.kind, ErrorKind.Value)
    assert(e.getMessage.contains("broadcast_add"), e.getMessage)
    val e2 = intercept[MXNetError](NDArray.array(Array(1f, 2f), Shape(3)))
    assertEquals(e2.kind, ErrorKind.Value)
    val e3 = intercept[MXNetError](a.reshape(Shape(2, 2)))
    assertEquals(e3.kind, ErrorKind.Value)
    val e4 = intercept[MXNetError](a.at(5))
    assertEquals(e4.kind, ErrorKind.Index)
    val e5 = intercept[MXNetError](nd.Activation(a, actType = "nope"))
    assertEquals(e5.kind, ErrorKind.Value)
    assert(e5.getMessage.contains("act_type"), e5.getMessage)
    // An unknown parameter, sent the way a generated method sends attributes.
    val e6 = intercept[MXNetError](Invoke.begin("relu").in(a, "data").attr("bogus", "1").run(null))
    assertEquals(e6.kind, ErrorKind.Key)
    val e7 = intercept[MXNetError](Invoke.begin("no_such_op"))
    assertEquals(e7.kind, ErrorKind.Key)
    // The array is still usable after the failures.
    assertEquals(a.toArray.toSeq, Seq(1f, 2f, 3f))
  }

  test("a disposed array raises INVALID_HANDLE, never crashes") {
    val a = NDArray.array(Array(1f, 2f), Shape(2))
    val v = a.reshape(Shape(1, 2))
    a.dispose()
    a.dispose()  // idempotent
    assert(a.isDisposed)
    val e = intercept[MXNetError](a.toArray)
    assertEquals(e.kind, ErrorKind.InvalidHandle)
    val e2 = intercept[MXNetError](nd.relu(a))
    assertEquals(e2.kind, ErrorKind.InvalidHandle)
    assert(e2.getMessage.contains("relu") && e2.getMessage.contains("data"), e2.getMessage)
    assertEquals(v.toArray.toSeq, Seq(1f, 2f))  // the view keeps the storage alive
    scala.util.Using.resource(NDArray.ones(Shape(1)))(x => assertEquals(x.toScalar, 1f))
  }
}
