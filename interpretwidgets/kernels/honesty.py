"""How far to trust an explanation: numbers that every explorer's honesty panel shows beside the picture.

- :func:`completeness_gap` (with :func:`model_outputs`): does Σ attributions + base add up to f(x)?
- :func:`rank_agreement`, :func:`method_agreement` (on the maps of :func:`instance_map`): do methods agree on
  which features matter (Spearman, Kendall, top-k overlap)? (Krishna et al. 2022, "The disagreement problem in
  explainable machine learning")
- :func:`faithfulness_curves`: deletion and insertion curves and their AUC against random orders (Petsiuk et al.
  2018, RISE): does removing what the attribution ranks first change the output faster than chance?
- :func:`infidelity`, :func:`sensitivity`: captum's infidelity and max-sensitivity (Yeh et al. 2019).
- :func:`randomization_check`: the model-randomisation sanity check (Adebayo et al. 2018): do the maps change
  when the model's layers are re-initialised, top down, on a copy?

Each function checks its inputs (``TypeError``/``ValueError`` naming what was expected) before any model call.
Torch models are borrowed: run in eval mode and given back as they were lent. Importing this module loads numpy
only; scipy, torch and captum load on first use.
"""

from __future__ import annotations

from ._honesty_agreement import TOP_FRACTION, Agreement, method_agreement, rank_agreement
from ._honesty_common import instance_map
from ._honesty_completeness import CompletenessGap, completeness_gap, model_outputs
from ._honesty_curves import FaithfulnessCurves, faithfulness_curves
from ._honesty_metrics import infidelity, sensitivity
from ._honesty_sanity import RandomizationCheck, randomization_check

__all__ = [
    "TOP_FRACTION",
    "Agreement",
    "CompletenessGap",
    "FaithfulnessCurves",
    "RandomizationCheck",
    "completeness_gap",
    "faithfulness_curves",
    "infidelity",
    "instance_map",
    "method_agreement",
    "model_outputs",
    "randomization_check",
    "rank_agreement",
    "sensitivity",
]
