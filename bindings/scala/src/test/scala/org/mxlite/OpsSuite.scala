package org.mxlite

import org.mxlite.TestUtil._

/** Generated op methods against naive-loop oracles. */
class OpsSuite extends munit.FunSuite {
  test("FullyConnected equals x w^T + b") {
    val (n, k, m) = (4, 5, 3)
    val x = randoms(n * k, 1); val w = randoms(m * k, 2); val b = randoms(m, 3)
    val y = nd.FullyConnected(NDArray.array(x, Shape(n, k)), NDArray.array(w, Shape(m, k)),
      NDArray.array(b, Shape(m)), numHidden = m)
    assertEquals(y.shape, Shape(n, m))
    val expect = Array.tabulate(n * m) { idx =>
      val (i, j) = (idx / m, idx % m)
      (0 until k).map(t => x(i * k + t) * w(j * k + t)).sum + b(j)
    }
    assertClose(y.toArray, expect, 1e-5, 1e-5)
    val nb = nd.FullyConnected(NDArray.array(x, Shape(n, k)), NDArray.array(w, Shape(m, k)),
      numHidden = m, noBias = true)
    assertClose(nb.toArray, expect.indices.map(i => expect(i) - b(i % m)).toArray, 1e-5, 1e-5)
  }

  test("Convolution (pad 1, stride 1) equals a naive loop") {
    val (c, h, wd, f, kh) = (2, 5, 5, 3, 3)
    val x = randoms(c * h * wd, 4); val w = randoms(f * c * kh * kh, 5); val b = randoms(f, 6)
    val y = nd.Convolution(NDArray.array(x, Shape(1, c, h, wd)), NDArray.array(w, Shape(f, c, kh, kh)),
      NDArray.array(b, Shape(f)), kernel = Shape(3, 3), numFilter = f, pad = Shape(1, 1))
    assertEquals(y.shape, Shape(1, f, h, wd))
    val expect = new Array[Float](f * h * wd)
    for (o <- 0 until f; i <- 0 until h; j <- 0 until wd) {
      var s = b(o).toDouble
      for (ci <- 0 until c; di <- 0 until kh; dj <- 0 until kh) {
        val (ii, jj) = (i + di - 1, j + dj - 1)
        if (ii >= 0 && ii < h && jj >= 0 && jj < wd)
          s += x((ci * h + ii) * wd + jj) * w(((o * c + ci) * kh + di) * kh + dj)
      }
      expect((o * h + i) * wd + j) = s.toFloat
    }
    assertClose(y.toArray, expect, 1e-4, 1e-5)
  }

  test("variadic inputs: Concat and add_n take a Seq; num_args is filled in") {
    val a = NDArray.array(Array(1f, 2f), Shape(1, 2))
    val b = NDArray.array(Array(3f, 4f, 5f, 6f), Shape(2, 2))
    val cat = nd.Concat(Seq(a, b), dim = 0)
    assertEquals(cat.shape, Shape(3, 2))
    assertEquals(cat.toArray.toSeq, Seq(1f, 2f, 3f, 4f, 5f, 6f))
    val s = nd.add_n(Seq(b, b, b))
    assertEquals(s.toArray.toSeq, Seq(9f, 12f, 15f, 18f))
    assertEquals(nd.ElementWiseSum(Seq(a, a)).toArray.toSeq, Seq(2f, 4f))  // an alias
  }

  test("several visible outputs come back as NDArrayFuncReturn") {
    val x = NDArray.array((0 until 12).map(_.toFloat).toArray, Shape(2, 6))
    val parts = nd.SliceChannel(x, numOutputs = 3, axis = 1)
    assertEquals(parts.size, 3)
    assertEquals(parts(1).toArray.toSeq, Seq(2f, 3f, 8f, 9f))
    val data = NDArray.array(randoms(8, 7), Shape(4, 2))
    val (g, bt, mm, mv) = (NDArray.ones(Shape(2)), NDArray.zeros(Shape(2)), NDArray.zeros(Shape(2)), NDArray.ones(Shape(2)))
    val one = nd.BatchNorm(data, g, bt, mm, mv)
    assertEquals(one.size, 1)
    val three = Autograd.record(nd.BatchNorm(data, g, bt, mm, mv, outputMeanVar = true, fixGamma = false))
    assertEquals(three.size, 3)
    val mean = three(1).toArray
    val d = data.toArray
    assertClose(mean, Array((d(0) + d(2) + d(4) + d(6)) / 4, (d(1) + d(3) + d(5) + d(7)) / 4), 1e-5, 1e-6)
    // One visible output converts implicitly.
    val y: NDArray = nd.Dropout(x, p = 0.5f)
    assertEquals(y.toArray.toSeq, x.toArray.toSeq)  // not training: identity
  }

