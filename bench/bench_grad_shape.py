"""Forward + backward of the linear-algebra, shape and indexing ops under autograd.

    python bench/bench_grad_shape.py [--peers PATH_TO_PEERS_PYTHON]

The same MXNet 1.x code runs on mxlite and on MXNet 1.9.1 (`import mxlite as mx`
vs `import mxnet as mx`, the latter in .venv-peers when installed).  Each case
records the op on float32 inputs, runs backward with a fixed head gradient and
waits for the input gradient.  Medians of several runs; ratio = MXNet / mxlite."""
import argparse
import json
import os
import subprocess

import numpy as np
from timing import median_time

HERE = os.path.dirname(os.path.abspath(__file__))




def cases(mx):
    rng = np.random.default_rng(0)
    f32 = lambda *s: mx.nd.array(rng.standard_normal(s).astype(np.float32))  # noqa: E731

    def case(inputs, fn, consts=()):
        for x in inputs:
            x.attach_grad()
        with mx.autograd.record():
            y = fn(*inputs, *consts)
        head = mx.nd.ones(y.shape) * 0.5

        def step():
            with mx.autograd.record():
                out = fn(*inputs, *consts)
            out.backward(head)
            for x in inputs:
                x.grad.wait_to_read()
        return step

    idx = mx.nd.array(rng.integers(0, 30000, size=4096).astype(np.float32))
    nd_idx = mx.nd.array(rng.integers(0, 512, size=(2, 8192)).astype(np.float32))
    return {
        "dot 512x512 . 512x512": (case([f32(512, 512), f32(512, 512)], mx.nd.dot), 20),
        "dot 64x1024 . 1024x1024 (FC-like)":
            (case([f32(64, 1024), f32(1024, 1024)], mx.nd.dot), 20),
        "batch_dot 64 x (64x64 . 64x64)":
            (case([f32(64, 64, 64), f32(64, 64, 64)], mx.nd.batch_dot), 20),
        "take 30000x128 rows, 4096 indices (embedding)":
            (case([f32(30000, 128)], lambda w, i: mx.nd.take(w, i), (idx,)), 20),
        "gather_nd 512x512x16, 8192 tuples":
            (case([f32(512, 512, 16)], lambda d, i: mx.nd.gather_nd(d, i), (nd_idx,)), 20),
        "slice_axis 2048x1024 [:, 256:768]":
            (case([f32(2048, 1024)], lambda x: mx.nd.slice_axis(x, axis=1, begin=256, end=768)),
             20),
        "slice 2048x1024 [::2, ::2]":
            (case([f32(2048, 1024)], lambda x: mx.nd.slice(x, begin=(None, None),
                                                           end=(None, None), step=(2, 2))), 20),
        "Concat 4 x 1024x256 along dim 1":
            (case([f32(1024, 256) for _ in range(4)],
                  lambda *xs: mx.nd.Concat(*xs, dim=1, num_args=4)), 20),
        "split 1024x1024 into 4 (dim 1), all used":
            (case([f32(1024, 1024)],
                  lambda x: mx.nd.Concat(*mx.nd.split(x, num_outputs=4, axis=1), dim=0,
                                         num_args=4)), 20),
        "transpose 1024x1024":
            (case([f32(1024, 1024)], lambda x: mx.nd.transpose(x)), 20),
        "tile 256x256 reps (4, 4)":
            (case([f32(256, 256)], lambda x: mx.nd.tile(x, reps=(4, 4))), 20),
        "repeat 512x512 x4 axis 1":
            (case([f32(512, 512)], lambda x: mx.nd.repeat(x, repeats=4, axis=1)), 20),
        "Reshape + expand_dims 1024x1024":
            (case([f32(1024, 1024)],
                  lambda x: mx.nd.expand_dims(mx.nd.Reshape(x, shape=(512, -1)), axis=0)), 20),
    }


def measure(framework):
    mx = __import__(framework)
    return {name: median_time(step, number, repeat=5, warmup=2)
            for name, (step, number) in cases(mx).items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework")
    ap.add_argument("--peers", default=os.path.join(HERE, "..", ".venv-peers", "bin", "python"))
    args = ap.parse_args()
    if args.framework:
        print(json.dumps(measure(args.framework)))
        return
    ours = measure("mxlite")
    peer = {}
    if os.path.exists(args.peers):
        p = subprocess.run([args.peers, __file__, "--framework", "mxnet"], capture_output=True,
                           text=True, env=dict(os.environ, OMP_NUM_THREADS="2"))
        if p.returncode == 0:
            peer = json.loads(p.stdout.strip().splitlines()[-1])
        else:
            print(p.stderr[-2000:])
    print("\n## forward + backward, float32 (medians; ratio = MXNet 1.9.1 / mxlite)")
    for name, t in ours.items():
        extra = f"   mxnet {peer[name] * 1e3:8.3f} ms  ratio {peer[name] / t:5.2f}" if name in peer else ""
        print(f"{name:48s} {t * 1e3:8.3f} ms{extra}")


if __name__ == "__main__":
    main()
