"""The main job learns: softmax regression on the demo's data beats chance clearly."""
import os
import runpy


def test_demo_trains_to_high_accuracy(capsys):
    path = os.path.join(os.path.dirname(__file__), "..", "..", "demo", "train_softmax_regression.py")
    demo = runpy.run_path(path)
    demo["main"](epochs=3)  # raises SystemExit if accuracy stays below 0.8
    out = capsys.readouterr().out
    first = float(out.split("epoch 0: test accuracy ")[1].split()[0])
    final = float(out.split("final test accuracy: ")[1].split()[0])
    assert first < 0.4 < 0.8 < final
