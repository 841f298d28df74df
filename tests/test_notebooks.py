"""Checks on how the notebooks are written and committed, and on the setup files.

Running the notebooks is nbval's job (see scripts/run_tests.sh). These tests
read the .ipynb files as JSON and check what nbval cannot see: the kernel
named in a notebook's metadata, what its first code cell sets up before any
heavy import, the structure every lesson shares, and that the committed
outputs come from one clean run.
"""

import ast
import json
import re
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("0*.ipynb"))

# numpy, cv2 and TensorFlow load an OpenMP runtime when imported, and
# KMP_DUPLICATE_LIB_OK must be set before that. The helpers' submodules import
# them, so only `os` may be imported before the environment is set.
MODULES_ALLOWED_BEFORE_SETUP = {"os"}

SYS_PATH_EDIT = re.compile(r"sys\.path\s*(\.\s*(insert|append|extend)\b|\+?=|\[)")


def load_notebook(path):
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def cell_source(cell):
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def markdown_texts(notebook):
    return [cell_source(cell) for cell in notebook["cells"] if cell["cell_type"] == "markdown"]


def parse_code(source):
    """Parse a code cell, turning IPython magics and shell lines into `pass`."""
    lines = [
        "pass" if line.lstrip().startswith(("%", "!")) else line
        for line in source.splitlines()
    ]
    return ast.parse("\n".join(lines))


def environ_key_set(statement):
    """Return the key that `os.environ[KEY] = ...` or `os.environ.setdefault(KEY, ...)` sets, else None."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        if isinstance(target, ast.Subscript) and ast.unparse(target.value) == "os.environ":
            return ast.literal_eval(target.slice)
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        if ast.unparse(call.func) == "os.environ.setdefault" and call.args:
            return ast.literal_eval(call.args[0])
    return None


def imported_modules(statement):
    if isinstance(statement, ast.Import):
        return [alias.name for alias in statement.names]
    if isinstance(statement, ast.ImportFrom):
        return [statement.module or ""]
    return []


def heading_lines(notebook):
    return [
        line.lstrip("#").strip().lower()
        for text in markdown_texts(notebook)
        for line in text.splitlines()
        if line.startswith("#")
    ]


def test_notebooks_found():
    names = [path.name for path in NOTEBOOKS]
    assert "01_preprocessing.ipynb" in names
    assert "02_architecture.ipynb" in names
    assert "03_training.ipynb" in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_kernelspec_is_python3(path):
    kernelspec = load_notebook(path)["metadata"].get("kernelspec", {})
    assert kernelspec.get("name") == "python3"
    assert kernelspec.get("display_name") == "Python 3 (ipykernel)"
    assert kernelspec.get("language") == "python"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_first_code_cell_sets_environment_before_imports(path):
    first_cell = code_cells(load_notebook(path))[0]
    statements = parse_code(cell_source(first_cell)).body

    keys_set = []
    for statement in statements:
        key = environ_key_set(statement)
        if key is not None:
            keys_set.append(key)
        if "KMP_DUPLICATE_LIB_OK" in keys_set and "TF_CPP_MIN_LOG_LEVEL" in keys_set:
            break
        for module in imported_modules(statement):
            assert module in MODULES_ALLOWED_BEFORE_SETUP, (
                f"the first code cell imports {module!r} before it sets "
                "KMP_DUPLICATE_LIB_OK and TF_CPP_MIN_LOG_LEVEL"
            )
    assert "KMP_DUPLICATE_LIB_OK" in keys_set
    assert "TF_CPP_MIN_LOG_LEVEL" in keys_set
    assert 'os.environ["KMP_DUPLICATE_LIB_OK"] = "TRUE"' in cell_source(first_cell)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_imports_helpers(path):
    modules = [
        module
        for cell in code_cells(load_notebook(path))
        for statement in parse_code(cell_source(cell)).body
        for module in imported_modules(statement)
    ]
    assert any(module == "helpers" or module.startswith("helpers.") for module in modules)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_code_cells_are_valid_python(path):
    for index, cell in enumerate(code_cells(load_notebook(path))):
        try:
            parse_code(cell_source(cell))
        except SyntaxError as error:
            pytest.fail(f"code cell {index} does not parse: {error}")


def test_no_sys_path_edits():
    files = NOTEBOOKS + sorted((PROJECT_ROOT / "helpers").glob("*.py"))
    files += sorted((PROJECT_ROOT / "tests").glob("*.py"))
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in files
        if SYS_PATH_EDIT.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "the helpers are installed with pip install -e ., so nothing edits sys.path"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_opens_with_title_and_learning_goals(path):
    cells = load_notebook(path)["cells"]
    opening = cell_source(cells[0]) if cells[0]["cell_type"] == "markdown" else ""
    assert opening.startswith("# "), "the first cell is a markdown cell with the title"
    assert "learning goals" in opening.lower()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_ends_with_recap_and_exercises(path):
    notebook = load_notebook(path)
    headings = heading_lines(notebook)
    assert any("recap" in heading or "summary" in heading for heading in headings)
    assert any("exercises" in heading for heading in headings)

    texts = markdown_texts(notebook)
    first_exercise = next(
        index for index, text in enumerate(texts) if re.search(r"^#+ .*exercises", text, re.I | re.M)
    )
    solutions = sum(text.count("<details>") for text in texts[first_exercise:])
    assert 2 <= solutions <= 3, "two or three exercises, each with a solution in a <details> block"
    assert all(text.count("<details>") == text.count("</details>") for text in texts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_committed_outputs_come_from_one_clean_run(path):
    cells = code_cells(load_notebook(path))
    execution_counts = [cell["execution_count"] for cell in cells]
    assert execution_counts == list(range(1, len(cells) + 1)), (
        "run the notebook top to bottom in a fresh kernel before committing it"
    )
    for index, cell in enumerate(cells):
        errors = [output for output in cell["outputs"] if output["output_type"] == "error"]
        assert errors == [], f"code cell {index} was committed with an error"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_checked_cells_have_committed_outputs(path):
    checked = [
        cell
        for cell in code_cells(load_notebook(path))
        if "# NBVAL_CHECK_OUTPUT" in cell_source(cell)
    ]
    assert checked, "mark the deterministic outputs with # NBVAL_CHECK_OUTPUT"
    for cell in checked:
        assert cell["outputs"], f"checked cell without an output to compare:\n{cell_source(cell)}"
        # stderr differs from machine to machine (library warnings), and nbval
        # compares it like stdout, so a checked cell must not write to it.
        streams = [output.get("name") for output in cell["outputs"] if output["output_type"] == "stream"]
        assert "stderr" not in streams, f"checked cell writes to stderr:\n{cell_source(cell)}"


def read_requirement_pins(lines):
    """Return {package: version} for the `name==version` lines, skipping comments."""
    pins = {}
    for line in lines:
        match = re.fullmatch(r"\s*(?:-\s+)?([A-Za-z0-9_.\-]+)==([^\s#]+)\s*(#.*)?", line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_environment_yml_pins_match_requirements():
    requirements = (PROJECT_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    environment = (PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
    pip_section = environment[environment.index("  - pip:") + 1 :]

    requirement_pins = read_requirement_pins(requirements)
    assert len(requirement_pins) >= 10
    assert read_requirement_pins(pip_section) == requirement_pins


def test_environment_yml_python_is_supported():
    environment = (PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8")
    match = re.search(r"^\s+- python=3\.(\d+)\s*$", environment, re.M)
    assert match, "environment.yml pins python=3.X"
    assert 10 <= int(match.group(1)) <= 12
