"""Training speed: the original ``fit()`` call against ``helpers.training.train``.

Run as a worker (``python benchmarks/training_speed.py original --epochs 4``),
it trains ``build_autoencoder()`` for a few epochs on the training split of
the bundled images (674 of 749), with batches of 32. It prints the seconds
of each epoch, the CPU seconds and the peak memory. The variants:

- ``original``: the original script's call, ``compile("adam",
  "binary_crossentropy")`` and ``fit(x, x, batch_size=32, shuffle=True)``
  on a NumPy array, without validation or checkpoints;
- ``course``: ``train()``, which also computes the PSNR, evaluates the
  75 validation images and saves two checkpoints after every epoch;
- ``course-xla``: ``train(jit_compile=True)``, the training step compiled
  with XLA;
- ``course-mixed``: ``train()`` with Keras mixed precision: bfloat16 on a
  CPU, float16 on a GPU. The weights stay float32, but the layers compute
  in 16 bits, so the numbers learnt differ slightly from float32 training.

The first epoch includes tracing the training step into a TensorFlow
graph (and for XLA, compiling it), which happens once per run. The later,
"warm" epochs show the steady speed.
"""

import argparse
import contextlib
import io
import tempfile
import time

import keras
import numpy as np
import tensorflow as tf

from common import Stopwatch, peak_memory_mib, print_result
from helpers.data import load_dataset, train_val_split
from helpers.model import build_autoencoder
from helpers.training import train

VARIANTS = ("original", "course", "course-xla", "course-mixed")
BATCH_SIZE = 32


class EpochEndTimes(keras.callbacks.Callback):
    """Record ``time.perf_counter()`` when training starts and after each epoch.

    Placed last in the list of callbacks, it is called at an epoch's end
    after every other callback, checkpoints included, has finished.
    """

    def __init__(self):
        super().__init__()
        self.times = []

    def on_train_begin(self, logs=None):
        self.times.append(time.perf_counter())

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter())


def mixed_precision_policy():
    """Return the mixed precision policy for this machine: float16 on a GPU, else bfloat16."""
    if tf.config.list_physical_devices("GPU"):
        return "mixed_float16"
    return "mixed_bfloat16"


def load_training_images():
    """Return the training and validation splits of the bundled images."""
    images, _ = load_dataset(verbose=False)
    return train_val_split(images)


def train_original(model, x_train, epochs, recorder):
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(
        x_train, x_train, batch_size=BATCH_SIZE, shuffle=True, epochs=epochs,
        verbose=0, callbacks=[recorder],
    )
    return {"final_loss": history.history["loss"][-1]}


def train_course(model, x_train, x_val, epochs, recorder, jit_compile=False):
    with tempfile.TemporaryDirectory() as run_dir, contextlib.redirect_stdout(io.StringIO()):
        history = train(
            model, x_train, x_val, epochs=epochs, batch_size=BATCH_SIZE,
            run_dir=run_dir, jit_compile=jit_compile, callbacks=[recorder],
        )
    # train()'s own epoch_seconds stop before the logs and checkpoints are written,
    # so the difference to the recorder's times is their cost.
    return {"final_loss": history["loss"][-1], "epoch_seconds_before_checkpoints": history["epoch_seconds"]}


def measure(variant, epochs):
    """Train one variant for ``epochs`` epochs; return its timings and memory."""
    x_train, x_val = load_training_images()
    policy = "float32"
    if variant == "course-mixed":
        policy = mixed_precision_policy()
        keras.mixed_precision.set_global_policy(policy)
    model = build_autoencoder(seed=0)
    recorder = EpochEndTimes()

    with Stopwatch() as watch:
        if variant == "original":
            outcome = train_original(model, x_train, epochs, recorder)
        else:
            outcome = train_course(
                model, x_train, x_val, epochs, recorder,
                jit_compile=(variant == "course-xla"),
            )

    epoch_seconds = np.diff(recorder.times).tolist()
    return {
        "variant": variant,
        "policy": policy,
        "num_train_images": len(x_train),
        "epochs": epochs,
        "epoch_seconds": epoch_seconds,
        "call_seconds": watch.wall_seconds,
        "cpu_seconds": watch.cpu_seconds,
        "peak_memory_mib": peak_memory_mib(),
        "final_loss": float(outcome["final_loss"]),
        "epoch_seconds_before_checkpoints": outcome.get("epoch_seconds_before_checkpoints"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variant", choices=VARIANTS)
    parser.add_argument(
        "--epochs", type=int, default=4,
        help="epochs to train: the first includes tracing, the rest are warm (default: 4)",
    )
    arguments = parser.parse_args()
    if arguments.epochs < 2:
        parser.error("--epochs must be at least 2, so that one warm epoch is measured.")
    print_result(measure(arguments.variant, arguments.epochs))


if __name__ == "__main__":
    main()
