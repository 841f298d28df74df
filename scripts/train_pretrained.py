"""Train the pretrained autoencoder shipped in data/pretrained/.

The script trains the default (original) autoencoder with ``train()`` on
the training split of the bundled images (``train_val_split`` with
``val_fraction=0.1`` and ``seed=0``), evaluates it on the validation split
next to a PCA baseline, and writes:

- ``autoencoder.keras``: the model after the last epoch, without optimizer
  state;
- ``training_log.csv``: the per-epoch log of ``train()``;
- ``metrics.json``: validation PSNR, SSIM, loss and BCE floor, for the model
  and for PCA, with the wall time and the machine;
- ``README.md``: what the files are and the command that reproduces them.

Usage (from the repository root)::

    .venv/bin/python scripts/train_pretrained.py

The run writes its checkpoints to ``outputs/runs/pretrained`` and resumes
from there if it is interrupted. ``POKEMON_AE_FAST`` has no effect: the
number of epochs is ``--epochs``, and all images are used.
"""

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from sklearn.decomposition import PCA

from helpers import settings
from helpers.data import load_dataset, train_val_split
from helpers.metrics import bce_floor, mean_psnr, mean_ssim
from helpers.model import build_autoencoder
from helpers.training import CSV_LOG_NAME, save_model, train

VAL_FRACTION = 0.1
SPLIT_SEED = 0
DEFAULT_COMMAND = ".venv/bin/python scripts/train_pretrained.py"


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--epochs", type=int, default=settings.FULL_EPOCHS,
        help="number of training epochs (default: %(default)s, as the original)",
    )
    parser.add_argument(
        "--output-dir", type=Path, default=settings.PRETRAINED_DIR,
        help="folder for the model, log, metrics and README (default: data/pretrained)",
    )
    parser.add_argument(
        "--run-dir", type=Path, default=settings.OUTPUT_DIR / "runs" / "pretrained",
        help="folder for the checkpoints, from which an interrupted run resumes "
        "(default: outputs/runs/pretrained)",
    )
    return parser.parse_args(argv)


def reconstruct_with_pca(x_train, x_val):
    """Reconstruct the validation images from a PCA of the training images.

    PCA keeps as many components as the training split allows,
    ``min(n_train, H * W * C)``. Of all linear codes of that size, it has
    the lowest squared error on the training images. The reconstructions
    are clipped to [0, 1].

    Returns
    -------
    reconstructions : ndarray, the shape of ``x_val``, float32 in [0, 1]
    num_components : int
    """
    flat_train = x_train.reshape(len(x_train), -1)
    flat_val = x_val.reshape(len(x_val), -1)
    num_components = min(flat_train.shape)
    pca = PCA(n_components=num_components, svd_solver="full")
    pca.fit(flat_train)
    reconstructions = pca.inverse_transform(pca.transform(flat_val))
    reconstructions = np.clip(reconstructions, 0.0, 1.0).astype(np.float32)
    return reconstructions.reshape(x_val.shape), num_components


def find_copies_of_training_images(x_train, x_val):
    """Return a boolean mask of the validation images that also occur in x_train.

    The bundled set contains 19 images twice (see data/README.md), and a
    random split can put one copy in each set. A model, and PCA even more,
    reconstructs such an image better than an unseen one.
    """
    training_bytes = {image.tobytes() for image in x_train}
    return np.array([image.tobytes() in training_bytes for image in x_val])


def quality(images, reconstructions):
    return {
        "psnr_mean_db": mean_psnr(images, reconstructions),
        "ssim_mean": mean_ssim(images, reconstructions),
    }


def describe_machine():
    cpu_model = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    if hasattr(os, "sched_getaffinity"):
        num_cores = len(os.sched_getaffinity(0))
    else:
        num_cores = os.cpu_count()
    return {
        "cpu": cpu_model,
        "cpu_cores_available": num_cores,
        "gpus": [device.name for device in tf.config.list_physical_devices("GPU")],
        "load_average_15_min": os.getloadavg()[2],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
    }


def evaluate(model, x_train, x_val):
    """Compute the validation metrics of the model and of the PCA baseline."""
    reconstructions = model.predict(x_val, batch_size=32, verbose=0)
    val_loss = float(keras.losses.BinaryCrossentropy()(x_val, reconstructions))
    pca_reconstructions, num_components = reconstruct_with_pca(x_train, x_val)
    unseen = ~find_copies_of_training_images(x_train, x_val)

    return {
        "autoencoder": {
            **quality(x_val, reconstructions),
            "val_loss_bce": val_loss,
            "latent_code_size": int(np.prod(model.get_layer("encoder").output.shape[1:])),
        },
        "pca_baseline": {
            **quality(x_val, pca_reconstructions),
            "num_components": num_components,
        },
        "val_bce_floor": bce_floor(x_val),
        "unseen_val_images_only": {
            "num_images": int(unseen.sum()),
            "autoencoder": quality(x_val[unseen], reconstructions[unseen]),
            "pca_baseline": quality(x_val[unseen], pca_reconstructions[unseen]),
        },
    }


