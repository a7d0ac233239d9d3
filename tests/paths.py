"""The repository's paths, for the tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EDGE = FIXTURES / "edge"