  test("reductions, shapes with None entries, reshape codes, dtype parameters") {
    val x = NDArray.array((1 to 6).map(_.toFloat).toArray, Shape(2, 3))
    assertEquals(nd.sum(x, axis = 1).toArray.toSeq, Seq(6f, 15f))
    assertEquals(nd.sum(x, axis = Shape(0, 1), keepdims = true).shape, Shape(1, 1))
    assertEquals(nd.mean(x).toScalar, 3.5f)
    val s = nd.slice(x, begin = OptionShape(None, Some(1)), end = OptionShape(None, Some(3)))
    assertEquals(s.toArray.toSeq, Seq(2f, 3f, 5f, 6f))
    assertEquals(nd.slice(x, begin = Shape(1, 0), end = Shape(2, 2)).toArray.toSeq, Seq(4f, 5f))
    assertEquals(nd.Reshape(x, shape = Shape(-1, 2)).shape, Shape(3, 2))
    assertEquals(nd.reshape(x, shape = Shape(0, -1)).shape, Shape(2, 3))
    val i = nd.Cast(x, dtype = "int32")
    assertEquals(i.dtype, DType.Int32)
    assertEquals(nd.internal._zeros(shape = Shape(2), dtype = DType.Int64).dtype, DType.Int64)
    assertEquals(nd.transpose(x, axes = Shape(1, 0)).shape, Shape(3, 2))
  }

  test("softmax equals exp(x) / sum exp(x)") {
    val v = randoms(6, 8)
    val y = nd.softmax(NDArray.array(v, Shape(2, 3)), axis = -1).toArray
    val expect = v.grouped(3).flatMap { r => val e = r.map(a => math.exp(a)); e.map(z => (z / e.sum).toFloat) }.toArray
    assertClose(y, expect, 1e-5, 1e-6)
    val t = nd.softmax(NDArray.array(v, Shape(2, 3)), temperature = 2.0).toArray
    val expT = v.grouped(3).flatMap { r => val e = r.map(a => math.exp(a / 2)); e.map(z => (z / e.sum).toFloat) }.toArray
    assertClose(t, expT, 1e-5, 1e-6)
  }

  test("out = writes into a given array; hidden ops are in internal") {
    val x = NDArray.array(Array(-1f, 2f), Shape(2))
    val dst = NDArray.zeros(Shape(2))
    val r = nd.relu(x, out = dst)
    assert(r eq dst)
    assertEquals(dst.toArray.toSeq, Seq(0f, 2f))
    assertEquals(nd.internal._plus_scalar(x, scalar = 0.5).toArray.toSeq, Seq(-0.5f, 2.5f))
    assertEquals(nd.internal._rpower_scalar(x, scalar = 2).toArray.toSeq, Seq(0.5f, 4f))
    val e = intercept[MXNetError](nd.relu(x, out = NDArray.zeros(Shape(3))))
    assertEquals(e.kind, ErrorKind.Value)
  }

  test("random ops repeat with the same seed and respect their range") {
    Mxlite.seed(42)
    val a = nd.random_uniform(low = 2, high = 3, shape = Shape(100)).toArray
    Mxlite.seed(42)
    val b = nd.random_uniform(low = 2, high = 3, shape = Shape(100)).toArray
    assertEquals(a.toSeq, b.toSeq)
    assert(a.forall(v => v >= 2f && v < 3f))
    assert(a.distinct.length > 50)
  }

  test("sgd_update and sgd_mom_update update weights in place") {
    val w = NDArray.array(Array(1f, 2f), Shape(2))
    val g = NDArray.array(Array(0.5f, -1f), Shape(2))
    nd.sgd_update(w, g, lr = 0.1f, wd = 0f, out = w)
    assertClose(w.toArray, Array(0.95f, 2.1f))
    val mom = NDArray.zeros(Shape(2))
    nd.sgd_mom_update(w, g, mom, lr = 0.1f, momentum = 0.9f, out = w)
    nd.sgd_mom_update(w, g, mom, lr = 0.1f, momentum = 0.9f, out = w)
    // mom1 = -lr g; w1 = w + mom1; mom2 = 0.9 mom1 - lr g; w2 = w1 + mom2
    assertClose(mom.toArray, Array(-0.095f, 0.19f), 1e-5, 1e-6)
    assertClose(w.toArray, Array(0.95f - 0.05f - 0.095f, 2.1f + 0.1f + 0.19f), 1e-5, 1e-6)
  }

  test("fluent op methods: x.sum(axis = 1) is nd.sum(x, axis = 1)") {
    val x = NDArray.array(Array(1f, -2f, 3f, -4f), Shape(2, 2))
    assertEquals(x.sum(axis = 1).toArray.toSeq, Seq(-1f, -1f))
    assertEquals(x.abs().max().toScalar, 4f)
    assertEquals(x.relu().toArray.toSeq, Seq(1f, 0f, 3f, 0f))
    // [[1, -2], [3, -4]] squared, by hand
    assertEquals(x.dot(x).toArray.toSeq, Seq(-5f, 6f, -9f, 10f))
    assertEquals(x.split(numOutputs = 2, axis = 0).size, 2)
    assertEquals(x.expand_dims(axis = 0).shape, Shape(1, 2, 2))
  }
}