def command_line(argv):
    if not argv:
        return DEFAULT_COMMAND
    return DEFAULT_COMMAND + " " + " ".join(argv)


def write_readme(output_dir, metrics, command):
    model, pca = metrics["autoencoder"], metrics["pca_baseline"]
    unseen = metrics["unseen_val_images_only"]
    split, machine = metrics["split"], metrics["machine"]
    num_copies = split["num_val"] - unseen["num_images"]
    minutes = metrics["training_wall_seconds"] / 60
    lines = [
        "# Pretrained autoencoder",
        "",
        f"The default autoencoder of the course (`build_autoencoder()`, 52,975 parameters), "
        f"trained with `helpers.training.train()` for {metrics['epochs']} epochs "
        f"(Adam, binary cross-entropy, batches of 32) on the training split of the bundled "
        f"images: `train_val_split(images, val_fraction={split['val_fraction']}, "
        f"seed={split['seed']})`, {split['num_train']} training and {split['num_val']} "
        f"validation images of 64x64 pixels.",
        "",
        "| file | content |",
        "| --- | --- |",
        "| `autoencoder.keras` | the model after the last epoch, without optimizer state; "
        "`helpers.training.load_model()` reads it |",
        "| `training_log.csv` | loss, PSNR, validation loss and PSNR, and seconds for each epoch |",
        "| `metrics.json` | the numbers below, the split, the wall time and the machine |",
        "",
        "## Validation results",
        "",
        "| | PSNR (dB) | SSIM |",
        "| --- | --- | --- |",
        f"| autoencoder (latent code of {model['latent_code_size']} numbers) "
        f"| {model['psnr_mean_db']:.2f} | {model['ssim_mean']:.3f} |",
        f"| PCA with {pca['num_components']} components "
        f"| {pca['psnr_mean_db']:.2f} | {pca['ssim_mean']:.3f} |",
        "",
        f"The validation binary cross-entropy is {model['val_loss_bce']:.4f}. The lowest "
        f"possible value for these images, their mean binary entropy, is "
        f"{metrics['val_bce_floor']:.4f}.",
        "",
        f"NOTE: {num_copies} validation images are exact copies of training images, because "
        f"the bundled set contains some images twice. On the other {unseen['num_images']} "
        f"images the autoencoder scores {unseen['autoencoder']['psnr_mean_db']:.2f} dB and "
        f"SSIM {unseen['autoencoder']['ssim_mean']:.3f}, and PCA "
        f"{unseen['pca_baseline']['psnr_mean_db']:.2f} dB and SSIM "
        f"{unseen['pca_baseline']['ssim_mean']:.3f}.",
        "",
        f"Training took {minutes:.1f} minutes on {machine['cpu']} with "
        f"{machine['cpu_cores_available']} cores and no GPU. When it ended, the load average "
        f"of the last 15 minutes was {machine['load_average_15_min']:.1f}. Training alone "
        f"keeps about {machine['cpu_cores_available']} cores busy, so a higher value means "
        f"that other programs shared the cores and slowed it down.",
        "",
        "## Reproducing",
        "",
        "From the repository root, after `bash scripts/run_course.sh` or "
        "`bash scripts/run_tests.sh` has set up `.venv`:",
        "",
        "```",
        command,
        "```",
        "",
        "A rerun gives close but not bit-identical numbers: the seeds are fixed, but "
        "multi-threaded CPU kernels may add numbers in a different order.",
    ]
    (output_dir / "README.md").write_text("\n".join(lines) + "\n")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    arguments = parse_arguments(argv)
    started = time.perf_counter()

    images, _ = load_dataset(limit=None)
    x_train, x_val = train_val_split(images, val_fraction=VAL_FRACTION, seed=SPLIT_SEED)
    model = build_autoencoder(seed=0)
    history = train(model, x_train, x_val, epochs=arguments.epochs, run_dir=arguments.run_dir)

    metrics = evaluate(model, x_train, x_val)
    metrics.update(
        epochs=len(history["epoch"]),
        training_wall_seconds=history["elapsed_seconds"][-1],
        script_wall_seconds=time.perf_counter() - started,
        split={
            "val_fraction": VAL_FRACTION,
            "seed": SPLIT_SEED,
            "num_train": len(x_train),
            "num_val": len(x_val),
        },
        machine=describe_machine(),
        command=command_line(argv),
    )

    output_dir = arguments.output_dir
    output_dir.mkdir(parents=True, exist_ok=True)
    save_model(model, output_dir / "autoencoder.keras", include_optimizer=False)
    shutil.copyfile(arguments.run_dir / CSV_LOG_NAME, output_dir / "training_log.csv")
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    write_readme(output_dir, metrics, command_line(argv))
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
