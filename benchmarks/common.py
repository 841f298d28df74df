"""Running one measurement in a fresh Python process, and small shared tools.

Every measurement that imports TensorFlow runs in its own process. So each
starts with a clean memory footprint and its peak memory belongs to it
alone. No graph, cache or thread pool of an earlier measurement speeds it
up or slows it down.

A worker is a script in this folder. It prints its result as one line
``RESULT {json}`` on standard output. Everything else it prints (Keras
progress, TensorFlow start-up messages) is kept for error messages only.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

try:
    import resource
except ImportError:  # Windows has no resource module.
    resource = None

BENCHMARKS_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCHMARKS_DIR.parent
RESULT_PREFIX = "RESULT "

# Quiet TensorFlow's C++ start-up messages and the original script's
# OpenMP setting, which lets two copies of the OpenMP runtime coexist.
WORKER_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "2", "KMP_DUPLICATE_LIB_OK": "TRUE"}


class WorkerError(RuntimeError):
    """A worker process failed or printed no result line."""


def run_worker(script, arguments, env=None, timeout=None):
    """Run ``python benchmarks/<script> <arguments>`` and return its result.

    Parameters
    ----------
    script : str
        File name of the worker in this folder, e.g. ``"training_speed.py"``.
    arguments : list of str
        Command-line arguments of the worker.
    env : dict of str to str, optional
        Variables added to this process's environment for the worker.
    timeout : float, optional
        Seconds after which the worker is stopped.

    Returns
    -------
    result : dict
        The JSON object of the worker's ``RESULT`` line.

    Raises
    ------
    WorkerError
        If the worker exits with an error, times out or prints no result.
        The message contains the end of its output.
    """
    command = [sys.executable, str(BENCHMARKS_DIR / script), *map(str, arguments)]
    environment = {**os.environ, **WORKER_ENVIRONMENT, **(env or {})}
    try:
        completed = subprocess.run(
            command, cwd=PROJECT_ROOT, env=environment, capture_output=True,
            text=True, timeout=timeout,
        )
    except subprocess.TimeoutExpired as error:
        raise WorkerError(
            f"{' '.join(command[1:])} timed out after {timeout:.0f} s. Run the "
            f"benchmarks on a less busy machine, or with fewer epochs or repeats."
        ) from error

    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    output_tail = (completed.stdout + completed.stderr)[-3000:]
    raise WorkerError(
        f"{' '.join(command[1:])} exited with code {completed.returncode} "
        f"and printed no result. End of its output:\n{output_tail}"
    )


def print_result(result):
    """Print a worker's result line for ``run_worker`` to read."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def peak_memory_mib():
    """Return this process's peak resident memory (max RSS) in MiB, or None on Windows."""
    if resource is None:
        return None
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kibibytes, macOS bytes.
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return max_rss / divisor


class Stopwatch:
    """Measure wall-clock and CPU seconds of a block: ``with Stopwatch() as watch:``."""

    def __enter__(self):
        self.wall_start = time.perf_counter()
        self.cpu_start = time.process_time()
        return self

    def __exit__(self, *exception):
        self.wall_seconds = time.perf_counter() - self.wall_start
        self.cpu_seconds = time.process_time() - self.cpu_start


def first_index_at_least(values, target):
    """Return the index of the first value >= target, or None if there is none."""
    for index, value in enumerate(values):
        if value >= target:
            return index
    return None


def median(values):
    return statistics.median(values) if values else float("nan")


def format_seconds(seconds):
    """Format a duration for the table: ``0.042 s``, ``3.1 s``, ``12 min 5 s``."""
    if seconds is None:
        return "not measured"
    if seconds < 1:
        return f"{seconds:.3f} s"
    if seconds < 100:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def format_ratio(ratio):
    """Format a speed-up, e.g. ``2.31x``; ``-`` when there is nothing to compare."""
    if ratio is None:
        return "-"
    return f"{ratio:.2f}x"


def markdown_table(header, rows):
    """Return a GitHub-flavoured markdown table as a string."""
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
