"""Put pip into a virtualenv made with ``--without-pip``, using only the standard library.

Debian ships Python's ``ensurepip`` in a separate package (``python3-venv``); without it
``python3 -m venv`` cannot install pip. ``make`` then makes the virtualenv without pip and
runs this with the virtualenv's Python: it asks PyPI's JSON API for pip's newest wheel,
checks the wheel's SHA-256 against PyPI's digest, and runs pip from the wheel itself (a
wheel is a zip Python can import from) to install that same wheel.

    python3 -m venv --without-pip .venv && .venv/bin/python tools/pip_bootstrap.py
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from urllib.parse import urljoin

INDEX = os.environ.get("PIP_BOOTSTRAP_JSON_URL", "https://pypi.org/pypi/pip/json")


def newest_wheel(index: str) -> tuple[str, str]:
    """(URL, SHA-256) of pip's newest universal wheel."""
    with urllib.request.urlopen(index, timeout=60) as answer:  # noqa: S310 - fixed https URL
        release = json.load(answer)
    for item in release["urls"]:
        if item["packagetype"] == "bdist_wheel" and item["filename"].endswith("py3-none-any.whl"):
            return urljoin(index, item["url"]), item["digests"]["sha256"]
    raise SystemExit("PyPI lists no pip wheel: install Debian's python3-venv instead.")


def main() -> None:
    url, sha256 = newest_wheel(INDEX)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = os.path.join(tmp, url.rsplit("/", 1)[-1].split("#")[0])
        with urllib.request.urlopen(url, timeout=120) as answer:  # noqa: S310 - from PyPI's index
            data = answer.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise SystemExit("The pip wheel from PyPI does not match its published SHA-256.")
        with open(wheel, "wb") as fh:
            fh.write(data)
        pip = os.path.join(wheel, "pip")
        subprocess.run([sys.executable, pip, "install", "--quiet", "--no-index", wheel], check=True)


if __name__ == "__main__":
    main()
