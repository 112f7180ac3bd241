"""Regression and likelihood metrics: MAE, MSE, RMSE, CrossEntropy,
NegativeLogLikelihood, Perplexity, PearsonCorrelation, Loss (and its Torch /
Caffe names)."""
import math

import numpy

from .base import EvalMetric, alias, check_label_shapes, register, to_numpy

__all__ = ["MAE", "MSE", "RMSE", "CrossEntropy", "NegativeLogLikelihood", "Perplexity",
           "PearsonCorrelation", "Loss", "Torch", "Caffe"]


def _as_columns(label, pred):
    """NumPy label and pred, 1-d ones made (N, 1) so (N,) and (N, 1) compare elementwise."""
    label, pred = to_numpy(label), to_numpy(pred)
    if label.ndim == 1:
        label = label.reshape(label.shape[0], 1)
    if pred.ndim == 1:
        pred = pred.reshape(pred.shape[0], 1)
    return label, pred


class _BatchMean(EvalMetric):
    """A per-batch error averaged over update calls (each batch counts once, as in MXNet)."""

    def __init__(self, name, output_names, label_names):
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    @staticmethod
    def _batch_value(diff):
        raise NotImplementedError()

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = _as_columns(label, pred)
            self._add(float(self._batch_value(label - pred)), 1)


