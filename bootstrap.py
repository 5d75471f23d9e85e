#!/usr/bin/env python3
"""One-command set-up for e-KTP Tracker. Needs only Python 3.11+ (standard library).

    python3 bootstrap.py demo [ADDRESS]  # venv, install, migrate SQLite, regions, demo data,
                                         # run the server on ADDRESS (default 127.0.0.1:8000)
    python3 bootstrap.py test   # venv, install, run the whole test suite (pytest)

Both create `.venv/` on first use and reinstall only when pyproject.toml changes. Extra arguments
after `test` go to pytest; `DATABASE_URL` selects the database (SQLite when unset).
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-pyproject-sha256"


def run(*args, **kwargs):
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)


def ensure_environment():
    if sys.version_info < (3, 11):  # noqa: UP036 - say so clearly on an old Python
        sys.exit(f"e-KTP Tracker needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"Creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != digest:
        run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(PYTHON, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
        STAMP.write_text(digest)


def manage(*args):
    run(PYTHON, "manage.py", *args)


# The demo's story day: pages open on it (DEFAULT_DAY) unless the environment says otherwise.
DEMO_DAY = "2012-04-16"


def demo(extra):
    ensure_environment()
    address = extra[0] if extra else "127.0.0.1:8000"
    manage("migrate", "--no-input")
    manage("import_regions")
    manage("load_demo", "--address", address)
    os.environ.setdefault("DEFAULT_DAY", DEMO_DAY)
    print(
        f"\nStarting e-KTP Tracker on {address}: log in with a demo login above. Pages open on "
        f"{os.environ['DEFAULT_DAY']}, the story's day (DEFAULT_DAY)."
    )
    print("Stop the server with Ctrl+C.\n", flush=True)
    manage("runserver", address)


def test(extra):
    ensure_environment()
    # Every core runs tests (pytest-xdist); a test file stays on one worker, so a module's
    # fixtures (the demo data) are built once. `-n 0` runs everything in this process.
    parallel = []
    if not any(a.startswith(("-n", "--numprocesses")) for a in extra):
        parallel = ["-n", "auto", "--dist", "loadfile"]
    result = subprocess.run([str(PYTHON), "-m", "pytest", *parallel, *extra], cwd=ROOT)
    sys.exit(result.returncode)


def main():
    commands = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
