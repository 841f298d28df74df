#!/usr/bin/env bash
# Set up the course and run the whole test suite, notebooks included.
#
# Usage, from anywhere:
#     bash scripts/run_tests.sh                  # everything
#     bash scripts/run_tests.sh -x -k data       # extra arguments go to pytest
#
# Creates .venv with the pinned dependencies and the helpers (see
# scripts/setup_venv.sh), then runs pytest once over tests/ and notebooks/.
# nbval executes every notebook top to bottom in a fresh kernel and compares
# the outputs of the cells marked "# NBVAL_CHECK_OUTPUT" with the committed
# ones; the other cells only have to run without an error.
#
# Fast mode (POKEMON_AE_FAST=1) keeps training short. The tests write into a
# temporary folder rather than outputs/, so they never resume a training run
# left from earlier and never touch a learner's results. The one exception is
# the browser test's screenshot, kept in outputs/test-artifacts/ so that it
# can be looked at after the run. The exit status is pytest's.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/setup_venv.sh"
cd "$REPO_ROOT"

export POKEMON_AE_FAST=1
POKEMON_AE_OUTPUT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/pokemon-ae-tests.XXXXXX")"
export POKEMON_AE_OUTPUT_DIR
trap 'rm -rf "$POKEMON_AE_OUTPUT_DIR"' EXIT

# --nbval-lax compares only the marked cells; --nbval-current-env runs the
# notebooks with this environment's Python whatever kernel is installed.
status=0
"$VENV_PYTHON" -m pytest tests notebooks \
    --nbval-lax \
    --nbval-current-env \
    --nbval-sanitize-with tests/nbval_sanitize.cfg \
    "$@" || status=$?
exit "$status"
