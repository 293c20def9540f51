"""`make demo` on a machine whose Python has no ensurepip (Debian without python3-venv)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_virtualenv_made_without_pip_gets_pip_from_pypi(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    assert subprocess.run([python, "-m", "pip", "--version"], capture_output=True).returncode
    subprocess.run([python, ROOT / "tools" / "pip_bootstrap.py"], check=True, timeout=300)
    version = subprocess.run(
        [python, "-m", "pip", "--version"], capture_output=True, text=True, check=True
    )
    assert str(venv) in version.stdout


def test_the_makefile_falls_back_to_the_bootstrap_when_venv_cannot_install_pip():
    makefile = (ROOT / "Makefile").read_text()
    assert "-m venv --without-pip $(VENV)" in makefile
    assert "$(PY) tools/pip_bootstrap.py" in makefile
