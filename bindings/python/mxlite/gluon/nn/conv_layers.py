"""Convolution, transposed convolution, pooling and padding layers (MXNet 1.9
gluon.nn), on the Convolution / Deconvolution / Pooling / Pad ops."""
from numbers import Number

from ..block import HybridBlock
from .activations import Activation

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
           "Conv3DTranspose", "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D",
           "AvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
           "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D", "ReflectionPad2D"]


def _weight_shapes(op_name, layout, channels, in_channels, groups, kernel):
    """(weight, bias) shapes; in_channels 0 (unknown until the first forward)
    stays 0.  Convolution weights are (channels, in_channels/groups, *kernel)
    and Deconvolution weights (in_channels, channels/groups, *kernel); with
    the channel-last layouts the channel axis of the weight moves last."""
    if op_name == "Convolution":
        outer, inner = channels, in_channels // groups
    else:
        outer, inner = in_channels, channels // groups
    kernel = tuple(kernel)
    if layout.endswith("C"):
        weight = (outer,) + kernel + (inner,)
    else:
        weight = (outer, inner) + kernel
    return weight, (channels,)


def _tuple(value, n, what):
    if isinstance(value, Number):
        return (int(value),) * n
    value = tuple(value)
    if len(value) != n:
        raise ValueError(f"{what} must be a number or a list of {n} ints, got {value}")
    return value


class _Conv(HybridBlock):
    """N-D convolution (or its transpose when op_name is 'Deconvolution')."""

    def __init__(self, channels, kernel_size, strides, padding, dilation, groups, layout,
                 in_channels=0, activation=None, use_bias=True, weight_initializer=None,
                 bias_initializer="zeros", op_name="Convolution", adj=None, prefix=None,
                 params=None):
        super().__init__(prefix=prefix, params=params)
        with self.name_scope():
            self._channels = channels
            self._in_channels = in_channels
            n = len(kernel_size)
            strides = _tuple(strides, n, "strides")
            padding = _tuple(padding, n, "padding")
            dilation = _tuple(dilation, n, "dilation")
            self._op_name = op_name
            self._kwargs = {"kernel": kernel_size, "stride": strides, "dilate": dilation,
                            "pad": padding, "num_filter": channels, "num_group": groups,
                            "no_bias": not use_bias, "layout": layout}
            if adj is not None:
                self._kwargs["adj"] = adj
            wshape, bshape = _weight_shapes(op_name, layout, channels, in_channels, groups,
                                            kernel_size)
            self.weight = self.params.get("weight", shape=wshape, init=weight_initializer,
                                          allow_deferred_init=True)
            if use_bias:
                self.bias = self.params.get("bias", shape=bshape, init=bias_initializer,
                                            allow_deferred_init=True)
            else:
                self.bias = None
            self.act = Activation(activation, prefix=activation + "_") \
                if activation is not None else None

    def hybrid_forward(self, F, x, weight, bias=None):
        op = getattr(F, self._op_name)
        if bias is None:
            act = op(x, weight, name="fwd", **self._kwargs)
        else:
            act = op(x, weight, bias, name="fwd", **self._kwargs)
        if self.act is not None:
            act = self.act(act)
        return act

    def _alias(self):
        return "conv"

    def __repr__(self):
        k = self._kwargs
        n = len(k["kernel"])
        s = f"{self.__class__.__name__}({{mapping}}, kernel_size={k['kernel']}, stride={k['stride']}"
        if k["pad"] != (0,) * n:
            s += f", padding={k['pad']}"
        if k["dilate"] != (1,) * n:
            s += f", dilation={k['dilate']}"
        if hasattr(self, "outpad") and self.outpad != (0,) * n:
            s += f", output_padding={self.outpad}"
        if k["num_group"] != 1:
            s += f", groups={k['num_group']}"
        if self.bias is None:
            s += ", bias=False"
        if self.act:
            s += f", {self.act}"
        s += ")"
        shape = self.weight.shape
        return s.format(mapping=f"{shape[1] if shape[1] else None} -> {shape[0]}")


def _dflt(value, dims):
    """MXNet's default for a per-axis argument: a bare int for 1-D layers."""
    return value if dims == 1 else (value,) * dims


def _conv_init(cls_name, dims, layouts):
    def init(self, channels, kernel_size, strides=_dflt(1, dims), padding=_dflt(0, dims),
             dilation=_dflt(1, dims), groups=1, layout=layouts[0], activation=None, use_bias=True,
             weight_initializer=None, bias_initializer="zeros", in_channels=0, **kwargs):
        if layout not in layouts:
            raise ValueError(f"{cls_name}: only supports {' and '.join(map(repr, layouts))} "
                             f"layout for now, got {layout!r}")
        kernel_size = _tuple(kernel_size, dims, "kernel_size")
        _Conv.__init__(self, channels, kernel_size, strides, padding, dilation, groups, layout,
                       in_channels, activation, use_bias, weight_initializer, bias_initializer,
                       **kwargs)
    return init


