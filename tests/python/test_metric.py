"""mx.metric against NumPy and hand computations."""
import math

import numpy as np
import pytest

import mxlite as mx

rng = np.random.default_rng(0)


def nd(x):
    return mx.nd.array(np.asarray(x, dtype=np.float32))


def probs(n, c):
    p = rng.random((n, c)) + 0.05
    return p / p.sum(axis=1, keepdims=True)


def test_accuracy_argmax_and_indices():
    p1, l1 = probs(20, 5), rng.integers(0, 5, 20)
    p2, l2 = probs(13, 5), rng.integers(0, 5, 13)
    m = mx.metric.Accuracy()
    m.update([nd(l1)], [nd(p1)])
    m.update(nd(l2), nd(p2))  # single NDArrays are accepted too
    correct = (p1.argmax(1) == l1).sum() + (p2.argmax(1) == l2).sum()
    assert m.get() == ("accuracy", pytest.approx(correct / 33))
    assert m.num_inst == 33
    # predictions shaped like the labels are class indices
    m2 = mx.metric.create("acc")
    m2.update([nd([1, 2, 3])], [nd([1, 0, 3])])
    assert m2.get()[1] == pytest.approx(2 / 3)


def test_accuracy_axis():
    p = probs(12, 4).reshape(3, 4, 4).transpose(0, 2, 1)  # classes on axis 2
    lab = rng.integers(0, 4, (3, 4))
    m = mx.metric.Accuracy(axis=2)
    m.update([nd(lab)], [nd(p)])
    assert m.get()[1] == pytest.approx((p.argmax(2) == lab).mean())


def test_local_and_global_statistics():
    m = mx.metric.Accuracy()
    m.update([nd([0, 1])], [nd([[1, 0], [1, 0]])])
    m.reset_local()
    assert math.isnan(m.get()[1])
    m.update([nd([1])], [nd([[0, 1]])])
    assert m.get()[1] == 1.0 and m.get_global()[1] == pytest.approx(2 / 3)
    assert m.get_name_value() == [("accuracy", 1.0)]
    assert m.get_global_name_value() == [("accuracy", pytest.approx(2 / 3))]
    m.reset()
    assert math.isnan(m.get_global()[1])


def test_topk_accuracy():
    p, lab = probs(50, 10), rng.integers(0, 10, 50)
    m = mx.metric.create("top_k_accuracy", top_k=3)
    m.update([nd(lab)], [nd(p)])
    top3 = np.argsort(-p, axis=1)[:, :3]
    expect = np.mean([lab[i] in top3[i] for i in range(50)])
    assert m.get() == ("top_k_accuracy_3", pytest.approx(expect))
    with pytest.raises(ValueError, match="use Accuracy"):
        mx.metric.TopKAccuracy(top_k=1)


def _confusion(p, lab):
    pl = p.argmax(1)
    tp = ((pl == 1) & (lab == 1)).sum()
    fp = ((pl == 1) & (lab == 0)).sum()
    fn = ((pl == 0) & (lab == 1)).sum()
    tn = ((pl == 0) & (lab == 0)).sum()
    return tp, fp, fn, tn


def _f1(p, lab):
    tp, fp, fn, _ = _confusion(p, lab)
    prec = tp / (tp + fp) if tp + fp else 0.
    rec = tp / (tp + fn) if tp + fn else 0.
    return 2 * prec * rec / (prec + rec) if prec + rec else 0.


def test_f1_macro_and_micro():
    batches = [(probs(30, 2), rng.integers(0, 2, 30)) for _ in range(3)]
    macro, micro = mx.metric.F1(), mx.metric.F1(average="micro")
    for p, lab in batches:
        macro.update([nd(lab)], [nd(p)])
        micro.update([nd(lab)], [nd(p)])
    assert macro.get()[1] == pytest.approx(np.mean([_f1(p, lab) for p, lab in batches]))
    allp = np.concatenate([b[0] for b in batches])
    alll = np.concatenate([b[1] for b in batches])
    assert micro.get()[1] == pytest.approx(_f1(allp, alll))
    assert micro.get_global()[1] == pytest.approx(_f1(allp, alll))
    with pytest.raises(ValueError, match="binary"):
        macro.update([nd([0, 1, 2])], [nd(probs(3, 2))])


