# Shared set-up for run_course.sh and run_tests.sh; source it, do not run it.
#
# Creates .venv in the repository root with the Python that runs the script
# (python3, or the interpreter named by $PYTHON), then installs the pinned
# dependencies from requirements.txt and the course's helpers in editable
# mode. Running it again only installs what changed. Afterwards VENV_PYTHON
# names the environment's interpreter and .venv/bin is first on PATH.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="$REPO_ROOT/.venv"

# Fails with a message unless the interpreter $1 is Python 3.10, 3.11 or 3.12;
# $2 says what to do about it. TensorFlow 2.20 has no wheels for older
# versions, and the pinned Keras and NumPy are the last releases that still
# support 3.10.
check_python_version() {
    "$1" -c '
import sys
if not (3, 10) <= sys.version_info[:2] <= (3, 12):
    version = "%d.%d" % sys.version_info[:2]
    sys.exit(f"error: {sys.executable} is Python {version}, but the course "
             f"needs Python 3.10, 3.11 or 3.12. {sys.argv[1]}")
' "$2"
}

if [[ ! -x "$VENV_DIR/bin/python" ]]; then
    PYTHON="${PYTHON:-python3}"
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        echo "error: $PYTHON was not found. Install Python 3.10, 3.11 or 3.12, or set PYTHON=/path/to/python3." >&2
        exit 1
    fi
    check_python_version "$PYTHON" \
        "Install a supported version and run again with PYTHON=/path/to/python3.11 set."
    echo "Creating the virtual environment $VENV_DIR with $("$PYTHON" --version 2>&1)"
    if ! "$PYTHON" -m venv "$VENV_DIR"; then
        # Debian and Ubuntu ship venv support as a separate package.
        rm -rf "$VENV_DIR"
        echo "error: '$PYTHON -m venv' failed. On Debian or Ubuntu install python3-venv (sudo apt-get install python3-venv) and run again." >&2
        exit 1
    fi
else
    # An environment left by an unsupported Python would fail later with a
    # confusing pip error, so check it too.
    check_python_version "$VENV_DIR/bin/python" "Delete $VENV_DIR and run again to rebuild it."
fi

VENV_PYTHON="$VENV_DIR/bin/python"
export PATH="$VENV_DIR/bin:$PATH"

# pip is skipped when requirements.txt and pyproject.toml are unchanged since
# the last successful install, so a second run starts at once and works
# offline. Delete .venv/install-stamp to force a reinstall.
STAMP_FILE="$VENV_DIR/install-stamp"
install_inputs="$(cat "$REPO_ROOT/requirements.txt" "$REPO_ROOT/pyproject.toml")"
if [[ -f "$STAMP_FILE" && "$(cat "$STAMP_FILE")" == "$install_inputs" ]]; then
    echo "Dependencies already installed in $VENV_DIR"
else
    echo "Installing the pinned dependencies and the helpers package into $VENV_DIR"
    "$VENV_PYTHON" -m pip install --disable-pip-version-check --quiet \
        -r "$REPO_ROOT/requirements.txt" -e "$REPO_ROOT"
    printf '%s' "$install_inputs" >"$STAMP_FILE"
fi
