"""Wall time of executing every course notebook headless, as CI and run_course.sh do."""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PROJECT_ROOT, WORKER_ENVIRONMENT, WorkerError

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"


def course_notebooks():
    """Return the numbered course notebooks (``notebooks/0*.ipynb``) in order."""
    return sorted(NOTEBOOKS_DIR.glob("0*.ipynb"))


def execute_notebook(notebook, output_dir, fast, timeout=None):
    """Execute one notebook with nbconvert; return its wall-clock seconds.

    Parameters
    ----------
    notebook : Path
        The notebook to run. The executed copy goes to ``output_dir``.
    output_dir : Path
        Folder for the executed notebook. It is also the course's
        ``POKEMON_AE_OUTPUT_DIR``, so that the run starts without a data set
        cache or a trained model, as on a fresh clone, and leaves the
        learner's ``outputs/`` alone.
    fast : bool
        Whether to set ``POKEMON_AE_FAST=1``.
    timeout : float, optional
        Seconds after which nbconvert is stopped.

    Raises
    ------
    WorkerError
        If a cell fails or nbconvert times out. The message contains the
        end of nbconvert's output.
    """
    environment = {**os.environ, **WORKER_ENVIRONMENT, "POKEMON_AE_OUTPUT_DIR": str(output_dir)}
    environment.pop("POKEMON_AE_FAST", None)
    if fast:
        environment["POKEMON_AE_FAST"] = "1"
    command = [
        sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
        # No per-cell limit: full mode trains for many minutes in one cell.
        "--ExecutePreprocessor.timeout=-1",
        "--output-dir", str(output_dir), str(notebook),
    ]
    start = time.perf_counter()
    try:
        completed = subprocess.run(
            command, cwd=PROJECT_ROOT, env=environment, capture_output=True,
            text=True, timeout=timeout,
        )
    except subprocess.TimeoutExpired as error:
        raise WorkerError(f"Executing {notebook.name} timed out after {timeout:.0f} s.") from error
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        raise WorkerError(
            f"Executing {notebook.name} failed with code {completed.returncode}. "
            f"End of nbconvert's output:\n{(completed.stdout + completed.stderr)[-3000:]}"
        )
    return seconds


def time_notebooks(fast, notebooks=None, timeout_per_notebook=None):
    """Execute notebooks in order in one fresh output folder; return seconds per notebook.

    Parameters
    ----------
    fast : bool
        Whether to run them in fast mode.
    notebooks : list of Path, optional
        The notebooks; by default every course notebook.
    timeout_per_notebook : float, optional
        Seconds after which one notebook's run is stopped.

    Returns
    -------
    seconds : dict of str to float
        Wall-clock seconds of each notebook, by file name, in the order run.
    """
    if notebooks is None:
        notebooks = course_notebooks()
    if not notebooks:
        raise WorkerError(f"No notebooks matching 0*.ipynb in {NOTEBOOKS_DIR}.")
    seconds = {}
    with tempfile.TemporaryDirectory(prefix="notebook-benchmark-") as output_dir:
        for notebook in notebooks:
            mode = "fast" if fast else "full"
            print(f"  executing {notebook.name} ({mode} mode)", flush=True)
            seconds[notebook.name] = execute_notebook(
                notebook, Path(output_dir), fast, timeout_per_notebook
            )
    return seconds
