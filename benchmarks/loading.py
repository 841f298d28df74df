"""Loading the bundled images: the original script's loop against load_dataset.

Run as a worker (``python benchmarks/loading.py --repeats 5``), it times,
in turn and ``repeats`` times each:

- ``original``: the loop of the original script: ``cv2.imread``, resize to
  64x64 with ``cv2.INTER_AREA``, BGR to RGB, ``np.array`` of the list, then
  ``astype("float32") / 255``;
- ``cold``: ``load_dataset()`` with its cache removed first, so it decodes
  every file and writes the cache;
- ``cached``: ``load_dataset()`` again, reading the cache.

The worker must run with ``POKEMON_AE_OUTPUT_DIR`` set to a temporary
folder, so that removing the cache never touches a learner's own cache.
An untimed pass of the original loop first brings the files into the
operating system's file cache, so every variant reads them from memory:
"cold" means that the course's own cache is empty, not the disk's.
"""

import argparse
import os
import shutil
import time

import cv2
import numpy as np

from common import median, print_result
from helpers import settings
from helpers.data import load_dataset

IMAGE_SIZE = 64


def load_like_original(paths):
    """Load images as the original script does; return (N, 64, 64, 3) float32 in [0, 1].

    The original reads ``pokemon (1).png`` to ``pokemon (925).png`` in a
    fixed loop. ``cv2.imread`` drops the alpha channel, so transparent
    pixels keep whatever colour they hide (black for the bundled set),
    where ``load_dataset`` composites them over white.
    """
    images = []
    for path in paths:
        image = cv2.imread(str(path))
        image = cv2.resize(image, (IMAGE_SIZE, IMAGE_SIZE), interpolation=cv2.INTER_AREA)
        images.append(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    images = np.array(images)
    return images.astype("float32") / 255


def original_file_names(folder):
    """Return the files ``pokemon (1).png``, ``pokemon (2).png``, ... that exist, in order.

    The original loop stops at a fixed count; here it stops at the first
    number without a file.
    """
    paths = []
    while (folder / f"pokemon ({len(paths) + 1}).png").is_file():
        paths.append(folder / f"pokemon ({len(paths) + 1}).png")
    return paths


def time_call(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def measure(repeats):
    """Time the three ways of loading, interleaved; return seconds of each run."""
    folder = settings.BUNDLED_IMAGES_DIR
    paths = original_file_names(folder)
    cache_dir = settings.OUTPUT_DIR / "cache"
    load_like_original(paths)

    seconds = {"original": [], "cold": [], "cached": []}
    for _ in range(repeats):
        elapsed, original_images = time_call(lambda: load_like_original(paths))
        seconds["original"].append(elapsed)

        shutil.rmtree(cache_dir, ignore_errors=True)
        elapsed, (cold_images, _) = time_call(lambda: load_dataset(verbose=False))
        seconds["cold"].append(elapsed)

        elapsed, (cached_images, _) = time_call(lambda: load_dataset(verbose=False))
        seconds["cached"].append(elapsed)

    if not np.array_equal(cold_images, cached_images):
        raise RuntimeError("load_dataset() returned other images from its cache.")
    return {
        "num_images_original": len(original_images),
        "num_images_course": len(cold_images),
        "seconds": seconds,
        "median_seconds": {name: median(values) for name, values in seconds.items()},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each variant")
    arguments = parser.parse_args()
    if "POKEMON_AE_OUTPUT_DIR" not in os.environ:
        parser.error(
            "set POKEMON_AE_OUTPUT_DIR to a temporary folder: this worker deletes "
            "the data set cache under it."
        )
    print_result(measure(arguments.repeats))


if __name__ == "__main__":
    main()
