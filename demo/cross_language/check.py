"""Cross-language demo check: one model trained and exported by Python is
loaded and run by the R, Scala and JavaScript bindings; each must reproduce
Python's softmax outputs to 1e-5 (max abs diff).

Usage: check.py OUT_DIR [--lib build/libmxlite.so] [--rlib build/rlib]
Prints a table (language, max abs diff, argmax agreement) and a closing
"N passed, N failed" line, one check per language; exits non-zero on failure.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
TOL = 1e-5


def run(cmd, cwd=None, env=None):
    """Run a command; return its stdout, or raise with its stderr (so a failing
    predictor's message appears in the log next to the table)."""
    res = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {res.returncode}:\n{res.stderr[-3000:]}"
                           f"{res.stdout[-2000:]}")
    return res.stdout


def last_json_line(text):
    """The predictor's one JSON line (tools may print banners before it)."""
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"no JSON line in the output:\n{text[-2000:]}")


def predict_r(out_dir, lib, rlib):
    env = dict(os.environ, MXLITE_LIBRARY=lib)
    return run(["Rscript", os.path.join(HERE, "predict.R"), out_dir, rlib], env=env)


def predict_js(out_dir, lib):
    env = dict(os.environ, MXLITE_LIBRARY=lib)
    return run(["node", os.path.join(HERE, "predict.mjs"), out_dir], env=env)


def predict_scala(out_dir, lib):
    # As bench/bindings/scala_overhead.sh: compile the test classes (incremental
    # after `mvn test`), get the classpath, then run the main class with java.
    scala = os.path.join(ROOT, "bindings", "scala")
    run(["mvn", "-B", "-q", "-ntp", "test-compile", "dependency:build-classpath",
         "-Dmdep.outputFile=target/classpath.txt", "-Dmdep.includeScope=test"], cwd=scala)
    with open(os.path.join(scala, "target", "classpath.txt")) as f:
        cp = "target/classes:target/test-classes:" + f.read().strip()
    return run(["java", f"-Dmxlite.library={lib}", "-cp", cp,
                "org.mxlite.demo.CrossLanguagePredict", out_dir], cwd=scala)


def load(doc):
    return np.asarray(doc["data"], dtype=np.float64).reshape(doc["shape"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--lib", default=os.environ.get("MXLITE_LIBRARY",
                                                    os.path.join(ROOT, "build", "libmxlite.so")))
    ap.add_argument("--rlib", default=os.path.join(ROOT, "build", "rlib"))
    args = ap.parse_args()
    out_dir, lib, rlib = (os.path.abspath(p) for p in (args.out_dir, args.lib, args.rlib))

    print("== training and exporting the model in Python", flush=True)
    sys.stdout.write(run([sys.executable, os.path.join(HERE, "train_and_save.py"), out_dir],
                         env=dict(os.environ, MXLITE_LIBRARY=lib)))
    with open(os.path.join(out_dir, "python_predictions.json")) as f:
        want = load(json.load(f))

    predictors = [("R", lambda: predict_r(out_dir, lib, rlib)),
                  ("Scala", lambda: predict_scala(out_dir, lib)),
                  ("JavaScript", lambda: predict_js(out_dir, lib))]
    rows, passed, failed = [], 0, 0
    for lang, predict in predictors:
        print(f"== predicting in {lang}", flush=True)
        try:
            got = load(last_json_line(predict()))
            if got.shape != want.shape:
                raise RuntimeError(f"shape {got.shape}, expected {want.shape}")
            diff = float(np.abs(got - want).max())
            agree = int((got.argmax(axis=1) == want.argmax(axis=1)).sum())
            ok = diff <= TOL and agree == len(want)
            rows.append((lang, f"{diff:.2e}", f"{agree}/{len(want)}", "ok" if ok else "FAIL"))
        except Exception as e:  # a predictor that cannot run is a failed check
            print(e, file=sys.stderr)
            ok = False
            rows.append((lang, "-", "-", "FAIL (error)"))
        passed, failed = passed + ok, failed + (not ok)

    print()
    print(f"{'language':<12}{'max abs diff':>14}{'argmax agree':>15}  result")
    for lang, diff, agree, result in rows:
        print(f"{lang:<12}{diff:>14}{agree:>15}  {result}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
