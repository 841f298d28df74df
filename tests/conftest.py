"""Fixtures shared by the test modules."""

import pytest

from helpers import settings


@pytest.fixture
def output_dir(tmp_path, monkeypatch):
    """Point settings.OUTPUT_DIR at an empty temporary folder for one test.

    The helpers read settings.OUTPUT_DIR when they run, so caches and
    other outputs of the test land there and not in the repository.
    """
    folder = tmp_path / "outputs"
    monkeypatch.setattr(settings, "OUTPUT_DIR", folder)
    return folder
