package org.mxlite

import org.mxlite.TestUtil._

/** A small MLP trained on synthetic data with sgd_mom_update: the loss must fall. */
class TrainSuite extends munit.FunSuite {
  test("MLP on synthetic 3-class data: loss decreases") {
    val (n, d, hidden, classes) = (128, 4, 16, 3)
    val xv = randoms(n * d, 21)
    val teacher = randoms(d * classes, 22)
    val labels = Array.tabulate(n) { i =>
      (0 until classes).maxBy(c => (0 until d).map(t => xv(i * d + t) * teacher(t * classes + c)).sum).toFloat
    }
    val x = NDArray.array(xv, Shape(n, d))
    val y = NDArray.array(labels, Shape(n))
    val params = Seq(
      NDArray.array(randoms(hidden * d, 23).map(_ * 0.5f), Shape(hidden, d)), NDArray.zeros(Shape(hidden)),
      NDArray.array(randoms(classes * hidden, 24).map(_ * 0.5f), Shape(classes, hidden)), NDArray.zeros(Shape(classes)))
    params.foreach(_.attachGrad())
    val moms = params.map(p => NDArray.zeros(p.shape))
    val losses = (0 until 60).map { _ =>
      val loss = Autograd.record {
        val h = nd.Activation(nd.FullyConnected(x, params(0), params(1), numHidden = hidden), actType = "relu")
        val out = nd.FullyConnected(h, params(2), params(3), numHidden = classes)
        nd.softmax_cross_entropy(out, y) / n.toFloat
      }
      loss.backward()
      params.zip(moms).foreach { case (p, m) =>
        nd.sgd_mom_update(p, p.grad, m, lr = 0.5f, momentum = 0.9f, out = p)
      }
      loss.toScalar
    }
    assert(losses.forall(l => !l.isNaN), losses.mkString(", "))
    assert(losses.last < 0.5f * losses.head, s"loss ${losses.head} -> ${losses.last}")
    val pred = nd.argmax(nd.FullyConnected(nd.relu(nd.FullyConnected(x, params(0), params(1), numHidden = hidden)),
      params(2), params(3), numHidden = classes), axis = 1).toArray
    val acc = pred.indices.count(i => pred(i) == labels(i)).toDouble / n
    assert(acc > 0.8, s"training accuracy $acc")
  }
}
