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


def test_gunicorn_warns_when_the_pool_is_smaller_than_the_threads():
    """gunicorn.conf.py's start hook names a DATABASE_POOL_SIZE below a worker's threads plus the job thread; the
    defaults of both files agree (the app's pool fits gunicorn's default threads)."""
    import runpy

    pool_warning = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["pool_warning"]
    assert pool_warning(10, 8) is None and pool_warning(9, 8) is None
    warning = pool_warning(5, 8)
    assert "DATABASE_POOL_SIZE=5" in warning and "GUNICORN_THREADS + 1 (9)" in warning
    text = (ROOT / "gunicorn.conf.py").read_text()
    default_threads = int(re.search(r'_int\("GUNICORN_THREADS", (\d+)\)', text).group(1))
    default_pool = int(re.search(r'_int\("DATABASE_POOL_SIZE", (\d+)\)', text).group(1))
    assert default_pool == config._DEFAULTS["DATABASE_POOL_SIZE"]
    assert pool_warning(default_pool, default_threads) is None
