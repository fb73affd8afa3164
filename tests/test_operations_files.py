"""The operator's files stay complete: .env.example names every setting the app reads."""

import re
from pathlib import Path

import config

ROOT = Path(__file__).resolve().parents[1]


def test_env_example_lists_every_setting():
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    read = {name for name in config._DEFAULTS if not name.startswith("TEST_")} | {"APP_ENV"}
    gunicorn = set(re.findall(r"\"(GUNICORN_[A-Z_]+)\"", (ROOT / "gunicorn.conf.py").read_text()))
    assert read - listed == set(), "add these to .env.example"
    assert gunicorn - listed == set(), "add these to .env.example"
    assert listed - read - gunicorn == set(), "settings nothing reads"
