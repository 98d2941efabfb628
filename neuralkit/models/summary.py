"""The model's summary: one row per layer, its output shape, parameter shapes and count."""

from __future__ import annotations

from typing import Any

__all__ = ["summary"]


def summary(model: Any, print_fn: Any = print) -> dict[str, Any]:
    """Print and return a table: one row per layer and the parameter counts.

    Returns
    -------
    dict
        ``{'layers': [{'name', 'type', 'output_shape', 'param_shapes', 'params',
        'trainable'}, ...], 'total_params', 'trainable_params', 'non_trainable_params'}``;
        W shapes are (n[l], n[l-1]); a Dense with an activation shows as ``Dense[relu]``.
    """
    model._require_built("summary")
    rows = [
        {
            "name": layer.name,
            "type": _type_name(layer),
            "output_shape": (None, *layer.output_shape),
            "param_shapes": {k: tuple(v.shape) for k, v in layer.params.items()},
            "params": layer.count_params() + sum(v.size for v in layer.state.values()),
            "trainable": layer.trainable,
        }
        for layer in model.layers
    ]
    total = sum(row["params"] for row in rows)
    # Keras's count: a layer's state (moving statistics) is non-trainable.
    trainable = sum(layer.count_params() for layer in model.layers if layer.trainable)
    table = [("Layer (type)", "Output shape", "Parameter shapes", "Params")]
    for row in rows:
        shapes = ", ".join(f"{k} {s}" for k, s in row["param_shapes"].items()) or "-"
        frozen = "" if row["trainable"] or not row["params"] else " (frozen)"
        table.append((f"{row['name']} ({row['type']}){frozen}", str(row["output_shape"]), shapes,
                      f"{row['params']:,}"))
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    text = [f'Model: "{model.name}"', line]
    for i, r in enumerate(table):
        text.append("  ".join(c.ljust(w) if j < 3 else c.rjust(w)
                              for j, (c, w) in enumerate(zip(r, widths, strict=True))))
        if i == 0:
            text.append(line)
    text += [line, f"Total params: {total:,}  (dtype {model.dtype})",
             f"Trainable params: {trainable:,}", f"Non-trainable params: {total - trainable:,}"]
    print_fn("\n".join(text))
    return {"layers": rows, "total_params": total, "trainable_params": trainable,
            "non_trainable_params": total - trainable}


def _type_name(layer: Any) -> str:
    activation = getattr(layer, "activation", None)
    if activation is None:
        return type(layer).__name__
    return f"{type(layer).__name__}[{getattr(layer, '_activation_name', None) or activation.name}]"
