"""mx.metric: evaluation metrics (MXNet 1.9 API).

`mx.metric.create('acc')`, `create(['acc', 'ce'])` (a CompositeEvalMetric),
`create(feval)` (a CustomMetric) or the classes themselves; every metric has
update(labels, preds), get(), get_name_value(), reset() and reset_local().
"""
from .base import (EvalMetric, CompositeEvalMetric, CustomMetric, np, create, register, alias,
                   check_label_shapes)
from .classification import Accuracy, TopKAccuracy, F1, MCC, PCC
from .regression import (MAE, MSE, RMSE, CrossEntropy, NegativeLogLikelihood, Perplexity,
                         PearsonCorrelation, Loss, Torch, Caffe)

__all__ = ["EvalMetric", "CompositeEvalMetric", "CustomMetric", "np", "create", "register",
           "alias", "check_label_shapes", "Accuracy", "TopKAccuracy", "F1", "MCC", "PCC", "MAE",
           "MSE", "RMSE", "CrossEntropy", "NegativeLogLikelihood", "Perplexity",
           "PearsonCorrelation", "Loss", "Torch", "Caffe"]
