"""numpy ↔ binary payload round trips, and the fixture the JavaScript codec tests decode."""

from __future__ import annotations

import base64
import json
import pathlib

import numpy as np
import pytest

from interpretwidgets._transfer import decode, encode, quantization_error_bound

FIXTURE = pathlib.Path(__file__).resolve().parents[1] / "js" / "test" / "fixtures" / "python-payloads.json"
RNG = np.random.default_rng(0)


@pytest.mark.parametrize("dtype", ["float32", "float16", "int32", "uint8"])
@pytest.mark.parametrize(
    "make",
    [
        lambda: np.arange(24, dtype=np.float64).reshape(2, 3, 4) - 7,
        lambda: (np.arange(24, dtype=np.float64).reshape(4, 6) - 3)[:, ::2],  # non-contiguous
        lambda: (np.arange(12, dtype=np.float64) * 2).astype(">f8").reshape(3, 4),  # big-endian
        lambda: np.array(5.0),  # 0-d
        lambda: np.zeros((0, 3)),  # empty
        lambda: np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    ],
    ids=["3d", "non-contiguous", "big-endian", "0-d", "empty", "fortran"],
)
def test_round_trip_keeps_shape_and_values(dtype, make):
    original = make()
    payload = encode(original, dtype)
    assert isinstance(payload["buffer"], memoryview)
    assert payload["shape"] == list(original.shape)
    back = decode(payload)
    assert back.shape == original.shape
    if original.size == 0:
        return
    tolerance = quantization_error_bound(original) + 1e-6 if dtype == "uint8" else 0.0
    np.testing.assert_allclose(back, original, atol=tolerance, rtol=0)


def test_wire_is_little_endian_c_order():
    arr = np.array([[1.0, 2.0], [3.0, 4.0]]).T  # Fortran-ordered view
    payload = encode(arr, "float32")
    assert bytes(payload["buffer"]) == np.array([1.0, 3.0, 2.0, 4.0], dtype="<f4").tobytes()
    assert bytes(encode(np.array([258]), "int32")["buffer"]) == b"\x02\x01\x00\x00"


def test_float32_and_float16_errors_are_within_their_documented_bounds():
    x = RNG.normal(scale=100.0, size=5000)
    err32 = np.abs(decode(encode(x, "float32")) - x) / np.abs(x)
    err16 = np.abs(decode(encode(x, "float16")).astype(np.float64) - x) / np.abs(x)
    assert err32.max() <= 2.0**-24
    assert err16.max() <= 2.0**-11


def test_uint8_max_error_is_range_over_510():
    x = RNG.uniform(-3.0, 5.0, size=20_000)
    bound = quantization_error_bound(x)
    assert bound == pytest.approx(8.0 / 510, rel=1e-3)
    error = np.abs(decode(encode(x, "uint8")) - x).max()
    assert error <= bound + 1e-6  # + float32 rounding of the decoded value
    assert error > bound * 0.9  # the bound is tight, not a loose guess
    assert encode(x, "uint8")["buffer"].nbytes == x.size


def test_uint8_of_constant_array_is_exact():
    x = np.full((3, 3), 2.5)
    np.testing.assert_array_equal(decode(encode(x, "uint8")), x)


def test_float_special_values_survive_float_dtypes():
    x = np.array([np.nan, np.inf, -np.inf, -0.0])
    for dtype in ("float32", "float16"):
        back = decode(encode(x, dtype))
        assert np.isnan(back[0]) and back[1] == np.inf and back[2] == -np.inf and np.signbit(back[3])


@pytest.mark.parametrize(
    ("array", "dtype", "message"),
    [
        (np.array([1.0, np.nan]), "uint8", "finite"),
        (np.array([1.5]), "int32", "whole numbers"),
        (np.array([2**40]), "int32", "int32 holds"),
        (np.array(["a"]), "float32", "numeric"),
        (np.array([1.0]), "float64", "dtype must be one of"),
    ],
)
def test_bad_arrays_are_rejected_with_a_clear_message(array, dtype, message):
    with pytest.raises(ValueError, match=message):
        encode(array, dtype)


def test_decode_rejects_buffer_of_the_wrong_size():
    payload = encode(np.arange(4.0), "float32")
    payload["shape"] = [5]
    with pytest.raises(ValueError, match="shape"):
        decode(payload)


