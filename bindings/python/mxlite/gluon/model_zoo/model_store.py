"""Local lookup of pretrained parameter files.

mxlite never downloads: `pretrained=True` loads MXNet 1.9's published
`<name>-<hash>.params` file (or a plain `<name>.params`) from `root`, and
otherwise fails with an error that names the file it looked for."""
import glob
import os

__all__ = ["get_model_file", "purge", "data_dir", "default_root"]


def data_dir():
    """MXNet's data directory: $MXNET_HOME, else ~/.mxnet."""
    return os.environ.get("MXNET_HOME", os.path.join(os.path.expanduser("~"), ".mxnet"))


def default_root():
    return os.path.join(data_dir(), "models")


def get_model_file(name, root=None):
    """Path of the local parameter file for model `name` under `root`."""
    root = os.path.expanduser(default_root() if root is None else root)
    exact = os.path.join(root, name + ".params")
    if os.path.isfile(exact):
        return exact
    # MXNet's store names files <name>-<first 8 hex digits of the sha1>.params
    hashed = sorted(p for p in glob.glob(os.path.join(glob.escape(root), glob.escape(name) + "-*.params"))
                    if _is_hash_suffix(os.path.basename(p)[len(name) + 1:-len(".params")]))
    if hashed:
        return hashed[0]
    raise FileNotFoundError(
        f"Pretrained model '{name}': no parameter file found; mxlite does not download "
        f"models. Expected {exact} or {os.path.join(root, name + '-<hash>.params')} "
        f"(MXNet 1.9's model store file). Place it there or pass root=<directory>.")


def purge(root=None):
    """Delete the .params files in `root` (MXNet's model_store.purge)."""
    root = os.path.expanduser(default_root() if root is None else root)
    for path in glob.glob(os.path.join(glob.escape(root), "*.params")):
        os.remove(path)


def _is_hash_suffix(text):
    return len(text) == 8 and all(c in "0123456789abcdef" for c in text.lower())


def load_pretrained(net, name, ctx, root):
    """net.load_parameters from the local file for `name` (see get_model_file)."""
    net.load_parameters(get_model_file(name, root=root), ctx=ctx)
    return net
