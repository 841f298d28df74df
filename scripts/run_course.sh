#!/usr/bin/env bash
# Set up the course and run every notebook headless, in order.
#
# Usage, from anywhere:
#     bash scripts/run_course.sh                          # the full course
#     POKEMON_AE_FAST=1 bash scripts/run_course.sh        # a quick try, about a minute once set up
#     bash scripts/run_course.sh notebooks/03_training.ipynb   # only the named notebooks
#
# Creates .venv with the pinned dependencies and the helpers (see
# scripts/setup_venv.sh), then executes the notebooks in a fresh kernel each.
# The executed copies go to outputs/notebooks/; the notebooks themselves write
# the trained model, training logs and figures under outputs/. The notebooks
# in notebooks/ are left unchanged. POKEMON_AE_OUTPUT_DIR moves outputs/.
#
# The full course trains for 200 epochs, which takes a long time on a CPU
# (see the README for measured times); fast mode trains for 3 epochs on 96
# images instead.
set -euo pipefail

# The notebooks run with notebooks/ as their working directory, so a relative
# output folder is made absolute here, relative to where the script was run.
if [[ -n "${POKEMON_AE_OUTPUT_DIR:-}" && "$POKEMON_AE_OUTPUT_DIR" != /* ]]; then
    export POKEMON_AE_OUTPUT_DIR="$PWD/$POKEMON_AE_OUTPUT_DIR"
fi

source "$(dirname "${BASH_SOURCE[0]}")/setup_venv.sh"
cd "$REPO_ROOT"

output_dir="${POKEMON_AE_OUTPUT_DIR:-$REPO_ROOT/outputs}/notebooks"
mkdir -p "$output_dir"

if [[ $# -gt 0 ]]; then
    notebooks=("$@")
else
    notebooks=(notebooks/0*.ipynb)
fi

# Ask the helpers, so that the script and the notebooks read the variable alike.
if "$VENV_PYTHON" -c "import sys; from helpers.settings import is_fast_mode; sys.exit(not is_fast_mode())"; then
    echo "Fast mode (POKEMON_AE_FAST=$POKEMON_AE_FAST): short training on a subset of the images"
else
    echo "Full mode: trains for 200 epochs. For a quick try run: POKEMON_AE_FAST=1 bash scripts/run_course.sh"
fi

for notebook in "${notebooks[@]}"; do
    if [[ ! -f "$notebook" ]]; then
        echo "error: notebook $notebook not found" >&2
        exit 1
    fi
    echo "Running $notebook"
    start=$SECONDS
    # Each cell may run for up to 4 hours, because the training cell of the
    # full course takes 12 to 15 minutes on 2 CPU cores and much longer on a
    # slow laptop. The limit is finite so that a stuck kernel ends in an error
    # rather than a run that never finishes.
    jupyter nbconvert --to notebook --execute \
        --ExecutePreprocessor.timeout=14400 \
        --output-dir "$output_dir" "$notebook"
    echo "Finished $notebook in $((SECONDS - start)) s"
done

echo "Done. Executed notebooks: $output_dir"
