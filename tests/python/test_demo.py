"""The main jobs learn: the autograd MLP and the hybridized Gluon CNN on the shipped digits
beat chance clearly, and the CNN reloads with the same accuracy in a fresh process."""
import os
import runpy
import sys

DEMO = os.path.join(os.path.dirname(__file__), "..", "..", "demo")


def test_demo_mlp_trains_to_high_accuracy(capsys):
    sys.path.insert(0, DEMO)
    try:
        demo = runpy.run_path(os.path.join(DEMO, "train_mlp.py"))
        final = demo["main"](epochs=4, min_accuracy=0.85)  # SystemExit below that
    finally:
        sys.path.remove(DEMO)
    out = capsys.readouterr().out
    first = float(out.split("epoch 0: test accuracy ")[1].split()[0])
    assert first < 0.3  # untrained: near chance (0.1)
    assert float(out.split("final test accuracy: ")[1].split()[0]) == round(final, 3)
    assert "[##############################]" in out  # the progress bar completes


def test_demo_gluon_cnn_trains_saves_and_reloads(capsys, tmp_path):
    sys.path.insert(0, DEMO)
    try:
        demo = runpy.run_path(os.path.join(DEMO, "train_cnn_gluon.py"))
        final, reloaded = demo["train"](epochs=4, out_dir=str(tmp_path), min_accuracy=0.85)
    finally:
        sys.path.remove(DEMO)
    out = capsys.readouterr().out
    assert float(out.split("epoch 0: test accuracy ")[1].split()[0]) < 0.3  # near chance
    assert final >= 0.85
    assert reloaded == round(final, 4)  # the fresh process reports the same accuracy
    assert (tmp_path / "lenet.params").exists()
    assert "images/s" in out and "[##############################]" in out
