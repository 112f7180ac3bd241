"""The main job learns: the MLP demo on the shipped digits beats chance clearly."""
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
