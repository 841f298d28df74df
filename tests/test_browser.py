"""Run notebook 04 in a real JupyterLab and Chromium, and drive its interpolation widget.

Executing notebooks headless (nbval) never renders a widget, so it cannot
catch a slider that shows as text or "Error displaying widget: model not
found" when ipywidgets and JupyterLab's widget extension do not match. This
test starts JupyterLab on 127.0.0.1 with its own temporary configuration,
opens notebook 04 in Debian's headless Chromium through Playwright, runs all
cells in fast mode, drags the mix slider and checks that the decoded picture
changes. It saves a screenshot under outputs/test-artifacts/.

Playwright cannot download its own browser here, so the test uses
/usr/bin/chromium (Debian package ``chromium``). Without it the test is
skipped, except when CI=true, where it fails.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import cv2
import numpy as np
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

from helpers import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOTEBOOK_NAME = "04_visualization.ipynb"
ARTIFACT_DIR = settings.PROJECT_ROOT / "outputs" / "test-artifacts"

# Upper bounds in seconds. Fast mode runs the notebook in about a minute on
# 2 cores; the limits leave room for a busy machine.
SERVER_START_TIMEOUT = 90
NOTEBOOK_RUN_TIMEOUT = 240
WIDGET_TIMEOUT = 60
SHUTDOWN_TIMEOUT = 20
RUN_ALL_START_TIMEOUT = 15

# JupyterLab settings: start the notebook's kernel without asking, render
# every cell (no virtual scrolling, so all outputs are in the DOM) and fetch
# no news from the internet.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "autoStartDefaultKernel": True,
        "windowingMode": "none",
    },
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
SERVER_CONFIG = {
    "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"},
}

# True once every code cell shows an execution count, "error" once a
# traceback is shown (Run All stops there, so the counts would never fill).
NOTEBOOK_FINISHED_JS = """
() => {
    const errors = [...document.querySelectorAll('.jp-OutputArea-output')]
        .filter(output => output.textContent.includes('Traceback (most recent call last)'));
    if (errors.length > 0) {
        return 'error';
    }
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
    return prompts.length > 0 && prompts.every(prompt => /\\[\\d+\\]/.test(prompt.textContent));
}
"""

# The bytes of the PNG an <img> shows; ipywidgets serves it as a blob: URL.
IMAGE_BYTES_JS = """
async (image) => {
    const response = await fetch(image.src);
    return Array.from(new Uint8Array(await response.arrayBuffer()));
}
"""


def require_chromium():
    if CHROMIUM.is_file():
        return
    reason = f"{CHROMIUM} not found; install Debian's package with `apt-get install chromium`."
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def clear_outputs(notebook_path):
    """Remove a notebook's outputs, execution counts and saved widget state in place.

    Otherwise the committed outputs (and widgets rebuilt from their saved
    state) would be on the page before any cell has run.
    """
    notebook = json.loads(notebook_path.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    notebook["metadata"].pop("widgets", None)
    notebook_path.write_text(json.dumps(notebook, indent=1))


def find_free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_json(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content))


def jupyter_environment(tmp_path):
    """Return an environment that keeps JupyterLab's state inside tmp_path."""
    environment = dict(os.environ)
    folders = {
        "JUPYTER_CONFIG_DIR": tmp_path / "config",
        "JUPYTER_DATA_DIR": tmp_path / "data",
        "JUPYTER_RUNTIME_DIR": tmp_path / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": tmp_path / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": tmp_path / "lab-workspaces",
        "IPYTHONDIR": tmp_path / "ipython",
        "POKEMON_AE_OUTPUT_DIR": tmp_path / "outputs",
    }
    for name, folder in folders.items():
        folder.mkdir(parents=True, exist_ok=True)
        environment[name] = str(folder)
    environment["POKEMON_AE_FAST"] = "1"
    environment.pop("JUPYTER_PATH", None)

    write_json(folders["JUPYTER_CONFIG_DIR"] / "jupyter_server_config.json", SERVER_CONFIG)
    for relative_path, content in LAB_SETTINGS.items():
        write_json(folders["JUPYTERLAB_SETTINGS_DIR"] / relative_path, content)
    return environment


def wait_for_server(process, url, token, log_path):
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise TimeoutError(
        f"JupyterLab did not answer on {url} within {SERVER_START_TIMEOUT} s:\n{log_path.read_text()[-3000:]}"
    )


def stop_server(process, url, token):
    """Ask the server to shut down with its kernels, then signal its process group."""
    if process.poll() is None:
        request = urllib.request.Request(f"{url}/api/shutdown?token={token}", method="POST")
        try:
            urllib.request.urlopen(request, timeout=5).close()
            process.wait(timeout=SHUTDOWN_TIMEOUT)
        except (urllib.error.URLError, ConnectionError, TimeoutError, subprocess.TimeoutExpired):
            pass
    # The server was started in its own session, so this reaches any kernel
    # it left behind and nothing else.
    for sent_signal in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sent_signal)
        except ProcessLookupError:
            break
        time.sleep(1)
    process.wait(timeout=SHUTDOWN_TIMEOUT)


