"""campus_seed, campus_client and the demo step."""

import json
import os
import stat

import pytest
from django.core.management import CommandError, call_command

from sandbox.demo import demo_client_ensure, demo_client_path, sandbox_demo_setup
from sandbox.models import ApiClient, Person


def test_campus_client_create_prints_the_credentials_as_json(db, capsys):
    call_command("campus_client", "create", "--name", "Payroll Bridge")
    credentials = json.loads(capsys.readouterr().out)
    assert {"soap_username", "soap_password", "client_id", "client_secret", "app_name"} <= set(
        credentials
    )
    assert credentials["app_name"] == "payroll-bridge"
    client = ApiClient.objects.get(app_name="payroll-bridge")
    assert client.soap_password.reveal() == credentials["soap_password"]
    call_command("campus_client", "list")
    listed = json.loads(capsys.readouterr().out.splitlines()[0])
    assert listed["client_id"] == credentials["client_id"] and "client_secret" not in listed


def test_campus_client_refuses_a_duplicate(db):
    call_command("campus_client", "create", "--name", "Twice")
    with pytest.raises(CommandError):
        call_command("campus_client", "create", "--name", "Twice")


def test_campus_seed_reports_and_refuses_to_seed_twice(db, capsys):
    call_command("campus_seed", "--staff", "25", "--students", "10", "--seed", "3", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["staff"] == 25 and report["database"] == "sqlite"
    assert Person.objects.count() == report["counts"]["person"]
    with pytest.raises(CommandError):
        call_command("campus_seed", "--staff", "5")
    call_command("campus_seed", "--staff", "5", "--students", "0", "--replace")
    assert Person.objects.count() == 5


@pytest.fixture
def var_dir(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    return tmp_path


class Out:
    def __init__(self):
        self.lines = []

    def write(self, line):
        self.lines.append(line)


def test_the_demo_step_seeds_once_and_keeps_one_demo_client(db, var_dir):
    first = sandbox_demo_setup(Out())
    persons = Person.objects.count()
    assert persons > 300
    out = Out()
    second = sandbox_demo_setup(out)
    assert second == first
    assert Person.objects.count() == persons
    assert ApiClient.objects.filter(name="idbridge").count() == 1
    assert any("/sandbox/" in line for line in out.lines)
    mode = stat.S_IMODE(os.stat(demo_client_path()).st_mode)
    assert mode == 0o600


def test_a_lost_demo_credentials_file_gets_new_secrets(db, var_dir):
    first = demo_client_ensure()
    demo_client_path().unlink()
    second = demo_client_ensure()
    assert second["client_id"] == first["client_id"]
    assert second["client_secret"] != first["client_secret"]
    assert json.loads(demo_client_path().read_text()) == second
