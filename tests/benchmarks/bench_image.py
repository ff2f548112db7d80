"""Image kernels against their anchors: LIME image against lime's own call, integrated gradients and GradientShap
against the model's own forward and backward passes.

    .venv/bin/python -m tests.benchmarks.bench_image [--samples 1000] [--threads 1] [--repeat 3]

(a) LIME image with ``--samples`` perturbed images, on the digits CNN (32×32, grayscale) and on scikit-image's
cat photo resized to ``--photo`` px with a random colour CNN: ``iw.explain_image(method="lime")`` against
``lime_image.LimeImageExplainer(random_state=seed).explain_instance(..., batch_size=10, random_seed=seed)`` with
the same segmentation (lime's quickshift), ``hide_color=0`` and seed. The explanations are compared: the same
segments, the largest weight difference, the same ranking. Goal: ratio ≤ 0.2 (at least 5× faster).

(b) Integrated gradients (``n_steps``) and GradientShap (``n_samples``) over a batch: kernel time against the
model's own work, measured literally: a loop of ``n_steps`` (``n_samples``) consecutive forward passes of the model
alone on the same batch, each followed by a backward pass to the input (``torch.autograd.grad`` of the target's
summed score), timed as a whole (one warm-up loop first), the best of ``--repeat`` loops, each loop run right
after a kernel run so that both see the machine alike. Goal: ratio ≤ 1.1. On the photos, two models: the small
random CNN (under 10 million multiply-adds per image, so captum's own element-wise work on every step's inputs
weighs as much as the model) and a CNN of a real network's cost per pixel (``mid_net``, 185 million).

Times are the best of ``--repeat`` runs. Prints a table (work, ours, anchor, ratio = ours / anchor) and writes it
as JSON. Not a test: nothing is asserted (``tests/test_benchmarks.py`` runs ``--quick`` to keep it working).
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks._common import write_report  # noqa: E402


def best_time(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The shortest of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def best_times(runs: Sequence[Callable[[], Any]], repeat: int) -> list[float]:
    """The shortest of ``repeat`` runs of each of ``runs``, taken in turn (a, b, a, b...) so that a busy spell
    on a shared machine slows both alike."""
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for run, taken in zip(runs, times, strict=True):
            start = time.perf_counter()
            run()
            taken.append(time.perf_counter() - start)
    return [min(taken) for taken in times]


def lime_anchor(model: Any, image: np.ndarray, target: int, samples: int, seed: int) -> Any:
    """lime's documented call: a classifier on (b, H, W, 3) numpy batches, ten at a time."""
    import torch
    from lime.lime_image import LimeImageExplainer

    channels = image.shape[0]

    def classify(batch: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(np.ascontiguousarray(np.transpose(batch[..., :channels], (0, 3, 1, 2)), np.float32))
        with torch.no_grad():
            return model(x).numpy()

    lime_image = image[0] if channels == 1 else np.transpose(image, (1, 2, 0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LimeImageExplainer(random_state=seed).explain_instance(
            lime_image, classify, labels=(target,), hide_color=0, top_labels=None, num_samples=samples,
            batch_size=10, random_seed=seed,
        )  # fmt: skip


def segment(image: np.ndarray, seed: int) -> np.ndarray:
    """lime's default segmentation of ``image`` (quickshift on the RGB image), as both calls run it."""
    from lime.wrappers.scikit_image import SegmentationAlgorithm
    from skimage.color import gray2rgb

    rgb = gray2rgb(image[0]) if image.shape[0] == 1 else np.transpose(image, (1, 2, 0))
    return SegmentationAlgorithm("quickshift", kernel_size=4, max_dist=200, ratio=0.2, random_seed=seed)(rgb)


def lime_rows(name: str, size: str, model: Any, image: np.ndarray, args: argparse.Namespace) -> tuple[dict, dict]:
    import torch

    import interpretwidgets as iw

    with torch.no_grad():
        target = int(model(torch.from_numpy(image[None])).argmax())
    iw.explain_image(model, image, "lime", target=target, n_samples=20, progress=False)  # warm-up (imports)
    lime_anchor(model, image, target, 20, args.seed)
    ours_s, ours = best_time(
        lambda: iw.explain_image(model, image, "lime", target=target, n_samples=args.samples,
                                 random_state=args.seed, progress=False),
        args.repeat,
    )  # fmt: skip
    anchor_s, anchor = best_time(lambda: lime_anchor(model, image, target, args.samples, args.seed), args.repeat)
    segmentation_s = best_time(lambda: segment(image, args.seed), args.repeat)[0]
    _, weights = ours.segment_values(0, 0)
    lime_weights = np.array([w for _, w in sorted(anchor.local_exp[target])])
    same_segments = bool(np.array_equal(ours.segments[0], anchor.segments))
    difference = float(np.abs(weights - lime_weights).max()) if same_segments else float("nan")
    same_ranking = same_segments and bool(np.array_equal(np.argsort(-weights), np.argsort(-lime_weights)))
    result = {"model": name, "size": size, "target": target, "samples": args.samples, "segments": len(weights),
              "ours_s": ours_s, "lime_s": anchor_s, "segmentation_s": segmentation_s, "same_segments": same_segments,
              "max_abs_weight_difference": difference, "same_ranking": same_ranking}  # fmt: skip
    note = (
        f"{len(weights)} segments, same segments {same_segments}, max |Δw| {difference:.1e}, same ranking "
        f"{same_ranking}; {anchor_s / ours_s:.1f}× faster; lime's own quickshift alone takes {segmentation_s:.3f} s"
    )
    row = {"size": size, "work": f"LIME {args.samples:,} samples, {name} (s)", "ours": ours_s, "anchor": anchor_s,
           "ratio": ours_s / anchor_s, "note": note}  # fmt: skip
    return row, result


def forward_backward(model: Any, x: Any, target: int, passes: int) -> Callable[[], None]:
    """The anchor: ``passes`` consecutive forward and input-gradient backward passes of the model alone on ``x``,
    to be timed as a whole."""
    import torch

    def loop() -> None:
        for _ in range(passes):
            inputs = x.detach().requires_grad_()
            torch.autograd.grad(model(inputs)[:, target].sum(), inputs)

    return loop


def gradient_rows(name: str, size: str, model: Any, images: np.ndarray, background: np.ndarray,
                  args: argparse.Namespace) -> tuple[list[dict], dict]:  # fmt: skip
    import torch

    import interpretwidgets as iw

    x = torch.from_numpy(images)
    with torch.no_grad():
        target = int(model(x[:1]).argmax())
    rows, result = [], {"model": name, "size": size, "batch": len(images)}
    for method, budget, key in (("integrated_gradients", args.steps, "n_steps"),
                                ("gradient_shap", args.steps, "n_samples")):  # fmt: skip
        extra = {"background": background} if method == "gradient_shap" else {}
        # warm-up: the full call on each side, so that both find the memory allocator as a session leaves it
        iw.explain_image(model, images, method, target=target, progress=False, **{key: budget}, **extra)
        anchor = forward_backward(model, x, target, budget)
        anchor()
        ours_s, anchor_s = best_times(
            (lambda method=method, key=key, budget=budget, extra=extra: iw.explain_image(
                model, images, method, target=target, progress=False, **{key: budget}, **extra
            ), anchor),
            args.repeat,
        )  # fmt: skip
        result[f"{method}_s"], result[f"{method}_anchor_s"] = ours_s, anchor_s
        result["forward_backward_s"] = min(result.get("forward_backward_s", np.inf), anchor_s / budget)
        label = "IG" if method == "integrated_gradients" else "GradientShap"
        note = (
            f"anchor: {budget} consecutive forward+backward passes of the batch, timed together "
            f"({anchor_s / budget * 1000:.2f} ms a pass)"
        )
        rows.append({"size": size, "work": f"{label} {key}={budget}, {len(images)} images, {name} (s)",
                     "ours": ours_s, "anchor": anchor_s, "ratio": ours_s / anchor_s, "note": note})  # fmt: skip
    return rows, result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000, help="LIME perturbed images")
    parser.add_argument("--photo", type=int, default=224, help="side of the resized photo, px")
    parser.add_argument("--steps", type=int, default=50, help="IG n_steps and GradientShap n_samples")
    parser.add_argument("--batch", type=int, default=32, help="digits per IG/GradientShap batch")
    parser.add_argument("--photo-batch", type=int, default=4, help="photos per IG/GradientShap batch")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run: keeps the script working")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "tests" / "benchmarks" / "results" / "image.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.samples, args.photo, args.steps, args.batch, args.photo_batch, args.repeat = 100, 48, 4, 4, 2, 1
    import torch

    from tests.image_models import colour_net, mid_net, photo, trained_digits

    if args.threads:
        torch.set_num_threads(args.threads)
    model, images, _, test = trained_digits()
    cnn, cat = colour_net(), photo(args.photo)
    size = f"{args.photo}×{args.photo}"
    table, results = [], []
    for row, result in (lime_rows("digits CNN", "32×32", model, images[test[0]], args),
                        lime_rows("random CNN, chelsea", size, cnn, cat, args)):  # fmt: skip
        table.append(row)
        results.append(result)
    photos = np.stack([cat, cat[:, ::-1].copy(), cat[:, :, ::-1].copy(), cat[::-1].copy()] * 4)[: args.photo_batch]
    for rows, result in (
        gradient_rows("digits CNN", "32×32", model, images[test[: args.batch]], images[:20], args),
        gradient_rows("random CNN, chelsea", size, cnn, np.ascontiguousarray(photos), photos[:2] * 0.5, args),
        gradient_rows("mid-size CNN, chelsea", size, mid_net(), np.ascontiguousarray(photos), photos[:2] * 0.5, args),
    ):
        table += rows
        results.append(result)
    results.append({"torch_threads": torch.get_num_threads(), "quick": args.quick})
    write_report(args.out, results, table, "anchor")
    return {"results": results, "table": table}


if __name__ == "__main__":
    main()
