"""The one place where numpy arrays become bytes for the browser, and back.

Wire format
-----------
An array travels as a dict ``{"dtype", "shape", "buffer"}`` whose ``buffer`` is a little-endian, C-ordered
memoryview that ipywidgets sends as a binary buffer (never as a JSON list). Supported dtypes:

``float32``
    Exact for float32 data; float64 data is rounded to the nearest float32 (relative error <= 2**-24).
``float16``
    Half the bytes; relative error <= 2**-11 inside float16's range (|x| <= 65504), inf beyond it.
``int32``
    Exact for integers in int32's range; anything else is rejected.
``uint8`` (quantised, lossy)
    ``x ≈ offset + q * scale`` with ``q`` in 0..255; the payload carries ``scale`` and ``offset``. The
    maximum absolute error is ``scale / 2 = (max - min) / 510`` (see :func:`quantization_error_bound`), plus
    the float32 rounding of the decoded value.
    NaN and infinite values cannot be quantised and are rejected.

The JavaScript twin is ``js/src/lib/codecs.ts``.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

WireDType = Literal["float32", "float16", "int32", "uint8"]
WIRE_DTYPES: tuple[WireDType, ...] = ("float32", "float16", "int32", "uint8")
_NUMPY_DTYPE = {"float32": "<f4", "float16": "<f2", "int32": "<i4", "uint8": "u1"}
_INT32 = np.iinfo(np.int32)


def encode(array: Any, dtype: WireDType = "float32") -> dict[str, Any]:
    """Turn an array-like into a binary payload for a synced trait.

    Parameters
    ----------
    array : array_like
        Any numeric array: non-contiguous, big-endian, 0-d and empty arrays are all accepted.
    dtype : {"float32", "float16", "int32", "uint8"}
        The wire dtype. ``"uint8"`` quantises linearly between the array's minimum and maximum, except a ``uint8``
        array (pixels, colour levels), which travels as it is.

    Returns
    -------
    dict
        ``{"dtype", "shape", "buffer"}`` plus ``"scale"`` and ``"offset"`` for quantised ``"uint8"``.

    Raises
    ------
    ValueError
        Unknown dtype, non-numeric data, integers outside int32, or NaN/inf given to ``"uint8"``.
    """
    if dtype not in WIRE_DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(WIRE_DTYPES)}; received {dtype!r}")
    arr = np.asarray(array)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"encode expects a numeric array; received dtype {arr.dtype}")
    shape = [int(n) for n in arr.shape]
    if dtype == "uint8" and arr.dtype != np.uint8:
        return _quantize(arr, shape)
    if dtype == "int32":
        _check_int32(arr)
    wire = np.ascontiguousarray(arr, dtype=_NUMPY_DTYPE[dtype])
    return {"dtype": dtype, "shape": shape, "buffer": memoryview(wire.reshape(-1).view(np.uint8))}


def decode(payload: dict[str, Any]) -> np.ndarray:
    """Turn a payload made by :func:`encode` (or by the browser) back into a numpy array.

    Quantised ``uint8`` payloads come back as float32 ``offset + q * scale``.
    """
    if not isinstance(payload, dict) or not {"dtype", "shape", "buffer"} <= payload.keys():
        raise ValueError("decode expects a dict with keys dtype, shape and buffer")
    dtype = payload["dtype"]
    if dtype not in WIRE_DTYPES:
        raise ValueError(f"payload dtype must be one of {', '.join(WIRE_DTYPES)}; received {dtype!r}")
    shape = tuple(int(n) for n in payload["shape"])
    raw = np.frombuffer(memoryview(payload["buffer"]).cast("B"), dtype=_NUMPY_DTYPE[dtype])
    expected = int(np.prod(shape, dtype=np.int64))
    if raw.size != expected:
        raise ValueError(f"payload buffer holds {raw.size} {dtype} values; shape {shape} needs {expected}")
    out = raw.reshape(shape)
    if dtype == "uint8" and "scale" in payload:
        return (float(payload["offset"]) + out * float(payload["scale"])).astype(np.float32)
    return out.astype(out.dtype.newbyteorder("="))


def quantization_error_bound(array: Any) -> float:
    """The largest absolute error that ``uint8`` quantisation can make on ``array``: ``(max - min) / 510``."""
    arr = np.asarray(array, dtype=np.float64)
    if arr.size == 0:
        return 0.0
    return float(arr.max() - arr.min()) / 510.0


def _quantize(arr: np.ndarray, shape: list[int]) -> dict[str, Any]:
    values = arr.astype(np.float64, copy=False)
    if values.size and not np.all(np.isfinite(values)):
        raise ValueError("uint8 quantisation needs finite values; received NaN or inf (use float32 instead)")
    lo = float(values.min()) if values.size else 0.0
    hi = float(values.max()) if values.size else 0.0
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    q = np.rint((values - lo) / scale).clip(0, 255).astype(np.uint8)
    return {
        "dtype": "uint8",
        "shape": shape,
        "buffer": memoryview(np.ascontiguousarray(q).reshape(-1)),
        "scale": scale,
        "offset": lo,
    }


def _check_int32(arr: np.ndarray) -> None:
    if arr.size == 0:
        return
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr) & (arr == np.round(arr))):
        raise ValueError("int32 needs whole numbers; received non-integer floats")
    if arr.min() < _INT32.min or arr.max() > _INT32.max:
        raise ValueError(f"int32 holds {_INT32.min}..{_INT32.max}; received values up to {arr.max()}")


def serializers(dtype: WireDType | Any = "float32") -> dict[str, Any]:
    """ipywidgets ``to_json``/``from_json`` hooks that send an array trait as ``dtype`` bytes (``None`` stays);
    ``dtype`` may be a function of the widget that returns the wire dtype."""

    def to_json(value: np.ndarray | None, widget: object) -> dict[str, Any] | None:
        if value is None:
            return None
        return encode(value, dtype(widget) if callable(dtype) else dtype)

    def from_json(value: dict[str, Any] | None, widget: object) -> np.ndarray | None:
        return None if value is None else decode(value)

    return {"to_json": to_json, "from_json": from_json}


# -- custom messages ---------------------------------------------------------------------------------------
#: the placeholder that stands for the i-th binary buffer of a message: {BUFFER_KEY: i}
BUFFER_KEY = "__iw_buffer__"


def pack(content: Any) -> tuple[Any, list[memoryview]]:
    """Split a message into JSON and its binary buffers: every ``memoryview``/``bytes`` in ``content`` (as made by
    :func:`encode`) is replaced by ``{"__iw_buffer__": i}`` and travels as the message's i-th buffer, never inside
    the JSON. ``js/src/lib/codecs.ts`` ``unpack`` puts them back."""
    buffers: list[memoryview] = []

    def walk(value: Any) -> Any:
        if isinstance(value, memoryview | bytes | bytearray):
            buffers.append(memoryview(value))
            return {BUFFER_KEY: len(buffers) - 1}
        if isinstance(value, dict):
            return {str(k): walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        return value

    return walk(content), buffers


def unpack(content: Any, buffers: list[Any]) -> Any:
    """Inverse of :func:`pack`: put each buffer back where its placeholder stands."""
    if isinstance(content, dict):
        if set(content) == {BUFFER_KEY}:
            return memoryview(buffers[int(content[BUFFER_KEY])])
        return {k: unpack(v, buffers) for k, v in content.items()}
    if isinstance(content, list):
        return [unpack(v, buffers) for v in content]
    return content


# -- precision ------------------------------------------------------------------------------------------------
#: arrays smaller than this travel at full precision: the bytes saved are not worth a digit
FLOAT16_MIN_SIZE = 1_000_000
#: the widest axis a view draws on, in pixels: float16 must not move anything by one of them
FLOAT16_PIXELS = 2048


def wire_values(values: Any, feature_axes: tuple[int, ...] = (1,), pixels: int = FLOAT16_PIXELS) -> np.ndarray:
    """Attribution ``values`` as they should travel: float16 when that makes no visible difference, else float32.

    float16 when there are at least ``FLOAT16_MIN_SIZE`` values and float16's rounding moves neither any value nor
    any instance's sum over ``feature_axes`` (the output a force plot ends at) by more than ``1 / pixels`` of their
    range: under a pixel on an axis ``pixels`` wide. Views print float16 contributions to 3 significant digits. The
    check runs in float32 (its own rounding is 2**13 times finer than float16's) and in place: it costs less than the
    bytes it saves.
    """
    single = np.asarray(values, dtype=np.float32)
    if single.size < FLOAT16_MIN_SIZE or not np.all(np.isfinite(single)):
        return single
    with np.errstate(over="ignore"):
        half = single.astype(np.float16)
    error = half.astype(np.float32)
    if not np.all(np.isfinite(error)):  # beyond float16's range
        return single
    np.subtract(error, single, out=error)
    span = float(single.max()) - float(single.min())
    if span == 0 or max(float(error.max()), -float(error.min())) > span / pixels:
        return single
    sums = single.sum(axis=feature_axes, dtype=np.float64)
    sum_error = float(np.abs(error.sum(axis=feature_axes, dtype=np.float64)).max())
    return half if sum_error <= max(float(sums.max() - sums.min()), span) / pixels else single
