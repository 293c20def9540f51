import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false",
    "HTTPS": "true",
    "SECRET_KEY": "x" * 20 + "production-like-secret-key-with-enough-entropy-1234567890",
    "FIELD_ENCRYPTION_KEYS": "q9Qv2uGm8x0W7qk2tQ0Tq3kK8m8bR3m3gPzv2Vwq0cE=",
    "ALLOWED_HOSTS": "idbridge.district.example",
    "DATABASE_URL": "postgres://idbridge:pw@db.internal:5432/idbridge",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:pw@smtp.district.example:587",
}


def _clean_env(var_dir, **extra):
    keep = {"PATH", "HOME", "LANG"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update({"DJANGO_SETTINGS_MODULE": "idbridge.settings", "VAR_DIR": str(var_dir)})
    env.update(extra)
    return env


def _settings(var_dir, **extra):
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
        "'options': s.DATABASES['default'].get('OPTIONS', {}), 'broker': s.CELERY_BROKER_URL, "
        "'email': s.EMAIL_BACKEND, 'debug': s.DEBUG, 'secret': s.SECRET_KEY, "
        "'keys': s.FIELD_ENCRYPTION_KEYS, 'secure_cookie': s.SESSION_COOKIE_SECURE}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_clean_env(var_dir, **extra),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_nothing_set_gives_the_embedded_default(tmp_path):
    s = _settings(tmp_path)
    assert s["engine"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in s["options"]["init_command"]
    assert s["options"]["timeout"] > 0
    assert s["broker"] == "filesystem://localhost/"
    assert s["email"] == "idbridge.core.mail.OutboxBackend"
    assert s["debug"] is False
    assert len(s["secret"]) >= 50


def test_first_run_keys_are_generated_once_into_a_private_file(tmp_path):
    first = _settings(tmp_path)
    second = _settings(tmp_path)
    assert first["secret"] == second["secret"]
    assert first["keys"] == second["keys"]
    secrets_file = tmp_path / "local_secrets.json"
    assert oct(secrets_file.stat().st_mode & 0o777) == "0o600"
    assert (ROOT / ".gitignore").read_text().splitlines().count("var/") == 1


def test_production_settings_come_from_the_environment(tmp_path):
    s = _settings(tmp_path, **PRODUCTION_ENV)
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["broker"] == "redis://redis.internal:6379/0"
    assert s["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert s["secure_cookie"] is True
    assert not (tmp_path / "local_secrets.json").exists()


def test_check_deploy_is_clean_with_a_production_environment(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_clean_env(tmp_path, **PRODUCTION_ENV),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_env_example_documents_every_variable_the_settings_read():
    import re

    source = "".join(p.read_text() for p in sorted((ROOT / "idbridge/settings").glob("*.py")))
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', source))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    readme = (ROOT / "README.md").read_text()
    assert read <= documented, read - documented
    assert all(f"`{name}`" in readme for name in read), [n for n in read if f"`{n}`" not in readme]
