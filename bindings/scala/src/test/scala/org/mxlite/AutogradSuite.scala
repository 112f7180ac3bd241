package org.mxlite

import org.mxlite.TestUtil._

class AutogradSuite extends munit.FunSuite {
  test("record / backward: d(x*x + x)/dx = 2x + 1") {
    val x = NDArray.array(Array(1f, -2f, 3f), Shape(3))
    x.attachGrad()
    val y = Autograd.record {
      assert(Autograd.isRecording && Autograd.isTraining)
      x * x + x
    }
    assert(!Autograd.isRecording)
    y.backward()
    assertClose(x.grad.toArray, Array(3f, -3f, 7f))
  }

  test("head gradients, grad_req add, pause") {
    val x = NDArray.array(Array(1f, 2f), Shape(2))
    x.attachGrad("add")
    for (_ <- 0 until 2) {
      val y = Autograd.record {
        val z = x * 3f
        Autograd.pause { assert(!Autograd.isRecording) }
        z
      }
      y.backward(NDArray.array(Array(1f, 10f), Shape(2)))
    }
    assertClose(x.grad.toArray, Array(6f, 60f))
  }

  test("FullyConnected gradients match the closed form") {
    val (n, k, m) = (3, 4, 2)
    val xv = randoms(n * k, 11)
    val x = NDArray.array(xv, Shape(n, k))
    val w = NDArray.array(randoms(m * k, 12), Shape(m, k))
    val b = NDArray.zeros(Shape(m))
    w.attachGrad(); b.attachGrad()
    val loss = Autograd.record(nd.sum(nd.FullyConnected(x, w, b, numHidden = m)))
    loss.backward()
    // d sum(x w^T + b) / dw[j, t] = sum_i x[i, t]; / db[j] = n
    val colSums = Array.tabulate(k)(t => (0 until n).map(i => xv(i * k + t)).sum)
    assertClose(w.grad.toArray, Array.tabulate(m * k)(idx => colSums(idx % k)), 1e-5, 1e-5)
    assertClose(b.grad.toArray, Array.fill(m)(n.toFloat))
  }

  test("Autograd.grad with createGraph gives second derivatives") {
    val x = NDArray.array(Array(1f, 2f), Shape(2))
    x.attachGrad()
    val dx = Autograd.record {
      val y = x * x * x
      Autograd.grad(Seq(y), Seq(x), createGraph = true, retainGraph = true).head
    }
    assertClose(dx.toArray, Array(3f, 12f))
    dx.backward()
    assertClose(x.grad.toArray, Array(6f, 12f))  // d(3x^2)/dx = 6x
  }

  test("recordMode(trainMode = false) and predictMode") {
    Autograd.recordMode(trainMode = false) {
      assert(Autograd.isRecording)
      assert(!Autograd.isTraining)
    }
    Autograd.trainMode { assert(Autograd.isTraining) }
    Autograd.predictMode { assert(!Autograd.isTraining) }
    assert(!Autograd.isRecording)
  }

  test("backward errors are MXNetError, not crashes") {
    val x = NDArray.array(Array(1f), Shape(1))
    val e = intercept[MXNetError](x.backward())  // never recorded
    assertEquals(e.kind, ErrorKind.Value)
    val e2 = intercept[MXNetError](x.attachGrad("sometimes"))
    assertEquals(e2.kind, ErrorKind.Value)
    x.attachGrad()
    val y = Autograd.record(x * 2f)
    y.backward()
    val e3 = intercept[MXNetError](y.backward())  // graph freed (retainGraph = false)
    assertEquals(e3.kind, ErrorKind.Value)
  }
}
