"""Shared fixtures: personas, a real Celery worker, a Chromium page, service checks.

Integration tests (``-m integration``) need PostgreSQL at DATABASE_URL and Redis at
CELERY_BROKER_URL; browser tests need Debian's /usr/bin/chromium. Where one is missing the
test is skipped, except under ``CI=true``, where it fails: CI must really run them.
"""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
# thread with a loop unless told it is safe (the tests call the ORM synchronously).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def pytest_runtest_setup(item):
    if item.get_closest_marker("integration"):
        from django.conf import settings

        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            _unavailable("integration tests need DATABASE_URL to name a PostgreSQL database")
        broker = urlparse(settings.CELERY_BROKER_URL)
        if broker.scheme != "redis" or not _port_open(broker.hostname, broker.port or 6379):
            _unavailable("integration tests need Redis at CELERY_BROKER_URL")
        db = settings.DATABASES["default"]
        if not _port_open(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)):
            _unavailable("PostgreSQL is not reachable")
    if item.get_closest_marker("browser"):
        if not Path(CHROMIUM).exists():
            _unavailable(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(autouse=True)
def _celery_eager_outside_integration(request):
    """Unit and browser tests run tasks in-process; integration tests use a real worker."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    from idbridge.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _mail_to_the_outbox(settings):
    """Mail goes where the embedded default sends it (Django's test runner swaps in locmem)."""
    settings.EMAIL_BACKEND = "idbridge.core.mail.OutboxBackend"


# --- Personas ---------------------------------------------------------------------------


def _make_user(django_user_model, username, role=None):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username=username, password=f"{username}-Passw0rd!", email=f"{username}@district.example"
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def fresh_passkey_check(client, user) -> None:
    """Sign ``user`` in to the test client with a fresh (SIMULATED) passkey check in the
    session: what an administrative act (``idbridge.core.gates``) asks for."""
    from tests.boi.conftest import passkey_check_in_session

    client.force_login(user)
    passkey_check_in_session(client.session, user)


@pytest.fixture
def district_admin(db, django_user_model):
    """May do everything: configure connections, SPs, policies, the sandbox."""
    from idbridge.core.roles import DISTRICT_ADMIN

    return _make_user(django_user_model, "dana_admin", DISTRICT_ADMIN)


@pytest.fixture
def hr_operator(db, django_user_model):
    """May run onboarding and the Business Office console; nothing else."""
    from idbridge.core.roles import HR_OPERATOR

    return _make_user(django_user_model, "omar_hr", HR_OPERATOR)


@pytest.fixture
def auditor(db, django_user_model):
    """May read everything, including the audit log; may change nothing."""
    from idbridge.core.roles import AUDITOR

    return _make_user(django_user_model, "ada_auditor", AUDITOR)


@pytest.fixture
def outsider(db, django_user_model):
    """Has an account but no role: sees only the home page."""
    return _make_user(django_user_model, "olly_outsider")


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


# --- Celery worker ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real `celery worker` process on the test database and the Redis broker."""
    from django.conf import settings
    from django.db import connection

    from idbridge.celery import app

    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "LOG_LEVEL": "WARNING",
    }
    app.control.purge()
    hostname = f"test-{os.getpid()}@localhost"
    log = open(ROOT / "var" / "test-worker.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "idbridge",
            "worker",
            "--pool",
            "threads",
            "--concurrency",
            "4",
            "--hostname",
            hostname,
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"celery worker exited: see {log.name}")
            if app.control.ping(destination=[hostname], timeout=1.0):
                break
        else:
            pytest.fail("celery worker did not answer a ping within 60 s")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_for(predicate, timeout=30.0, interval=0.2, what="condition"):
    """Poll ``predicate`` (a row, a process) until it returns a truthy value, and return
    that; fail after ``timeout`` seconds, naming ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"{what} not met within {timeout} s")


class ServedRequests:
    """Paths of the requests the live server has finished answering: Django's
    ``request_finished``, sent by the server thread once the response is written and
    closed, so a test can wait for a slow answer its client gave up on."""

    def __init__(self):
        self._paths: list[str] = []
        self._changed = threading.Condition()
        self._current = threading.local()

    def started(self, sender, environ, **kwargs):
        self._current.path = environ.get("PATH_INFO", "")

    def finished(self, sender, **kwargs):
        with self._changed:
            self._paths.append(getattr(self._current, "path", ""))
            self._changed.notify_all()

    def wait(self, path: str, count: int = 1, timeout: float = 10.0) -> bool:
        """True once ``count`` requests for ``path`` were answered; False after ``timeout``."""
        with self._changed:
            return self._changed.wait_for(lambda: self._paths.count(path) >= count, timeout)


@pytest.fixture
def served_requests():
    """What the live server has finished serving since the fixture started (see above)."""
    from django.core.signals import request_finished, request_started

    served = ServedRequests()
    request_started.connect(served.started, dispatch_uid="tests.served_requests")
    request_finished.connect(served.finished, dispatch_uid="tests.served_requests")
    yield served
    request_started.disconnect(dispatch_uid="tests.served_requests")
    request_finished.disconnect(dispatch_uid="tests.served_requests")


# --- Browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        _unavailable(f"browser tests need Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        yield page
    finally:
        context.close()


def dashboard_session(page, base_url: str, user) -> None:
    """Give ``page`` a dashboard session for ``user`` (as ``client.force_login`` does) and
    open the home page. Dashboard sign-in is with a passkey (tests/browser/
    test_dashboard_sign_in.py drives that ceremony); other browser tests start signed in."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
    )
    page.goto(f"{base_url}/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def tmp_var_dir(tmp_path):
    path = tmp_path / "var"
    path.mkdir()
    return path
