"""Block.summary: one forward with hooks that record each layer's output
shape and parameter counts, printed as MXNet 1.9 prints them."""
from collections import OrderedDict

from ._graph import flatten as _flatten


def _shape_str(args):
    flat, fmt = _flatten(args, "output")
    shapes = [x.shape for x in flat if x is not None]

    def rebuild(f, it):
        if isinstance(f, int):
            return next(it) if f == 0 else (None if f == -1 else [next(it) for _ in range(f)])
        return [rebuild(i, it) for i in f]

    res = rebuild(fmt, iter(shapes))
    return res


def print_summary(net, inputs):
    """The table for one forward of `inputs` through block `net`."""
    from .block import HybridBlock
    summary = OrderedDict()
    seen = set()
    hooks = []

    def _summary_hook(block, _, outputs):
        key = f"{block.__class__.__name__}-{len(summary)}"
        entry = summary[key] = {"output_shape": _shape_str(outputs), "n_params": 0,
                                "trainable": 0, "shared": 0}
        for p in block.params.values():
            size = p.data().size
            entry["n_params"] += size
            entry["trainable"] += 0 if p.grad_req == "null" else size
            if p in seen:
                entry["shared"] += size
            else:
                seen.add(p)

    def _register(block):
        if isinstance(block, HybridBlock) and block._active:
            raise AssertionError(f"\"{block.name}\" must not be hybridized to print summary.")
        from .nn.basic_layers import HybridSequential, Sequential
        if not isinstance(block, (Sequential, HybridSequential)):
            hooks.append(block.register_forward_hook(_summary_hook))

    summary["Input"] = {"output_shape": _shape_str(list(inputs) if len(inputs) > 1
                                                   else inputs[0]),
                        "n_params": 0, "trainable": 0, "shared": 0}
    try:
        net.apply(_register)
        net(*inputs)
        line = "{:>20}  {:>42} {:>15}"
        print("-" * 80)
        print(line.format("Layer (type)", "Output Shape", "Param #"))
        print("=" * 80)
        total = trainable = shared = 0
        for layer, entry in summary.items():
            print(line.format(layer, str(entry["output_shape"]), entry["n_params"]))
            total += entry["n_params"]
            trainable += entry["trainable"]
            shared += entry["shared"]
        print("=" * 80)
        print("Parameters in forward computation graph, duplicate included")
        print("   Total params: " + str(total))
        print("   Trainable params: " + str(trainable))
        print("   Non-trainable params: " + str(total - trainable))
        print("Shared params in forward computation graph: " + str(shared))
        print("Unique parameters in model: " + str(total - shared))
        print("-" * 80)
    finally:
        for h in hooks:
            h.detach()
