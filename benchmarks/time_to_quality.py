"""Time to quality: how long a recipe takes to reach a validation PSNR.

Run as a worker (``python benchmarks/time_to_quality.py no-output-bn
--target 19.2 --max-epochs 100``), it trains one recipe with ``train()`` on
the training split of the bundled images and stops after the first epoch
whose validation PSNR reaches the target, or after ``--max-epochs``.
Without ``--target`` it trains all ``--max-epochs`` epochs, as the
reference run of the original recipe does.

The time of an epoch is the ``elapsed_seconds`` column of the run's CSV
log, the same column the shipped log of the pretrained model has: the
seconds spent in the epochs themselves (training and validation), without
start-up and checkpoint saving. The worker also reports the wall-clock
seconds of the whole ``train()`` call.
"""

import argparse
import contextlib
import io
import math
import tempfile

import keras

from common import Stopwatch, first_index_at_least, print_result
from recipes import RECIPES, recipe_settings
from training_speed import mixed_precision_policy
from helpers.data import load_dataset, train_val_split
from helpers.model import build_autoencoder
from helpers.training import read_history, train

def cosine_decay(initial_learning_rate, decay_epochs):
    """Return a function of the epoch index for ``keras.callbacks.LearningRateScheduler``.

    The learning rate falls from ``initial_learning_rate`` at epoch 0 along
    half a cosine to 0 at epoch ``decay_epochs``, and stays 0 after it.
    """

    def learning_rate(epoch):
        progress = min(epoch, decay_epochs) / decay_epochs
        return initial_learning_rate * 0.5 * (1 + math.cos(math.pi * progress))

    return learning_rate


class StopAtPsnr(keras.callbacks.Callback):
    """Stop training after the first epoch whose ``val_psnr`` reaches ``target``."""

    def __init__(self, target):
        super().__init__()
        self.target = target

    def on_epoch_end(self, epoch, logs=None):
        if logs["val_psnr"] >= self.target:
            self.model.stop_training = True


def measure(recipe, target, max_epochs):
    """Train ``recipe`` until it reaches ``target`` dB or ``max_epochs``; return the log."""
    settings = recipe_settings(recipe)
    images, _ = load_dataset(verbose=False)
    x_train, x_val = train_val_split(images)
    if settings["mixed_precision"]:
        keras.mixed_precision.set_global_policy(mixed_precision_policy())
    model = build_autoencoder(output_batchnorm=settings["output_batchnorm"], seed=0)
    callbacks = []
    if settings["cosine_epochs"]:
        # The learning rate is 0 after the decay, so later epochs cannot
        # bring the PSNR any closer to the target.
        max_epochs = min(max_epochs, settings["cosine_epochs"])
        schedule = cosine_decay(settings["learning_rate"], settings["cosine_epochs"])
        callbacks.append(keras.callbacks.LearningRateScheduler(schedule))
    if target is not None:
        callbacks.append(StopAtPsnr(target))

    with tempfile.TemporaryDirectory() as run_dir:
        with Stopwatch() as watch, contextlib.redirect_stdout(io.StringIO()):
            train(
                model, x_train, x_val, epochs=max_epochs, run_dir=run_dir,
                learning_rate=settings["learning_rate"], callbacks=callbacks,
            )
        history = read_history(run_dir)

    reached = None if target is None else first_index_at_least(history["val_psnr"], target)
    return {
        "recipe": recipe,
        **settings,
        "target_psnr": target,
        "max_epochs": max_epochs,
        "epochs_trained": len(history["epoch"]),
        "reached_epoch": None if reached is None else reached + 1,
        "seconds_to_target": None if reached is None else history["elapsed_seconds"][reached],
        "call_seconds": watch.wall_seconds,
        "val_psnr": history["val_psnr"],
        "elapsed_seconds": history["elapsed_seconds"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("recipe", choices=sorted(RECIPES))
    parser.add_argument(
        "--target", type=float, default=None,
        help="validation PSNR in dB at which to stop (default: train all epochs)",
    )
    parser.add_argument("--max-epochs", type=int, default=200, help="epochs at most (default: 200)")
    arguments = parser.parse_args()
    print_result(measure(arguments.recipe, arguments.target, arguments.max_epochs))


if __name__ == "__main__":
    main()
