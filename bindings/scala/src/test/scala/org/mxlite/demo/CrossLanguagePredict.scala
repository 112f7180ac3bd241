package org.mxlite.demo

import java.nio.charset.StandardCharsets
import java.nio.file.{Files, Paths}

import org.mxlite._

/** The cross-language demo's Scala predictor (demo/cross_language): loads the
  * model Python exported (OUT_DIR/model-symbol.json + model-0000.params) with
  * the binding's public Predictor API and prints its predictions for
  * OUT_DIR/inputs.json as one JSON line, {"shape": [n, classes], "data": [...]}
  * row-major like Python's.  Args: OUT_DIR. */
object CrossLanguagePredict {
  def main(args: Array[String]): Unit = {
    require(args.length == 1, "usage: CrossLanguagePredict OUT_DIR")
    val dir = args(0)
    val doc = Json.parse(new String(Files.readAllBytes(Paths.get(dir, "inputs.json")), StandardCharsets.UTF_8))
      .asInstanceOf[Map[String, Any]]
    val dims = doc("shape").asInstanceOf[Vector[Any]].map(_.asInstanceOf[Double].toInt)
    val data = doc("data").asInstanceOf[Vector[Any]].map(_.asInstanceOf[Double].toFloat).toArray
    val p = Predictor.load(s"$dir/model-symbol.json", s"$dir/model-0000.params")
    val prob = p.predict(NDArray.array(data, Shape(dims: _*))).head
    // Float -> Double is exact, so the printed decimals are the float's value.
    val values = prob.toArray.map(v => java.lang.Double.toString(v.toDouble)).mkString(",")
    println(s"""{"shape":[${prob.shape.toArray.mkString(",")}],"data":[$values]}""")
    p.dispose()
  }
}