def _deconv_init(cls_name, dims, layouts):
    def init(self, channels, kernel_size, strides=_dflt(1, dims), padding=_dflt(0, dims),
             output_padding=_dflt(0, dims), dilation=_dflt(1, dims), groups=1, layout=layouts[0],
             activation=None, use_bias=True, weight_initializer=None, bias_initializer="zeros",
             in_channels=0, **kwargs):
        if layout not in layouts:
            raise ValueError(f"{cls_name}: only supports {' and '.join(map(repr, layouts))} "
                             f"layout for now, got {layout!r}")
        kernel_size = _tuple(kernel_size, dims, "kernel_size")
        output_padding = _tuple(output_padding, dims, "output_padding")
        _Conv.__init__(self, channels, kernel_size, strides, padding, dilation, groups, layout,
                       in_channels, activation, use_bias, weight_initializer, bias_initializer,
                       op_name="Deconvolution", adj=output_padding, **kwargs)
        self.outpad = output_padding
    return init


class Conv1D(_Conv):
    """1-D convolution over (N, C, W) inputs."""
    __init__ = _conv_init("Conv1D", 1, ("NCW", "NWC"))


class Conv2D(_Conv):
    """2-D convolution over (N, C, H, W) inputs: weight (channels, in_channels/groups, kh, kw)."""
    __init__ = _conv_init("Conv2D", 2, ("NCHW", "NHWC"))


class Conv3D(_Conv):
    """3-D convolution over (N, C, D, H, W) inputs."""
    __init__ = _conv_init("Conv3D", 3, ("NCDHW", "NDHWC"))


class Conv1DTranspose(_Conv):
    """1-D transposed convolution (Deconvolution)."""
    __init__ = _deconv_init("Conv1DTranspose", 1, ("NCW", "NWC"))


class Conv2DTranspose(_Conv):
    """2-D transposed convolution: weight (in_channels, channels/groups, kh, kw)."""
    __init__ = _deconv_init("Conv2DTranspose", 2, ("NCHW", "NHWC"))


class Conv3DTranspose(_Conv):
    """3-D transposed convolution."""
    __init__ = _deconv_init("Conv3DTranspose", 3, ("NCDHW", "NDHWC"))


class _Pooling(HybridBlock):
    """Max/average pooling (global_pool: over the whole spatial extent)."""

    def __init__(self, pool_size, strides, padding, ceil_mode, global_pool, pool_type, layout,
                 count_include_pad=None, **kwargs):
        super().__init__(**kwargs)
        if strides is None:
            strides = pool_size
        strides = _tuple(strides, len(pool_size), "strides")
        padding = _tuple(padding, len(pool_size), "padding")
        self._kwargs = {"kernel": pool_size, "stride": strides, "pad": padding,
                        "global_pool": global_pool, "pool_type": pool_type, "layout": layout,
                        "pooling_convention": "full" if ceil_mode else "valid"}
        if count_include_pad is not None:
            self._kwargs["count_include_pad"] = count_include_pad

    def _alias(self):
        return "pool"

    def hybrid_forward(self, F, x):
        return F.Pooling(x, name="fwd", **self._kwargs)

    def __repr__(self):
        k = self._kwargs
        return (f"{self.__class__.__name__}(size={k['kernel']}, stride={k['stride']}, "
                f"padding={k['pad']}, ceil_mode={k['pooling_convention'] == 'full'}, "
                f"global_pool={k['global_pool']}, pool_type={k['pool_type']}, "
                f"layout={k['layout']})")


def _check_layout(name, layout, layouts):
    if layout not in layouts:
        raise ValueError(f"{name}: only supports {' and '.join(map(repr, layouts))} layout for "
                         f"now, got {layout!r}")


_LAYOUTS = {1: ("NCW", "NWC"), 2: ("NCHW", "NHWC"), 3: ("NCDHW", "NDHWC")}


