"""The web server's configuration: workers and threads from the machine and the environment."""

import subprocess
import sys

import pytest

from idbridge import gunicorn_conf
from idbridge.gunicorn_conf import MEMORY_PER_WORKER, default_workers, server_settings
from tests.conftest import ROOT

GIB = 1024**3


@pytest.mark.parametrize(
    ("cores", "memory", "workers"),
    [
        (1, 8 * GIB, 2),  # never fewer than two
        (2, 4 * GIB, 4),  # two per core
        (4, 8 * GIB, 8),
        (4, 2 * GIB, 4),  # one per 512 MiB
        (8, 16 * GIB, 16),
        (32, 64 * GIB, 16),  # at most sixteen
        (4, None, 8),  # memory unknown: cores only
        (2, MEMORY_PER_WORKER, 2),
    ],
)
def test_default_workers_follow_cores_capped_by_memory(cores, memory, workers):
    assert default_workers(cores, memory) == workers
    assert server_settings({}, cores, memory)["workers"] == workers


def test_defaults_on_a_four_core_box():
    settings = server_settings({}, 4, 8 * GIB)
    assert settings == {
        "bind": ["127.0.0.1:8000"],
        "worker_class": "gthread",
        "workers": 8,
        "threads": 4,
        "keepalive": 5,
        "timeout": 30,
        "graceful_timeout": 30,
        "max_requests": 2000,
        "max_requests_jitter": 200,
        "preload_app": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "forwarded_allow_ips": "",
        "control_socket": None,
    }


def test_the_environment_overrides_each_knob():
    env = {
        "HOST": "0.0.0.0",  # noqa: S104
        "PORT": "9000",
        "WEB_WORKERS": "3",
        "WEB_THREADS": "8",
        "WEB_KEEPALIVE_SECONDS": "75",
        "WEB_TIMEOUT_SECONDS": "120",
        "WEB_GRACEFUL_TIMEOUT_SECONDS": "10",
        "WEB_MAX_REQUESTS": "500",
        "WEB_ACCESS_LOG": "true",
        "LOG_LEVEL": "WARNING",
        "WEB_CONTROL_SOCKET": "/run/idbridge/gunicorn.ctl",
    }
    settings = server_settings(env, 4, 8 * GIB)
    assert settings["bind"] == ["0.0.0.0:9000"]
    assert (settings["workers"], settings["threads"]) == (3, 8)
    assert (settings["keepalive"], settings["timeout"]) == (75, 120)
    assert settings["graceful_timeout"] == 10
    assert (settings["max_requests"], settings["max_requests_jitter"]) == (500, 50)
    assert settings["accesslog"] == "-"
    assert settings["loglevel"] == "warning"
    assert settings["control_socket"] == "/run/idbridge/gunicorn.ctl"
    assert server_settings({"WEB_MAX_REQUESTS_JITTER": "7"}, 1, None)["max_requests_jitter"] == 7
    assert server_settings({"WEB_PRELOAD": "false"}, 1, None)["preload_app"] is False
    assert server_settings({"HOST": "::"}, 1, None)["bind"] == ["[::]:8000"]


def test_forwarded_allow_ips_are_the_trusted_proxies():
    env = {"TRUSTED_PROXIES": "10.0.0.5, 10.1.2.3/16,::1"}
    allowed = server_settings(env, 2, None)["forwarded_allow_ips"]
    assert allowed == "10.0.0.5/32,10.1.0.0/16,::1/128"


@pytest.mark.parametrize(
    "env",
    [
        {"WEB_WORKERS": "many"},
        {"WEB_WORKERS": "0"},
        {"WEB_THREADS": "-1"},
        {"TRUSTED_PROXIES": "proxy.example"},
    ],
)
def test_a_bad_value_is_refused_with_its_name(env):
    (name,) = env
    with pytest.raises(ValueError, match=name):
        server_settings(env, 2, None)


def test_the_machine_is_measured():
    assert gunicorn_conf.cpu_cores() >= 1
    assert gunicorn_conf.memory_bytes() is None or gunicorn_conf.memory_bytes() > 0
    assert gunicorn_conf.worker_class == "gthread"
    assert gunicorn_conf.workers >= 2


def test_gunicorn_reads_the_file_and_the_command_line_still_wins(tmp_path):
    argv = [sys.executable, "-m", "gunicorn", "idbridge.wsgi:application"]
    argv += ["-c", "python:idbridge.gunicorn_conf", "--workers", "5", "--print-config"]
    env = {"PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path), "WEB_THREADS": "6"}
    env["TRUSTED_PROXIES"] = "192.0.2.0/24"
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    printed = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition("=") for line in result.stdout.splitlines())
    )
    assert printed["worker_class"] == "gthread"
    assert printed["threads"] == "6"
    assert printed["workers"] == "5"
    assert printed["forwarded_allow_ips"] == "['192.0.2.0/24']"
    assert printed["accesslog"] == "None"
    assert printed["control_socket_disable"] == "True"
