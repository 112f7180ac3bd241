package org.mxlite

import java.nio.charset.StandardCharsets
import java.nio.file.{Files, Paths}

import org.mxlite.TestUtil._

/** Saved models: .params files, CachedOp, and inference of a model that Python
  * trained and exported (src/test/resources/model, written by make_model.py). */
class ModelSuite extends munit.FunSuite {
  private val dir = "src/test/resources/model"

  private def floats(v: Any): Array[Float] =
    v.asInstanceOf[Vector[Any]].map(_.asInstanceOf[Double].toFloat).toArray
  private def shape(v: Any): Shape = Shape(v.asInstanceOf[Vector[Any]].map(_.asInstanceOf[Double].toInt): _*)

  test("a model trained and exported by Python predicts the same in Scala") {
    val doc = Json.parse(new String(Files.readAllBytes(Paths.get(dir, "mlp-expected.json")), StandardCharsets.UTF_8))
      .asInstanceOf[Map[String, Any]]
    val in = doc("input").asInstanceOf[Map[String, Any]]
    val out = doc("output").asInstanceOf[Map[String, Any]]
    val p = Predictor.load(s"$dir/mlp-symbol.json", s"$dir/mlp-0000.params")
    assertEquals(p.dataNames, IndexedSeq("data"))
    val x = NDArray.array(floats(in("data")), shape(in("shape")))
    val y = p.predict(x)
    assertEquals(y.length, 1)
    assertEquals(y.head.shape, shape(out("shape")))
    assertClose(y.head.toArray, floats(out("data")), 1e-5, 1e-5, "prediction")
    assertClose(p.predict(Map("data" -> x)).head.toArray, floats(out("data")), 1e-5, 1e-5, "by name")
    assertEquals(intercept[MXNetError](p.predict(Map("nodata" -> x))).kind, ErrorKind.Key)
    assertEquals(intercept[MXNetError](p.predict(NDArray.ones(Shape(5, 7)))).kind, ErrorKind.Value)
    p.dispose()
  }

  test("NDArray.save / load: dict and list files, every dtype kept") {
    val f = java.io.File.createTempFile("mxlite", ".params")
    try {
      val a = NDArray.array(Array(1f, 2f, 3f, 4f), Shape(2, 2))
      val b = NDArray.array(Array(5L, -6L), Shape(2))
      NDArray.save(f.getPath, Map("arg:a" -> a, "aux:b" -> b))
      val back = NDArray.load(f.getPath).toMap
      assertEquals(back.keySet, Set("arg:a", "aux:b"))
      assertEquals(back("arg:a").toArray.toSeq, a.toArray.toSeq)
      assertEquals(back("aux:b").dtype, DType.Int64)
      assertEquals(back("aux:b").toInt64Array.toSeq, Seq(5L, -6L))
      NDArray.save(f.getPath, Seq(b, a))
      val list = NDArray.load(f.getPath)
      assertEquals(list.map(_._1), IndexedSeq("", ""))
      assertEquals(list(1)._2.shape, Shape(2, 2))
    } finally f.delete()
    assertEquals(intercept[MXNetError](NDArray.load("/nonexistent/file.params")).kind, ErrorKind.Value)
  }

  test("CachedOp runs a symbol and records one autograd node") {
    val sym = Symbol.loadJson(
      """{"nodes": [{"op": "null", "name": "x", "inputs": []},
        |{"op": "null", "name": "w", "inputs": []},
        |{"op": "elemwise_mul", "name": "m", "inputs": [[0, 0, 0], [1, 0, 0]]},
        |{"op": "sum", "name": "s", "inputs": [[2, 0, 0]]}],
        |"arg_nodes": [0, 1], "heads": [[3, 0, 0]]}""".stripMargin)
    val op = new CachedOp(sym)
    assertEquals((op.numInputs, op.numOutputs), (2, 1))
    val x = NDArray.array(Array(1f, 2f, 3f), Shape(3))
    val w = NDArray.array(Array(4f, 5f, 6f), Shape(3))
    w.attachGrad()
    val y = Autograd.record(op(Seq(x, w)).head)
    assertEquals(y.toScalar, 32f)
    y.backward()
    assertEquals(w.grad.toArray.toSeq, Seq(1f, 2f, 3f))
    assertEquals(intercept[MXNetError](op(Seq(x))).kind, ErrorKind.Value)
    op.dispose()
  }
}
