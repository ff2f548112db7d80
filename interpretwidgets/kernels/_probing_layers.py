"""Which layers ``probe`` reads: names or modules checked against the model, or a sensible default (a Hugging Face
model's embeddings and each transformer block; any other model's direct children)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

#: how many valid names an unknown-layer error lists
LISTED = 30


def resolve_layers(model: Any, layers: Any) -> tuple[dict[str, Any], bool]:
    """The probed modules by name, in order, and whether the user named them (``False``: the default choice).

    Raises
    ------
    TypeError
        ``layers`` is neither a name, a module, nor a sequence of them.
    ValueError
        An unknown name, a module that is not part of ``model``, a layer named twice, or no layer at all.
    """
    import torch

    named = dict(model.named_modules())
    if layers is None:
        return {name: named[name] for name in default_layers(model)}, False
    if isinstance(layers, str | torch.nn.Module):
        layers = [layers]
    if not isinstance(layers, Sequence):
        raise TypeError(f"layers must be a module name, a module, or a list of them; received {type(layers).__name__}")
    names_of = {id(module): name for name, module in named.items()}
    chosen: dict[str, Any] = {}
    for layer in layers:
        if isinstance(layer, str):
            if layer not in named:
                raise ValueError(_unknown(model, layer, named))
            name = layer
        elif isinstance(layer, torch.nn.Module):
            if id(layer) not in names_of:
                raise ValueError(f"layers: the {type(layer).__name__} given is not a submodule of the model")
            name = names_of[id(layer)]
        else:
            raise TypeError(f"layers must hold module names or modules; received {type(layer).__name__}")
        if name in chosen:
            raise ValueError(f"layers names {name!r} twice")
        chosen[name] = named[name]
    if not chosen:
        raise ValueError("layers must name at least one layer; received an empty list")
    return chosen, True


def default_layers(model: Any) -> list[str]:
    """A Hugging Face model's embeddings and every transformer block (``encoder.layer.{i}``, ``transformer.h.{i}``);
    for other models every direct child (ModuleLists opened, a lone wrapper such as ``self.net`` looked into)."""
    import torch

    if callable(getattr(model, "get_input_embeddings", None)) and hasattr(model, "config"):
        blocks = _blocks(model)
        if blocks is not None:
            return [name for name in (_embeddings(model, blocks[0]), *blocks[1]) if name is not None]
    prefix, module = "", model
    children = list(module.named_children())
    while len(children) == 1 and not isinstance(children[0][1], torch.nn.ModuleList | torch.nn.ModuleDict):
        prefix, module = f"{prefix}{children[0][0]}.", children[0][1]  # a lone wrapper is not a layer of its own
        children = list(module.named_children())
    names = []
    for name, child in children:
        if isinstance(child, torch.nn.ModuleList | torch.nn.ModuleDict):  # containers never run: their items do
            names += [f"{prefix}{name}.{item}" for item, _ in child.named_children()]
        else:
            names.append(f"{prefix}{name}")
    if not names:
        raise ValueError(f"{type(model).__name__} has no submodules to probe; pass layers= (module names or modules)")
    return names


def _blocks(model: Any) -> tuple[str, list[str]] | None:
    """The transformer's stack of blocks: the longest ModuleList of modules of one class, and its items' names."""
    import torch

    best: tuple[str, list[str]] | None = None
    for name, module in model.named_modules():
        if not isinstance(module, torch.nn.ModuleList) or len({type(block) for block in module}) != 1:
            continue
        if best is None or len(module) > len(best[1]):
            best = (name, [f"{name}.{i}" for i in range(len(module))])
    return best


def _embeddings(model: Any, blocks: str) -> str | None:
    """BERT-like models' ``embeddings`` module (words + positions + segments, normalised); otherwise the input
    embedding (GPT-2's ``wte``, Llama's ``embed_tokens``), which holds no positions."""
    for name, _ in model.named_modules():
        if name.rsplit(".", 1)[-1] == "embeddings" and not name.startswith(f"{blocks}."):
            return name
    embedding = model.get_input_embeddings()
    return next((name for name, module in model.named_modules() if module is embedding), None)


def _unknown(model: Any, name: str, named: dict[str, Any]) -> str:
    valid = [n for n in named if n]
    close = difflib.get_close_matches(name, valid, n=3)
    try:
        preferred = default_layers(model)
    except ValueError:
        preferred = []
    listed = list(dict.fromkeys([*close, *preferred, *valid]))[:LISTED]
    more = f" (and {len(valid) - len(listed)} more in model.named_modules())" if len(valid) > len(listed) else ""
    hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else "."
    return (
        f"layers: {type(model).__name__} has no module named {name!r}{hint} Valid names: "
        f"{', '.join(listed) or '(none: the model has no submodules)'}{more}"
    )