def test_mcc():
    p, lab = probs(40, 2), rng.integers(0, 2, 40)
    m = mx.metric.MCC()
    m.update([nd(lab)], [nd(p)])
    tp, fp, fn, tn = _confusion(p, lab)
    expect = (tp * tn - fp * fn) / math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    assert m.get()[1] == pytest.approx(expect)


@pytest.mark.parametrize("name,fn", [
    ("mae", lambda d: np.abs(d).mean()),
    ("mse", lambda d: (d ** 2).mean()),
    ("rmse", lambda d: np.sqrt((d ** 2).mean())),
])
def test_regression_metrics(name, fn):
    m = mx.metric.create(name)
    vals = []
    for n in (7, 11):
        lab, pred = rng.standard_normal(n), rng.standard_normal((n, 1))
        m.update([nd(lab)], [nd(pred)])  # (N,) labels against (N, 1) predictions
        vals.append(fn(lab.reshape(-1, 1) - pred))
    assert m.get() == (name, pytest.approx(np.mean(vals), rel=1e-5))


@pytest.mark.parametrize("name,cls,shown", [("ce", mx.metric.CrossEntropy, "cross-entropy"),
                                            ("nll_loss", mx.metric.NegativeLogLikelihood,
                                             "nll-loss")])
def test_cross_entropy_and_nll(name, cls, shown):
    p, lab = probs(25, 6), rng.integers(0, 6, 25)
    m = mx.metric.create(name)
    assert isinstance(m, cls)
    m.update([nd(lab)], [nd(p)])
    expect = -np.log(p[np.arange(25), lab] + 1e-12).mean()
    assert m.get() == (shown, pytest.approx(expect, rel=1e-5))


def test_perplexity_with_ignore_label():
    p, lab = probs(30, 8), rng.integers(0, 8, 30)
    lab[::4] = 0
    m = mx.metric.Perplexity(ignore_label=0)
    m.update([nd(lab)], [nd(p)])
    keep = lab != 0
    expect = math.exp(-np.log(p[np.arange(30), lab][keep]).mean())
    assert m.get() == ("perplexity", pytest.approx(expect, rel=1e-5))
    # (B, T, C) scores with (B, T) labels, no ignore label
    p3, l3 = probs(12, 5).reshape(3, 4, 5), rng.integers(0, 5, (3, 4))
    m3 = mx.metric.create("perplexity", ignore_label=None)
    m3.update([nd(l3)], [nd(p3)])
    flat = p3.reshape(-1, 5)[np.arange(12), l3.ravel()]
    assert m3.get()[1] == pytest.approx(math.exp(-np.log(flat).mean()), rel=1e-5)


def test_pearson_macro_and_micro():
    batches = [(rng.standard_normal(20), rng.standard_normal(20)) for _ in range(3)]
    batches = [(lab, lab * 0.5 + p) for lab, p in batches]
    macro, micro = mx.metric.create("pearsonr"), mx.metric.PearsonCorrelation(average="micro")
    for lab, p in batches:
        macro.update([nd(lab)], [nd(p)])
        micro.update([nd(lab)], [nd(p)])
    assert macro.get()[1] == pytest.approx(np.mean([np.corrcoef(p, lab)[0, 1]
                                                    for lab, p in batches]), rel=1e-5)
    alll = np.concatenate([b[0] for b in batches]).astype(np.float32)
    allp = np.concatenate([b[1] for b in batches]).astype(np.float32)
    assert micro.get()[1] == pytest.approx(np.corrcoef(allp, alll)[0, 1], rel=1e-5)


