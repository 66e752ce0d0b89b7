"""Shared fixtures: the shipped reports, read once."""
from pathlib import Path

import pytest

from pipeline.read import read_path

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW


@pytest.fixture(scope="session")
def doc():
    """doc('zhucheng-2017.txt') → the Document of a shipped report."""
    cache = {}

    def load(name: str):
        if name not in cache:
            cache[name] = read_path(RAW / name, RAW)
        return cache[name]

    return load