# MXNet 1.9's positional order of layout and ceil_mode differs between the
# pooling layers (MaxPool1D/2D and AvgPool1D: layout first); kept, so
# positional calls mean the same.
def _max_pool_init(name, dims):
    def body(self, pool_size, strides, padding, layout, ceil_mode, kwargs):
        _check_layout(name, layout, _LAYOUTS[dims])
        pool_size = _tuple(pool_size, dims, "pool_size")
        _Pooling.__init__(self, pool_size, strides, padding, ceil_mode, False, "max", layout,
                          **kwargs)

    if dims < 3:
        def init(self, pool_size=_dflt(2, dims), strides=None, padding=0,
                 layout=_LAYOUTS[dims][0], ceil_mode=False, **kwargs):
            body(self, pool_size, strides, padding, layout, ceil_mode, kwargs)
    else:
        def init(self, pool_size=_dflt(2, dims), strides=None, padding=0, ceil_mode=False,
                 layout=_LAYOUTS[dims][0], **kwargs):
            body(self, pool_size, strides, padding, layout, ceil_mode, kwargs)
    return init


def _avg_pool_init(name, dims):
    def body(self, pool_size, strides, padding, layout, ceil_mode, count_include_pad, kwargs):
        _check_layout(name, layout, _LAYOUTS[dims])
        pool_size = _tuple(pool_size, dims, "pool_size")
        _Pooling.__init__(self, pool_size, strides, padding, ceil_mode, False, "avg", layout,
                          count_include_pad, **kwargs)

    if dims == 1:
        def init(self, pool_size=2, strides=None, padding=0, layout="NCW", ceil_mode=False,
                 count_include_pad=True, **kwargs):
            body(self, pool_size, strides, padding, layout, ceil_mode, count_include_pad, kwargs)
    else:
        def init(self, pool_size=_dflt(2, dims), strides=None, padding=0, ceil_mode=False,
                 layout=_LAYOUTS[dims][0], count_include_pad=True, **kwargs):
            body(self, pool_size, strides, padding, layout, ceil_mode, count_include_pad, kwargs)
    return init


def _global_pool_init(name, dims, pool_type):
    def init(self, layout=_LAYOUTS[dims][0], **kwargs):
        _check_layout(name, layout, _LAYOUTS[dims])
        _Pooling.__init__(self, (1,) * dims, None, 0, True, True, pool_type, layout, **kwargs)
    return init


class MaxPool1D(_Pooling):
    """Max pooling over (N, C, W)."""
    __init__ = _max_pool_init("MaxPool1D", 1)


class MaxPool2D(_Pooling):
    """Max pooling over (N, C, H, W); strides default to pool_size."""
    __init__ = _max_pool_init("MaxPool2D", 2)


class MaxPool3D(_Pooling):
    """Max pooling over (N, C, D, H, W)."""
    __init__ = _max_pool_init("MaxPool3D", 3)


class AvgPool1D(_Pooling):
    """Average pooling over (N, C, W)."""
    __init__ = _avg_pool_init("AvgPool1D", 1)


class AvgPool2D(_Pooling):
    """Average pooling over (N, C, H, W)."""
    __init__ = _avg_pool_init("AvgPool2D", 2)


class AvgPool3D(_Pooling):
    """Average pooling over (N, C, D, H, W)."""
    __init__ = _avg_pool_init("AvgPool3D", 3)


class GlobalMaxPool1D(_Pooling):
    """Max over the whole W: (N, C, W) -> (N, C, 1)."""
    __init__ = _global_pool_init("GlobalMaxPool1D", 1, "max")


class GlobalMaxPool2D(_Pooling):
    """Max over H and W: (N, C, H, W) -> (N, C, 1, 1)."""
    __init__ = _global_pool_init("GlobalMaxPool2D", 2, "max")


class GlobalMaxPool3D(_Pooling):
    """Max over D, H and W."""
    __init__ = _global_pool_init("GlobalMaxPool3D", 3, "max")


class GlobalAvgPool1D(_Pooling):
    """Mean over the whole W."""
    __init__ = _global_pool_init("GlobalAvgPool1D", 1, "avg")


class GlobalAvgPool2D(_Pooling):
    """Mean over H and W: (N, C, H, W) -> (N, C, 1, 1)."""
    __init__ = _global_pool_init("GlobalAvgPool2D", 2, "avg")


class GlobalAvgPool3D(_Pooling):
    """Mean over D, H and W."""
    __init__ = _global_pool_init("GlobalAvgPool3D", 3, "avg")


class ReflectionPad2D(HybridBlock):
    """Pads H and W of (N, C, H, W) by reflection; padding: int or 8-tuple
    (MXNet's pad_width, the first four 0)."""

    def __init__(self, padding=0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, Number):
            padding = (0, 0, 0, 0, padding, padding, padding, padding)
        padding = tuple(padding)
        if len(padding) != 8:
            raise ValueError(f"ReflectionPad2D: padding must be an int or 8 ints, got {padding}")
        self._padding = padding

    def hybrid_forward(self, F, x):
        return F.pad(x, mode="reflect", pad_width=self._padding)