def test_loss_metric():
    m = mx.metric.Loss()
    m.update(None, [nd([1.0, 2.0, 3.0])])
    m.update(None, nd([[4.0]]))
    assert m.get() == ("loss", pytest.approx(2.5))
    assert mx.metric.create("torch").get()[0] == "torch"
    assert mx.metric.create("caffe").get()[0] == "caffe"


def test_custom_metric_and_np():
    def frac_close(label, pred):
        return float((np.abs(label - pred.ravel()) < 0.5).sum()), label.size
    m = mx.metric.create(frac_close)
    assert isinstance(m, mx.metric.CustomMetric) and m.name == "frac_close"
    m.update([nd([1, 2, 3])], [nd([1.1, 2.9, 3.2])])
    assert m.get()[1] == pytest.approx(2 / 3)
    m2 = mx.metric.np(lambda l, p: np.abs(l - p).max(), name="maxerr")
    m2.update([nd([1, 2])], [nd([1, 5])])
    m2.update([nd([0])], [nd([1])])
    assert m2.get() == ("maxerr", pytest.approx(2.0))  # (3 + 1) / 2 updates
    with pytest.raises(NotImplementedError):
        m2.get_config()
    anon = mx.metric.np(lambda l, p: 0.0)
    assert anon.name == "custom(<lambda>)"


def test_composite_and_config_round_trip():
    comp = mx.metric.create(["acc", "mse"])
    assert isinstance(comp, mx.metric.CompositeEvalMetric)
    comp.add(mx.metric.MAE())
    lab, p = nd([0, 1]), nd([[0.9, 0.1], [0.2, 0.8]])
    comp.update([lab], [p])
    names, _ = comp.get()
    assert names == ["accuracy", "mse", "mae"]
    assert comp.get_metric(2).name == "mae"
    with pytest.raises(ValueError, match="out of range"):
        comp.get_metric(5)
    cfg = mx.metric.Accuracy(axis=2, name="acc2").get_config()
    again = mx.metric.create(**cfg)
    assert isinstance(again, mx.metric.Accuracy) and again.axis == 2 and again.name == "acc2"


def test_update_dict_selects_names():
    m = mx.metric.Accuracy(output_names=["out"], label_names=["lab"])
    m.update_dict({"lab": nd([1, 0]), "other": nd([5])},
                  {"out": nd([[0, 1], [1, 0]]), "junk": nd([[1]])})
    assert m.get()[1] == 1.0


def test_shape_mismatch_and_unknown_metric():
    with pytest.raises(ValueError, match="does not match"):
        mx.metric.Accuracy().update([nd([1]), nd([0])], [nd([[0, 1]])])
    with pytest.raises(ValueError, match="not registered"):
        mx.metric.create("no_such_metric")


def test_pcc_multiclass_and_binary():
    lab = rng.integers(0, 4, 60)
    p = probs(60, 4)
    p[np.arange(60)[:40], lab[:40]] += 1.0  # mostly right
    m = mx.metric.create("pcc")
    m.update([nd(lab[:30])], [nd(p[:30])])
    m.update([nd(lab[30:])], [nd(p[30:])])
    pred = p.argmax(1)
    # Gorodkin's R_K from counts: (c*s - sum p_k t_k) / sqrt((s^2 - sum p_k^2)(s^2 - sum t_k^2))
    s, c = 60, (pred == lab).sum()
    pk, tk = np.bincount(pred, minlength=4), np.bincount(lab, minlength=4)
    expect = (c * s - pk @ tk) / math.sqrt((s * s - pk @ pk) * (s * s - tk @ tk))
    assert m.get() == ("pcc", pytest.approx(expect))
    # binary: equals MCC
    pb, lb = probs(40, 2), rng.integers(0, 2, 40)
    a, b = mx.metric.PCC(), mx.metric.MCC()
    a.update([nd(lb)], [nd(pb)])
    b.update([nd(lb)], [nd(pb)])
    assert a.get()[1] == pytest.approx(b.get()[1])
    a.reset_local()
    assert math.isnan(a.get()[1]) and a.get_global()[1] == pytest.approx(b.get()[1])
