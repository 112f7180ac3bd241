package org.mxlite

import org.mxlite.jni.CApi

/** Eager reverse-mode differentiation (MXNet's mx.autograd).
  * {{{
  * val x = NDArray.array(Array(1f, 2f, 3f), Shape(3))
  * x.attachGrad()
  * val y = Autograd.record { x * x + x }
  * y.backward()
  * x.grad.toArray  // 2x + 1
  * }}}
  * Recording and training mode are per thread, as in the core. */
object Autograd {
  Base.ensureLoaded()

  private def flag(f: Array[Int] => Int): Boolean = {
    val out = new Array[Int](1)
    Base.check(f(out))
    out(0) != 0
  }

  def isRecording: Boolean = flag(CApi.mxl_autograd_is_recording)
  def isTraining: Boolean = flag(CApi.mxl_autograd_is_training)

  /** Set recording; returns the previous setting. */
  def setRecording(on: Boolean): Boolean = flag(p => CApi.mxl_autograd_set_recording(if (on) 1 else 0, p))
  /** Set training mode; returns the previous setting. */
  def setTraining(on: Boolean): Boolean = flag(p => CApi.mxl_autograd_set_training(if (on) 1 else 0, p))

  private def scoped[T](recording: Option[Boolean], training: Option[Boolean])(body: => T): T = {
    val prevRec = recording.map(setRecording)
    val prevTrain = try training.map(setTraining) catch {
      case e: Throwable => prevRec.foreach(setRecording); throw e
    }
    try body
    finally {
      prevTrain.foreach(setTraining)
      prevRec.foreach(setRecording)
    }
  }

  /** Run body with recording on and training mode on (MXNet's `autograd.record()`). */
  def record[T](body: => T): T = scoped(Some(true), Some(true))(body)
  /** Run body with recording on and the given training mode
    * (`autograd.record(train_mode=False)` is `recordMode(trainMode = false) { ... }`). */
  def recordMode[T](trainMode: Boolean)(body: => T): T = scoped(Some(true), Some(trainMode))(body)
  /** Run body with recording off (MXNet's `autograd.pause()`). */
  def pause[T](body: => T): T = scoped(Some(false), Some(false))(body)
  /** Run body in training mode without changing recording. */
  def trainMode[T](body: => T): T = scoped(None, Some(true))(body)
  /** Run body in prediction mode without changing recording. */
  def predictMode[T](body: => T): T = scoped(None, Some(false))(body)

  private def gradReqCode(req: String): Int = req match {
    case "null" => 0
    case "write" => 1
    case "add" => 3
    case other => throw MXNetError(ErrorKind.Value,
      s"attach_grad: grad_req must be one of 'null', 'write', 'add', got '$other'")
  }

  private def handles(xs: Seq[NDArray], what: String): Array[Long] =
    xs.zipWithIndex.map { case (x, i) =>
      if (x == null) throw MXNetError(ErrorKind.Value, s"$what[$i] is null")
      x.handleFor("autograd", s"$what[$i]")
    }.toArray

  /** Mark variables with their gradient buffers (MXNet's autograd.mark_variables). */
  def markVariables(variables: Seq[NDArray], gradients: Seq[NDArray], gradReqs: Seq[String]): Unit = {
    if (variables.length != gradients.length || variables.length != gradReqs.length)
      throw MXNetError(ErrorKind.Value, "markVariables: variables, gradients and gradReqs differ in length")
    val reqs = gradReqs.map(gradReqCode).toArray
    val grads = gradients.zipWithIndex.map { case (g, i) =>
      if (g == null) 0L else g.handleFor("autograd", s"gradients[$i]")
    }.toArray
    Base.check(CApi.mxl_autograd_mark_variables(variables.length, handles(variables, "variables"), reqs, grads))
    java.lang.ref.Reference.reachabilityFence(variables)
    java.lang.ref.Reference.reachabilityFence(gradients)
  }

  private[mxlite] def attachGrad(x: NDArray, gradReq: String): Unit = {
    val code = gradReqCode(gradReq)
    val g = if (code == 0) null else NDArray.zeros_like(x)
    try markVariables(Seq(x), Seq(g), Seq(gradReq))
    finally if (g != null) g.dispose()  // the core keeps its own reference to the buffer
  }

  /** Backward from heads into the variables' gradient buffers. headGrads null
    * (or a null entry) means ones. */
  def backward(heads: Seq[NDArray], headGrads: Seq[NDArray] = null, retainGraph: Boolean = false,
               trainMode: Boolean = true): Unit = {
    val hg = headGradHandles(heads, headGrads)
    Base.check(CApi.mxl_autograd_backward(heads.length, handles(heads, "heads"), hg,
      if (retainGraph) 1 else 0, if (trainMode) 1 else 0))
    java.lang.ref.Reference.reachabilityFence(heads)
    java.lang.ref.Reference.reachabilityFence(headGrads)
  }

  private def headGradHandles(heads: Seq[NDArray], headGrads: Seq[NDArray]): Array[Long] = {
    if (headGrads == null) return null
    if (headGrads.length != heads.length)
      throw MXNetError(ErrorKind.Value, s"backward: ${heads.length} heads but ${headGrads.length} head gradients")
    headGrads.zipWithIndex.map { case (g, i) => if (g == null) 0L else g.handleFor("autograd", s"headGrads[$i]") }.toArray
  }

  /** Gradients of heads with respect to variables, returned (MXNet's autograd.grad).
    * createGraph records the backward pass so the results can be differentiated again. */
  def grad(heads: Seq[NDArray], variables: Seq[NDArray], headGrads: Seq[NDArray] = null,
           retainGraph: Boolean = false, createGraph: Boolean = false,
           trainMode: Boolean = true): IndexedSeq[NDArray] = {
    val hg = headGradHandles(heads, headGrads)
    val out = new Array[Long](variables.length)
    Base.check(CApi.mxl_autograd_grad(heads.length, handles(heads, "heads"), hg, variables.length,
      handles(variables, "variables"), if (retainGraph) 1 else 0, if (createGraph) 1 else 0,
      if (trainMode) 1 else 0, out))
    java.lang.ref.Reference.reachabilityFence(heads)
    java.lang.ref.Reference.reachabilityFence(variables)
    java.lang.ref.Reference.reachabilityFence(headGrads)
    out.toIndexedSeq.map(h => new NDArray(h))
  }
}
