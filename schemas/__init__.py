"""Catalogs (CSV) and table models: the one place the dataset's vocabulary is declared."""
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent
