"""Classification metrics: Accuracy, TopKAccuracy, F1, MCC, PCC."""
import math

import numpy

from .. import ndarray as nd
from .base import EvalMetric, alias, check_label_shapes, register, to_numpy

__all__ = ["Accuracy", "TopKAccuracy", "F1", "MCC", "PCC"]


@register
@alias("acc")
class Accuracy(EvalMetric):
    """Fraction of predictions equal to the labels.

    Predictions shaped like the labels are taken as class indices; otherwise
    the class is the argmax over `axis` (default 1, the class axis of (N, C)).
    """

    def __init__(self, axis=1, name="accuracy", output_names=None, label_names=None):
        super().__init__(name, axis=axis, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.axis = axis

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred_label in zip(labels, preds):
            if tuple(pred_label.shape) != tuple(label.shape):
                # argmax in the core: only N indices cross to NumPy, not N*C scores
                pred_label = nd.argmax(pred_label, axis=self.axis) \
                    if isinstance(pred_label, nd.NDArray) else \
                    numpy.argmax(numpy.asarray(pred_label), axis=self.axis)
            pred_label = to_numpy(pred_label).astype("int32").ravel()
            label = to_numpy(label).astype("int32").ravel()
            check_label_shapes(label, pred_label)
            num_correct = int((pred_label == label).sum())
            self._add(num_correct, len(pred_label))


@register
@alias("top_k_accuracy", "top_k_acc")
class TopKAccuracy(EvalMetric):
    """Fraction of samples whose label is among the `top_k` highest-scored classes."""

    def __init__(self, top_k=1, name="top_k_accuracy", output_names=None, label_names=None):
        super().__init__(name, top_k=top_k, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.top_k = top_k
        if self.top_k <= 1:
            raise ValueError("Please use Accuracy if top_k is no more than 1")
        self.name += "_%d" % self.top_k

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred_label in zip(labels, preds):
            scores = to_numpy(pred_label).astype("float32")
            if scores.ndim > 2:
                raise ValueError("Predictions should be no more than 2 dims, got shape %s"
                                 % (scores.shape,))
            # argpartition puts the k largest last (in no particular order),
            # which is all a top-k hit test needs.
            k = min(self.top_k, scores.shape[-1])
            pred_label = numpy.argpartition(scores, -k, axis=-1)
            label = to_numpy(label).astype("int32")
            check_label_shapes(label, pred_label)
            num_samples = pred_label.shape[0]
            if pred_label.ndim == 1:
                num_correct = int((pred_label.flat == label.flat).sum())
            else:
                num_classes = pred_label.shape[1]
                top = pred_label[:, num_classes - k:]
                num_correct = int((top == label.reshape(-1, 1)).any(axis=1).sum())
            self._add(num_correct, num_samples)


class _BinaryClassificationMetrics:
    """Confusion counts of a binary classifier (local and global)."""

    _FIELDS = ("true_positives", "false_negatives", "false_positives", "true_negatives")

    def __init__(self):
        self.reset_stats()

    def update_binary_stats(self, label, pred):
        """Count one batch: pred (N, 2) scores (the class is their argmax), label (N,) in {0, 1}."""
        pred = to_numpy(pred)
        label = to_numpy(label).astype("int32")
        pred_label = numpy.argmax(pred, axis=1)
        check_label_shapes(label, pred)
        if len(numpy.unique(label)) > 2:
            raise ValueError("%s currently only supports binary classification."
                             % self.__class__.__name__)
        pred_true = pred_label == 1
        label_true = label == 1
        counts = (int((pred_true & label_true).sum()), int((~pred_true & label_true).sum()),
                  int((pred_true & ~label_true).sum()), int((~pred_true & ~label_true).sum()))
        for field, n in zip(self._FIELDS, counts):
            setattr(self, field, getattr(self, field) + n)
            setattr(self, "global_" + field, getattr(self, "global_" + field) + n)

    def _counts(self, use_global):
        pre = "global_" if use_global else ""
        return [float(getattr(self, pre + f)) for f in self._FIELDS]

    def _precision(self, use_global):
        tp, _, fp, _ = self._counts(use_global)
        return tp / (tp + fp) if tp + fp > 0 else 0.

    def _recall(self, use_global):
        tp, fn, _, _ = self._counts(use_global)
        return tp / (tp + fn) if tp + fn > 0 else 0.

    def _fscore(self, use_global):
        p, r = self._precision(use_global), self._recall(use_global)
        return 2 * p * r / (p + r) if p + r > 0 else 0.

    precision = property(lambda self: self._precision(False))
    recall = property(lambda self: self._recall(False))
    fscore = property(lambda self: self._fscore(False))
    global_precision = property(lambda self: self._precision(True))
    global_recall = property(lambda self: self._recall(True))
    global_fscore = property(lambda self: self._fscore(True))
    total_examples = property(lambda self: int(sum(self._counts(False))))
    global_total_examples = property(lambda self: int(sum(self._counts(True))))

    def matthewscc(self, use_global=False):
        """Matthews correlation coefficient; zero factors of the denominator are skipped."""
        tp, fn, fp, tn = self._counts(use_global)
        if not tp + fn + fp + tn:
            return 0.
        denom = 1.
        for t in (tp + fp, tp + fn, tn + fp, tn + fn):
            if t != 0.:
                denom *= t
        return (tp * tn - fp * fn) / math.sqrt(denom)

    def reset_stats(self):
        for f in self._FIELDS:
            setattr(self, f, 0)
            setattr(self, "global_" + f, 0)

    def local_reset_stats(self):
        for f in self._FIELDS:
            setattr(self, f, 0)


class _BinaryMetric(EvalMetric):
    """F1 / MCC: 'macro' averages the per-update scores, 'micro' scores all counts."""

    def __init__(self, name, output_names, label_names, average):
        if average not in ("macro", "micro"):
            raise ValueError("average must be 'macro' or 'micro', got %r" % (average,))
        self.average = average
        self.metrics = _BinaryClassificationMetrics()
        super().__init__(name=name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    def _score(self, use_global):
        raise NotImplementedError()

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            self.metrics.update_binary_stats(label, pred)
        if self.average == "macro":
            self._add(self._score(False), 1)
            self.metrics.reset_stats()
        else:
            self.sum_metric = self._score(False) * self.metrics.total_examples
            self.global_sum_metric = self._score(True) * self.metrics.global_total_examples
            self.num_inst = self.metrics.total_examples
            self.global_num_inst = self.metrics.global_total_examples

    def reset(self):
        super().reset()
        self.metrics.reset_stats()

    def reset_local(self):
        super().reset_local()
        self.metrics.local_reset_stats()


@register
class F1(_BinaryMetric):
    """F1 score of a binary classifier: 2 * precision * recall / (precision + recall).

    average 'macro' (default): the mean of the F1 of each update call;
    'micro': the F1 of all counted samples together."""

    def __init__(self, name="f1", output_names=None, label_names=None, average="macro"):
        super().__init__(name, output_names, label_names, average)

    def _score(self, use_global):
        return self.metrics._fscore(use_global)


@register
class MCC(_BinaryMetric):
    """Matthews correlation coefficient of a binary classifier (macro or micro, as F1)."""

    def __init__(self, name="mcc", output_names=None, label_names=None, average="macro"):
        super().__init__(name, output_names, label_names, average)

    def _score(self, use_global):
        return self.metrics.matthewscc(use_global)


@register
class PCC(EvalMetric):
    """Multiclass Matthews correlation (Gorodkin's R_K) from a confusion matrix that
    grows with the largest class seen; get() scores all samples since the last reset.

    Predictions shaped like the labels are class indices, otherwise argmax over axis 1.
    """

    def __init__(self, name="pcc", output_names=None, label_names=None, has_global_stats=True):
        self.k = 2
        super().__init__(name=name, output_names=output_names, label_names=label_names,
                         has_global_stats=has_global_stats)

    def _grow(self, inc):
        self.lcm = numpy.pad(self.lcm, ((0, inc), (0, inc)), "constant")
        self.gcm = numpy.pad(self.gcm, ((0, inc), (0, inc)), "constant")
        self.k += inc

    @staticmethod
    def _calc_mcc(cmat):
        n = cmat.sum()
        x, y = cmat.sum(axis=1), cmat.sum(axis=0)
        cov_xx, cov_yy = numpy.sum(x * (n - x)), numpy.sum(y * (n - y))
        if cov_xx == 0 or cov_yy == 0:
            return float("nan")
        cov_xy = numpy.sum(cmat.diagonal() * n - x * y)
        return cov_xy / (cov_xx * cov_yy) ** 0.5

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label = to_numpy(label).astype("int32").ravel()
            pred = to_numpy(pred)
            pred = pred.argmax(axis=1) if pred.shape != label.shape else pred.astype("int32")
            pred = pred.ravel()
            n = int(max(pred.max(), label.max()))
            if n >= self.k:
                self._grow(n + 1 - self.k)
            bcm = numpy.zeros((self.k, self.k))
            numpy.add.at(bcm, (pred, label), 1)
            self.lcm += bcm
            self.gcm += bcm
        self.num_inst += 1
        self.global_num_inst += 1

    # The sums are derived from the confusion matrices, so get() reports their MCC.
    @property
    def sum_metric(self):
        return self._calc_mcc(self.lcm) * self.num_inst

    @sum_metric.setter
    def sum_metric(self, _):
        pass

    @property
    def global_sum_metric(self):
        return self._calc_mcc(self.gcm) * self.global_num_inst

    @global_sum_metric.setter
    def global_sum_metric(self, _):
        pass

    def reset(self):
        self.global_num_inst = 0
        self.gcm = numpy.zeros((self.k, self.k))
        self.reset_local()

    def reset_local(self):
        self.num_inst = 0
        self.lcm = numpy.zeros((self.k, self.k))
