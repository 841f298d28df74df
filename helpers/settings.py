"""Locations of the course's files, and the fast mode used by tests.

The helpers are installed in editable mode (``pip install -e .``), so this
file sits inside the repository and the bundled data can be found next to it.
"""

import contextlib
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The 749 bundled Pokémon images, rendered to 128x128 RGBA PNG.
BUNDLED_IMAGES_DIR = PROJECT_ROOT / "data" / "pokemon"

# The model trained for the full 200 epochs, shipped so that the
# visualisation notebook shows good results without a long training run.
PRETRAINED_DIR = PROJECT_ROOT / "data" / "pretrained"
PRETRAINED_MODEL_PATH = PRETRAINED_DIR / "autoencoder.keras"

# Everything the course writes: trained models, logs, figures, executed
# notebooks and the data set cache. Set POKEMON_AE_OUTPUT_DIR to move it.
OUTPUT_DIR = Path(os.environ.get("POKEMON_AE_OUTPUT_DIR", PROJECT_ROOT / "outputs"))

FAST_MODE_VARIABLE = "POKEMON_AE_FAST"


def display_path(path):
    """Return a path relative to the repository when it is inside it.

    Messages use it so that they stay short, and so that the outputs
    committed with the notebooks hold no path of the machine that ran them.
    """
    path = Path(path)
    try:
        return path.resolve().relative_to(PROJECT_ROOT)
    except ValueError:
        return path


def is_fast_mode():
    """Return True when POKEMON_AE_FAST is set to 1, true or yes.

    Fast mode makes training tiny (a few epochs on a small subset of the
    images) so that the test suite can execute every notebook in minutes.
    The full course is the default.
    """
    value = os.environ.get(FAST_MODE_VARIABLE, "")
    return value.strip().lower() in {"1", "true", "yes"}


# Training sizes of fast mode and of the full course, which trains the original
# recipe: 200 epochs on every training image.
FULL_EPOCHS = 200
FAST_EPOCHS = 3
FAST_IMAGE_LIMIT = 96


def num_epochs():
    """Return how many epochs to train: 3 in fast mode, 200 otherwise."""
    return FAST_EPOCHS if is_fast_mode() else FULL_EPOCHS


def image_limit():
    """Return how many images to load: 96 in fast mode, None (all) otherwise."""
    return FAST_IMAGE_LIMIT if is_fast_mode() else None


def default_run_dir(name="autoencoder", fast=None):
    """Return the folder a training run writes to, under OUTPUT_DIR/runs.

    Fast-mode runs get their own folder, so a quick test run never resumes
    from, or overwrites, a learner's full training run. ``fast`` picks the
    folder of one mode explicitly; by default it follows ``is_fast_mode()``.
    """
    if fast is None:
        fast = is_fast_mode()
    suffix = "-fast" if fast else ""
    return OUTPUT_DIR / "runs" / f"{name}{suffix}"


@contextlib.contextmanager
def replace_on_success(path):
    """Yield a temporary path next to ``path`` that replaces ``path`` at the end.

    Writers use it so that an interrupted or failed write never destroys the
    previous file. The temporary file keeps the extension, which Keras and
    NumPy need to pick the format. If the block raises, the temporary file
    is removed and ``path`` is left as it was.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
