"""No Docker engine runs here: check that the compose file's commands name real entry points."""

import importlib
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_services_with_health_checks():
    services = _compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat", "mail"} <= set(services)
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name


def test_each_service_command_names_a_real_entry_point():
    services = _compose()["services"]
    for name in ("web", "worker", "beat", "migrate"):
        command = services[name]["command"]
        argv = shlex.split(command) if isinstance(command, str) else command
        if argv[0] == "gunicorn":
            module, _, attr = argv[1].partition(":")
            assert hasattr(importlib.import_module(module), attr)
        elif argv[0] == "celery":
            assert argv[1:3] == ["-A", "idbridge"]
            assert argv[3] in ("worker", "beat")
            assert hasattr(importlib.import_module("idbridge"), "celery_app")
        elif argv[0] == "python":
            assert argv[1] == "manage.py"
            assert (ROOT / argv[1]).exists()
        else:
            raise AssertionError(f"{name}: unknown entry point {argv[0]}")


def test_web_health_check_calls_healthz_and_dockerfile_exists():
    web = _compose()["services"]["web"]
    assert "/healthz" in " ".join(web["healthcheck"]["test"])
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pyproject.toml" in dockerfile
    # SAML signing and encryption run in-process: the image installs no xmlsec1 program.
    assert (
        "apt-get install" in dockerfile
        and " xmlsec1" not in dockerfile.split("apt-get install")[1].split("\n")[0]
    )