@pytest.fixture
def jupyterlab(tmp_path):
    """Start JupyterLab over a copy of the notebooks; yield (base URL, token)."""
    require_chromium()
    root_dir = tmp_path / "notebooks"
    shutil.copytree(
        settings.PROJECT_ROOT / "notebooks", root_dir, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
    )
    clear_outputs(root_dir / NOTEBOOK_NAME)
    port = find_free_port()
    token = secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "jupyterlab.log"
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root_dir}",
        f"--IdentityProvider.token={token}",
        # CI runs as root, which JupyterLab refuses without this flag.
        "--ServerApp.allow_root=True",
    ]
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            command, env=jupyter_environment(tmp_path), stdout=log_file, stderr=subprocess.STDOUT,
            cwd=root_dir, start_new_session=True,
        )
    try:
        wait_for_server(process, url, token, log_path)
        yield url, token
    finally:
        stop_server(process, url, token)


def image_bytes(image_locator):
    return bytes(image_locator.evaluate(IMAGE_BYTES_JS))


def decode_png(png):
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR).astype(int)


def drag_slider_to_end(page, widget):
    """Drag the mix slider's handle to the right end of its track, as a learner would."""
    track = widget.locator(".widget-slider .noUi-target").first
    handle = widget.locator(".widget-slider .noUi-handle").first
    track_box = track.bounding_box()
    handle_box = handle.bounding_box()
    page.mouse.move(handle_box["x"] + handle_box["width"] / 2, handle_box["y"] + handle_box["height"] / 2)
    page.mouse.down()
    page.mouse.move(track_box["x"] + track_box["width"] + 20, track_box["y"] + track_box["height"] / 2, steps=10)
    page.mouse.up()


def wait_for_kernel(url, token):
    """Wait until the server reports a started, idle kernel with a browser connected."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    kernels = []
    last_error = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/api/kernels?token={token}", timeout=5) as response:
                kernels = json.load(response)
        except urllib.error.HTTPError as error:
            # On the first start in a new environment the server has answered
            # 500 here while the kernel was still starting, so retry until the
            # deadline rather than fail on one reply.
            if error.code < 500:
                raise
            last_error = error
        else:
            if any(kernel["execution_state"] == "idle" and kernel["connections"] > 0 for kernel in kernels):
                return
        time.sleep(0.5)
    raise TimeoutError(
        f"No kernel became idle within {SERVER_START_TIMEOUT} s: kernels {kernels}, last error {last_error}"
    )


def run_all_cells(page):
    """Choose Run > Run All Cells and wait until every code cell has run.

    A Run All sent while the frontend is still wiring up the new kernel can
    be dropped without an error, so the menu item is chosen again when the
    first cell has not started within RUN_ALL_START_TIMEOUT seconds.
    """
    first_prompt = page.locator(".jp-CodeCell .jp-InputArea-prompt").first
    for _ in range(3):
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            page.wait_for_function(
                "prompt => /\\[(\\*|\\d+)\\]/.test(prompt.textContent)",
                arg=first_prompt.element_handle(),
                timeout=RUN_ALL_START_TIMEOUT * 1000,
            )
            break
        except PlaywrightTimeoutError:
            continue
    state = page.wait_for_function(NOTEBOOK_FINISHED_JS, timeout=NOTEBOOK_RUN_TIMEOUT * 1000).json_value()
    assert state is True, "A cell of notebook 04 raised an error; see the failure screenshot."


def test_interpolation_widget_in_jupyterlab(jupyterlab):
    url, token = jupyterlab
    ARTIFACT_DIR.mkdir(parents=True, exist_ok=True)
    screenshot_path = ARTIFACT_DIR / "notebook04-interpolation-widget.png"
    failure_path = ARTIFACT_DIR / "notebook04-failure.png"
    for stale in (screenshot_path, failure_path):
        stale.unlink(missing_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(WIDGET_TIMEOUT * 1000)
        try:
            page.goto(f"{url}/lab/tree/{NOTEBOOK_NAME}?reset&token={token}", timeout=WIDGET_TIMEOUT * 1000)
            page.wait_for_selector(".jp-Notebook .jp-CodeCell")
            assert page.locator(".jp-OutputArea-output").count() == 0
            wait_for_kernel(url, token)
            run_all_cells(page)

            widget = page.locator(".interpolation-widget")
            widget.wait_for(state="visible")
            widget.scroll_into_view_if_needed()
            pictures = widget.locator("img")
            assert pictures.count() == 3
            readout = widget.locator(".widget-readout")
            blend_before = image_bytes(pictures.nth(1))
            source_before = pictures.nth(1).get_attribute("src")

            drag_slider_to_end(page, widget)
            page.wait_for_function(
                "([image, source]) => image.src !== source",
                arg=[pictures.nth(1).element_handle(), source_before],
                timeout=WIDGET_TIMEOUT * 1000,
            )
            blend_after = image_bytes(pictures.nth(1))
            page.screenshot(path=str(screenshot_path))
            print(f"screenshot: {screenshot_path}")

            # Only outputs count: the notebook's own text names the error too.
            output_text = "\n".join(page.locator(".jp-OutputArea").all_inner_texts())
            assert "Error displaying widget" not in output_text
            assert "model not found" not in output_text
            assert readout.first.inner_text().strip() == "1.00"
            # The neighbours widget shows its figure in an Image widget.
            assert page.locator(".neighbours-widget img").count() >= 1
            assert blend_after != blend_before
            # At mix 1 the blend is B's code alone, so it shows B's reconstruction.
            # Batch size can change the last bit of a float, hence one level of slack.
            reconstruction_b = image_bytes(pictures.nth(2))
            assert np.abs(decode_png(blend_after) - decode_png(reconstruction_b)).max() <= 1
        except Exception:
            page.screenshot(path=str(failure_path), full_page=True)
            print(f"failure screenshot: {failure_path}")
            raise
        finally:
            browser.close()