@register
class MAE(_BatchMean):
    """Mean absolute error, mean(|label - pred|) per batch, averaged over batches."""

    def __init__(self, name="mae", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _batch_value(diff):
        return numpy.abs(diff).mean()


@register
class MSE(_BatchMean):
    """Mean squared error, mean((label - pred)^2) per batch, averaged over batches."""

    def __init__(self, name="mse", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _batch_value(diff):
        return (diff ** 2.0).mean()


@register
class RMSE(_BatchMean):
    """Root mean squared error of each batch, averaged over batches."""

    def __init__(self, name="rmse", output_names=None, label_names=None):
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _batch_value(diff):
        return numpy.sqrt((diff ** 2.0).mean())


@register
@alias("ce")
class CrossEntropy(EvalMetric):
    """Mean of -log(p[label] + eps) over samples; pred is (N, C) probabilities."""

    def __init__(self, eps=1e-12, name="cross-entropy", output_names=None, label_names=None):
        super().__init__(name, eps=eps, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.eps = eps

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = to_numpy(label).ravel(), to_numpy(pred)
            if label.shape[0] != pred.shape[0]:
                raise ValueError("%s: %d labels for %d predictions"
                                 % (self.name, label.shape[0], pred.shape[0]))
            prob = pred[numpy.arange(label.shape[0]), numpy.int64(label)]
            self._add(float((-numpy.log(prob + self.eps)).sum()), label.shape[0])


@register
@alias("nll_loss")
class NegativeLogLikelihood(CrossEntropy):
    """Negative log-likelihood, mean of -log(p[label] + eps) (CrossEntropy under its own name)."""

    def __init__(self, eps=1e-12, name="nll-loss", output_names=None, label_names=None):
        super().__init__(eps=eps, name=name, output_names=output_names, label_names=label_names)


@register
@alias("perplexity")
class Perplexity(EvalMetric):
    """exp(mean negative log-likelihood) over the samples whose label is not ignore_label.

    pred holds probabilities along `axis` (default the last); label holds one
    class per prediction (label.size == pred.size / pred.shape[axis]).
    """

    def __init__(self, ignore_label, axis=-1, name="perplexity", output_names=None,
                 label_names=None):
        super().__init__(name, ignore_label=ignore_label, output_names=output_names,
                         label_names=label_names, has_global_stats=True)
        self.ignore_label = ignore_label
        self.axis = axis

    def update(self, labels, preds):
        if len(labels) != len(preds):
            raise ValueError("Perplexity: %d labels for %d predictions"
                             % (len(labels), len(preds)))
        loss, num = 0., 0
        for label, pred in zip(labels, preds):
            label, pred = to_numpy(label), to_numpy(pred)
            classes = pred.shape[self.axis]
            if label.size * classes != pred.size:
                raise ValueError("shape mismatch: %s vs. %s" % (label.shape, pred.shape))
            probs = numpy.moveaxis(pred, self.axis, -1).reshape(-1, classes)
            label = label.reshape(-1).astype(numpy.int64)
            picked = probs[numpy.arange(label.size), numpy.clip(label, 0, classes - 1)]
            picked = picked.astype(numpy.float64)
            if self.ignore_label is not None:
                ignore = label == self.ignore_label
                num -= int(ignore.sum())
                picked = numpy.where(ignore, 1.0, picked)
            loss -= float(numpy.log(numpy.maximum(1e-10, picked)).sum())
            num += picked.size
        self._add(loss, num)

    def get(self):
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, math.exp(self.sum_metric / self.num_inst))

    def get_global(self):
        if self.global_num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, math.exp(self.global_sum_metric / self.global_num_inst))


@register
@alias("pearsonr")
class PearsonCorrelation(EvalMetric):
    """Pearson correlation of predictions and labels (flattened).

    average 'macro' (default): the mean of the per-update coefficients;
    'micro': the coefficient of all data seen, from running co-moments
    merged exactly batch by batch (Chan et al.'s pairwise update).
    """

    def __init__(self, name="pearsonr", output_names=None, label_names=None, average="macro"):
        if average not in ("macro", "micro"):
            raise ValueError("average must be 'macro' or 'micro', got %r" % (average,))
        self.average = average
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    def reset_micro(self):
        # count, means, and co-moment sums (sum of products of deviations)
        self._n, self._mean_l, self._mean_p = 0, 0., 0.
        self._sse_l = self._sse_p = self._cov = 0.

    def reset(self):
        super().reset()
        self.reset_micro()

    def _merge(self, label, pred):
        n_b = label.size
        mean_l, mean_p = label.mean(), pred.mean()
        dl, dp = label - mean_l, pred - mean_p
        sse_l, sse_p, cov = float(dl @ dl), float(dp @ dp), float(dl @ dp)
        n = self._n + n_b
        delta_l, delta_p = mean_l - self._mean_l, mean_p - self._mean_p
        w = self._n * n_b / n
        self._sse_l += sse_l + delta_l * delta_l * w
        self._sse_p += sse_p + delta_p * delta_p * w
        self._cov += cov + delta_l * delta_p * w
        self._mean_l += delta_l * n_b / n
        self._mean_p += delta_p * n_b / n
        self._n = n

    def update(self, labels, preds):
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            check_label_shapes(label, pred, False, True)
            label = to_numpy(label).ravel().astype(numpy.float64)
            pred = to_numpy(pred).ravel().astype(numpy.float64)
            if self.average == "macro":
                self._add(float(numpy.corrcoef(pred, label)[0, 1]), 1)
            else:
                self._merge(label, pred)
                self._add(0., 1)

    def _micro(self):
        return self._cov / math.sqrt(self._sse_l * self._sse_p)

    def get(self):
        if self.num_inst == 0:
            return (self.name, float("nan"))
        if self.average == "macro":
            return (self.name, self.sum_metric / self.num_inst)
        return (self.name, self._micro())

    def get_global(self):
        if self.global_num_inst == 0:
            return (self.name, float("nan"))
        if self.average == "macro":
            return (self.name, self.global_sum_metric / self.global_num_inst)
        return (self.name, self._micro())


@register
class Loss(EvalMetric):
    """Mean of the values of the outputs (the labels are ignored): for nets that output a loss."""

    def __init__(self, name="loss", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    def update(self, _, preds):
        if not isinstance(preds, (list, tuple)):
            preds = [preds]
        for pred in preds:
            pred = to_numpy(pred)
            self._add(float(pred.sum()), pred.size)


@register
class Torch(Loss):
    """Dummy metric for torch criterions (Loss under the name 'torch')."""

    def __init__(self, name="torch", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names)


@register
class Caffe(Loss):
    """Dummy metric for caffe criterions (Loss under the name 'caffe')."""

    def __init__(self, name="caffe", output_names=None, label_names=None):
        super().__init__(name, output_names=output_names, label_names=label_names)