def _fixture_cases() -> list[dict]:
    cases = []
    specimens = {
        "float32 3-d": (np.linspace(-2, 2, 24).reshape(2, 3, 4), "float32"),
        "float32 big-endian non-contiguous": (
            np.linspace(0, 1e3, 20).astype(">f8").reshape(4, 5)[:, ::2],
            "float32",
        ),
        "float16 with specials": (np.array([1.0, -2.5, 1 / 3, 65504.0, np.inf, -np.inf, np.nan, 6e-8]), "float16"),
        "int32": (np.array([[-(2**31), 0], [2**31 - 1, 42]]), "int32"),
        "uint8 quantised": (np.linspace(-1.0, 3.0, 50).reshape(5, 10), "uint8"),
        "0-d": (np.array(3.25), "float32"),
        "empty": (np.zeros((0, 4)), "float32"),
    }
    for name, (array, dtype) in specimens.items():
        payload = encode(array, dtype)
        flat = np.asarray(array, dtype=np.float64).ravel()
        if dtype == "float16":
            tolerance = 2.0**-11 * float(np.nanmax(np.abs(flat[np.isfinite(flat)])))
        elif dtype == "uint8":
            tolerance = quantization_error_bound(array) + 1e-6
        elif dtype == "float32":
            tolerance = 2.0**-24 * float(np.abs(flat).max()) if flat.size else 0.0
        else:
            tolerance = 0.0
        expected = [
            "nan" if np.isnan(v) else "inf" if v == np.inf else "-inf" if v == -np.inf else float(v) for v in flat
        ]
        meta = {k: v for k, v in payload.items() if k != "buffer"}
        meta["buffer_base64"] = base64.b64encode(bytes(payload["buffer"])).decode()
        cases.append({"name": name, "payload": meta, "expected": expected, "tolerance": tolerance})
    return cases


def test_js_fixture_matches_what_python_encodes_today():
    """js/test/codecs.test.ts decodes this fixture; it must be exactly what encode() produces now."""
    expected = _fixture_cases()
    if not FIXTURE.exists():  # pragma: no cover - first run on a checkout without it
        pytest.fail(f"{FIXTURE} is missing; run `python tests/test_transfer.py` to write it")
    assert json.loads(FIXTURE.read_text()) == json.loads(json.dumps(expected))


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(_fixture_cases(), indent=1) + "\n")
    print(f"wrote {FIXTURE}")


def test_float16_only_where_it_moves_nothing_by_a_pixel():
    from interpretwidgets._transfer import FLOAT16_MIN_SIZE, FLOAT16_PIXELS, wire_values

    rng = np.random.default_rng(0)
    n = FLOAT16_MIN_SIZE // 30 + 1
    shap_like = rng.normal(0, 0.1, size=(n, 30, 1))
    half = wire_values(shap_like, (1,))
    assert half.dtype == np.float16
    # the promise, checked directly: no value and no instance's sum moves by a pixel of a 2,048-pixel axis
    error = half.astype(np.float64) - shap_like
    assert np.abs(error).max() <= np.ptp(shap_like) / FLOAT16_PIXELS
    sums = shap_like.sum(axis=1)
    assert np.abs(error.sum(axis=1)).max() <= max(np.ptp(sums), np.ptp(shap_like)) / FLOAT16_PIXELS
    # small arrays keep every digit; values far from zero, tiny ones or huge ones stay float32
    assert wire_values(shap_like[:100], (1,)).dtype == np.float32
    assert wire_values(shap_like + 10.0, (1,)).dtype == np.float32  # float16's step at 10: too coarse for the range
    assert wire_values(shap_like * 1e-7, (1,)).dtype == np.float32  # below float16's normal range
    assert wire_values(shap_like * 1e6, (1,)).dtype == np.float32  # beyond float16's range


def test_the_data_widget_sends_values_as_chosen_and_keeps_them_in_full():
    import interpretwidgets as iw
    from interpretwidgets._transfer import FLOAT16_MIN_SIZE

    rng = np.random.default_rng(1)
    values = rng.normal(0, 0.1, size=(FLOAT16_MIN_SIZE // 10 + 1, 10, 1))
    data = iw.AttributionData(iw.Attribution(values, [0.5]))
    state = data.get_state()
    assert data.values_dtype == "float16" and state["values"]["dtype"] == "float16"
    assert state["values"]["buffer"].nbytes == values.size * 2
    assert data.attribution.values.dtype == np.float64  # Python keeps every digit
    small = iw.AttributionData(iw.Attribution(values[:10], [0.5]))
    assert small.values_dtype == "float32" and small.get_state()["values"]["dtype"] == "float32"
