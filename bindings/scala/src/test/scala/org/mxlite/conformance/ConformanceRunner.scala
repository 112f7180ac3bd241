package org.mxlite.conformance

import java.io.File
import java.nio.charset.StandardCharsets
import java.nio.file.Files

import scala.collection.mutable.ArrayBuffer

import org.mxlite._

/** Runs the cross-language conformance cases (the JSON files of tests/conformance, format 1):
  * each case calls one op through the same path as the generated methods and
  * compares its outputs (shape, dtype, values within rtol/atol, NaN equal to NaN)
  * or the error kind it raises.  Every array a case creates is disposed, so the
  * live-handle counter must come back to its baseline afterwards.
  *
  * As a program: `ConformanceRunner [files or directories...]` prints one line per
  * failure, then `N passed, N failed`, then the handle check; exit status 1 on failure. */
object ConformanceRunner {
  final case class Result(passed: Int, failed: Int, failures: Vector[String])

  private def num(v: Any): Double = v match {
    case d: Double => d
    case "nan" => Double.NaN
    case "inf" => Double.PositiveInfinity
    case "-inf" => Double.NegativeInfinity
    case b: Boolean => if (b) 1.0 else 0.0
    case other => throw new IllegalArgumentException(s"not a number: $other")
  }

  private def obj(v: Any): Map[String, Any] = v.asInstanceOf[Map[String, Any]]
  private def vec(v: Any): Vector[Any] = v.asInstanceOf[Vector[Any]]

  /** An input array from its JSON description; arrays made on the way go to `made`. */
  private def makeArray(spec: Map[String, Any], made: ArrayBuffer[NDArray]): NDArray = {
    val shape = Shape(vec(spec("shape")).map(d => num(d).toInt): _*)
    val dtype = DType.fromName(spec.getOrElse("dtype", "float32").asInstanceOf[String])
    val data = vec(spec("data")).map(num)
    val a = dtype match {
      case DType.Float32 => NDArray.array(data.map(_.toFloat).toArray, shape)
      case DType.Float64 => NDArray.array(data.toArray, shape)
      case DType.Int32 => NDArray.array(data.map(_.toInt).toArray, shape)
      case DType.Int64 => NDArray.array(data.map(_.toLong).toArray, shape)
      case DType.UInt8 => NDArray.array(data.map(_.toInt.toByte).toArray, shape)
      case other =>  // float16, int8, bool: written as float64, converted by the core
        val d = NDArray.array(data.toArray, shape)
        made += d
        nd.Cast(d, dtype = other)
    }
    made += a
    a
  }

  private def close(a: Double, e: Double, rtol: Double, atol: Double): Boolean =
    if (e.isNaN) a.isNaN
    else if (e.isInfinite) a == e
    else math.abs(a - e) <= atol + rtol * math.abs(e)

  /** None when the case passed, else why it failed.  Creating the inputs must
    * succeed even in an error case; the error must come from the op lookup, the
    * call or the first sync on its outputs. */
  def runCase(c: Map[String, Any]): Option[String] = {
    val made = ArrayBuffer.empty[NDArray]
    val expectedError = c.get("error").map(_.asInstanceOf[String])
    try {
      val inputs = try vec(c.getOrElse("inputs", Vector.empty)).map(i => makeArray(obj(i), made))
      catch { case e: MXNetError => return Some(s"creating the inputs failed: ${e.kind}: ${e.getMessage}") }
      try {
        val call = Invoke.begin(c("op").asInstanceOf[String])
        inputs.zipWithIndex.foreach { case (a, i) => call.in(a, s"input $i") }
        obj(c.getOrElse("attrs", Map.empty)).foreach { case (k, v) => call.attr(k, v.toString) }
        val outs = call.runMulti(null, 16)
        made ++= outs.arrays
        outs.foreach(_.waitToRead())
        expectedError match {
          case Some(kind) => Some(s"expected error $kind, the call succeeded")
          case None => compare(obj(c("expected")), outs.arrays)
        }
      } catch {
        case e: MXNetError => expectedError match {
          case Some(kind) if ErrorKind.fromName(kind) == e.kind => None
          case Some(kind) => Some(s"expected error $kind, got ${e.kind}: ${e.getMessage}")
          case None => Some(s"unexpected error ${e.kind}: ${e.getMessage}")
        }
      }
    } finally made.foreach(_.dispose())
  }

