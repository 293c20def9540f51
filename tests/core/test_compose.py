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


GUNICORN_CONFIG = ["-c", "python:idbridge.gunicorn_conf"]


def _dockerfile_cmd() -> list[str]:
    import json

    lines = (ROOT / "Dockerfile").read_text().splitlines()
    (cmd,) = [line for line in lines if line.startswith("CMD ")]
    return json.loads(cmd.removeprefix("CMD "))


def test_web_and_the_image_run_gunicorn_with_the_configuration_file():
    web = shlex.split(_compose()["services"]["web"]["command"])
    image = _dockerfile_cmd()
    for argv in (web, image):
        assert argv[:2] == ["gunicorn", "idbridge.wsgi:application"]
        assert argv[2:] == GUNICORN_CONFIG, argv  # sizing comes from the file only
    assert importlib.import_module("idbridge.gunicorn_conf").worker_class == "gthread"


def test_demo_runs_gunicorn_with_the_configuration_file():
    from idbridge.core.management.commands.demo import _commands

    web = _commands("127.0.0.1", 8000)["web"]
    assert web[1:4] == ["-m", "gunicorn", "idbridge.wsgi:application"]
    assert web[4:6] == GUNICORN_CONFIG


def test_worker_concurrency_follows_the_cores_unless_set():
    argv = shlex.split(_compose()["services"]["worker"]["command"])
    assert argv[argv.index("--concurrency") + 1] == "${WORKER_CONCURRENCY:-auto}"


def test_var_dir_is_one_named_volume_owned_by_the_app_user():
    compose = _compose()
    assert "vardata" in compose["volumes"]
    for name in ("web", "worker", "beat"):
        assert "vardata:/var/lib/idbridge" in compose["services"][name]["volumes"], name
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "VAR_DIR=/var/lib/idbridge" in dockerfile
    # The build runs the settings as root with a throwaway VAR_DIR, then hands the real
    # one to the app user.
    build = dockerfile.split("manage.py collectstatic")[0].rsplit("RUN ", 1)[1]
    assert "VAR_DIR=/tmp/build-var" in build
    assert "chown -R idbridge:idbridge /var/lib/idbridge" in dockerfile
    assert dockerfile.index("chown -R") > dockerfile.index("manage.py collectstatic")
    assert "USER idbridge" in dockerfile
