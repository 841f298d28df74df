"""The training recipes that the time-to-quality benchmark compares.

Each recipe changes only the named settings of the original recipe: the
original model, Adam with learning rate 1e-3, binary cross-entropy,
batches of 32, float32. ``cosine_epochs`` decays the learning rate along
half a cosine from its start value to 0 over that many epochs.
``mixed_precision`` computes the layers in 16 bits (bfloat16 on a CPU,
float16 on a GPU) and keeps the weights in float32.
"""

ORIGINAL_RECIPE = {
    "output_batchnorm": True,
    "learning_rate": 1e-3,
    "cosine_epochs": None,
    "mixed_precision": False,
}

RECIPES = {
    "default": {},
    "lr1e-2": {"learning_rate": 1e-2},
    "lr1e-2-cosine40": {"learning_rate": 1e-2, "cosine_epochs": 40},
    "lr1e-2-cosine60": {"learning_rate": 1e-2, "cosine_epochs": 60},
    "lr1e-2-cosine60-mixed": {"learning_rate": 1e-2, "cosine_epochs": 60, "mixed_precision": True},
    "no-output-bn": {"output_batchnorm": False},
    "no-output-bn-lr1e-2": {"output_batchnorm": False, "learning_rate": 1e-2},
}


def recipe_settings(name):
    """Return every setting of the recipe ``name``: the original's, with its changes applied."""
    return {**ORIGINAL_RECIPE, **RECIPES[name]}


def describe_recipe(name):
    """Return the changes of a recipe as code-like text, e.g. ``learning_rate=0.01``."""
    changes = RECIPES[name]
    if not changes:
        return "original recipe"
    parts = []
    for key, value in changes.items():
        if key == "cosine_epochs":
            parts.append(f"cosine decay to 0 over {value} epochs")
        elif key == "mixed_precision":
            parts.append("mixed precision")
        else:
            parts.append(f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}")
    return ", ".join(parts)