  private def compare(exp: Map[String, Any], outs: IndexedSeq[NDArray]): Option[String] = {
    val specs = vec(exp("outputs")).map(obj)
    val rtol = exp.get("rtol").map(num).getOrElse(1e-5)
    val atol = exp.get("atol").map(num).getOrElse(1e-6)
    if (specs.length != outs.length) return Some(s"${outs.length} outputs, expected ${specs.length}")
    for ((spec, (out, k)) <- specs.zip(outs.zipWithIndex)) {
      val shape = Shape(vec(spec("shape")).map(d => num(d).toInt): _*)
      if (out.shape != shape) return Some(s"output $k shape ${out.shape}, expected $shape")
      spec.get("dtype").map(_.asInstanceOf[String]).foreach { dt =>
        if (out.dtype.name != dt) return Some(s"output $k dtype ${out.dtype}, expected $dt")
      }
      val got = if (out.size == 0) Array.empty[Double] else out.toFloat64Array
      val want = vec(spec("data")).map(num)
      if (got.length != want.length) return Some(s"output $k has ${got.length} values, expected ${want.length}")
      val bad = got.indices.find(i => !close(got(i), want(i), rtol, atol))
      bad.foreach(i => return Some(s"output $k element $i is ${got(i)}, expected ${want(i)}"))
    }
    None
  }

  /** The case files under the given files or directories, sorted. */
  def caseFiles(paths: Seq[File]): Seq[File] = paths.flatMap { p =>
    if (p.isDirectory) Option(p.listFiles()).toSeq.flatten.filter(_.getName.endsWith(".json")).sortBy(_.getName)
    else if (p.isFile) Seq(p) else Seq.empty
  }

  def runFiles(files: Seq[File]): Result = {
    var passed = 0
    val failures = Vector.newBuilder[String]
    var failed = 0
    for (f <- files) {
      val doc = obj(Json.parse(new String(Files.readAllBytes(f.toPath), StandardCharsets.UTF_8)))
      for (c <- vec(doc("cases")).map(obj)) {
        val name = c.getOrElse("name", c("op")).toString
        runCase(c) match {
          case None => passed += 1
          case Some(why) => failed += 1; failures += s"${f.getName}: $name: $why"
        }
      }
    }
    Result(passed, failed, failures.result())
  }

  /** The repository's case directory plus this module's own sample cases. */
  def defaultPaths: Seq[File] = {
    val repo = Option(System.getProperty("mxlite.repo")).getOrElse("../..")
    Seq(new File(repo, "tests/conformance"), new File("src/test/resources/conformance"))
  }

  def main(args: Array[String]): Unit = {
    val files = caseFiles(if (args.isEmpty) defaultPaths else args.toSeq.map(new File(_)))
    NDArray.zeros(Shape(1)).dispose()  // load the library before the baseline
    val (base, ops) = (Mxlite.liveHandles, Invoke.cachedOps)
    val r = runFiles(files)
    r.failures.foreach(f => println("FAIL " + f))
    println(s"${r.passed} passed, ${r.failed} failed")
    NDArray.waitAll()
    // Every case disposed its arrays, so no GC is needed; op handles looked up on
    // the way stay cached for the process and are not leaks.
    val live = Mxlite.liveHandles
    val leaked = live - base - (Invoke.cachedOps - ops)
    println(s"live handles: baseline $base, after $live" + (if (leaked > 0) s" ($leaked leaked)" else ""))
    sys.exit(if (r.failed == 0 && leaked <= 0) 0 else 1)
  }
}
