"""Models are borrowed, not changed: a context manager that gives a torch model back as it was lent."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

# Every hook dict torch keeps on a module; a kernel's library may register hooks and forget them.
_HOOK_DICTS = (
    "_forward_hooks",
    "_forward_pre_hooks",
    "_backward_hooks",
    "_backward_pre_hooks",
    "_state_dict_hooks",
    "_load_state_dict_pre_hooks",
)


@contextlib.contextmanager
def borrowed(model: Any) -> Iterator[Any]:
    """Run a block with ``model`` and restore, afterwards, whatever the block changed.

    Restores train/eval mode of every submodule, ``requires_grad`` and ``.grad`` of every parameter, and
    removes every hook added during the block (and attributes such as shap's ``x``/``y`` left on modules).
    Non-torch models pass through untouched.
    """
    from ._models import is_torch_module

    if not is_torch_module(model):
        yield model
        return
    modules = list(model.modules())
    training = [m.training for m in modules]
    parameters = list(model.parameters())
    requires_grad = [p.requires_grad for p in parameters]
    grads = [p.grad for p in parameters]
    hooks = [{name: set(getattr(m, name, {}) or {}) for name in _HOOK_DICTS} for m in modules]
    attributes = [set(vars(m)) for m in modules]
    try:
        yield model
    finally:
        for module, was_training, had_hooks, had_attributes in zip(modules, training, hooks, attributes, strict=True):
            module.training = was_training  # per module: train() would overwrite the children's own modes
            for name, keys in had_hooks.items():
                registry = getattr(module, name, None)
                if registry is not None:
                    for key in [k for k in registry if k not in keys]:
                        del registry[key]
            for extra in set(vars(module)) - had_attributes:
                delattr(module, extra)
        for parameter, flag, grad in zip(parameters, requires_grad, grads, strict=True):
            parameter.requires_grad_(flag)
            parameter.grad = grad
