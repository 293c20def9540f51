"""SimpleSAMLphp as a SAML IdP under Apache + mod_php, for bench_sso.py's comparison.

Uses Debian's packages (``apt-get install -y simplesamlphp apache2 libapache2-mod-php php-xml``;
Debian's simplesamlphp does not pull in php-xml, without which it cannot start)
and touches none of their configuration: a private Apache (its own ``httpd.conf``,
prefork MPM, mod_php, a port of its own) serves ``/usr/share/simplesamlphp/www`` with
``SIMPLESAMLPHP_CONFIG_DIR`` pointing at a temporary folder that holds the whole
SimpleSAMLphp configuration: the IdP (RSA-2048 key and certificate given by the bench,
RSA-SHA256, Response and Assertion signed), a static user (``exampleauth:StaticSource``)
and the bench's SP (the same entity, ACS URL and persistent NameIDs as idbridge's).

:func:`unavailable` says in words why it cannot run here (None when it can).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import requests

SSP_ROOT = Path("/usr/share/simplesamlphp")
APACHE_MODULES = Path("/usr/lib/apache2/modules")
APACHE_MODULE_NAMES = ("mpm_prefork", "authz_core", "alias", "env", "mime", "dir")


def _apache() -> str | None:
    return shutil.which("apache2") or shutil.which("apache2", path="/usr/sbin:/sbin")


def _php_module() -> str | None:
    found = sorted(glob.glob(str(APACHE_MODULES / "libphp*.so")))
    return found[-1] if found else None


def unavailable() -> str | None:
    """Why SimpleSAMLphp cannot be benchmarked here, or None."""
    missing = [
        package
        for package, present in (
            ("simplesamlphp", (SSP_ROOT / "www" / "saml2" / "idp" / "SSOService.php").exists()),
            ("apache2", _apache() is not None),
            ("libapache2-mod-php", _php_module() is not None),
            ("php-xml", bool(glob.glob("/etc/php/*/apache2/conf.d/*-dom.ini"))),
        )
        if not present
    ]
    if missing:
        return (
            f"{', '.join(missing)} not installed: "
            "apt-get install -y simplesamlphp apache2 libapache2-mod-php php-xml (bench/README.md)"
        )
    return None


def _php(value) -> str:
    """A PHP literal for a str, bool, int, list or dict."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_php(v) for v in value) + "]"
    return "[" + ", ".join(f"{_php(k)} => {_php(v)}" for k, v in value.items()) + "]"


def _config(folder: Path, base_url: str) -> dict:
    return {
        "baseurlpath": f"{base_url}/simplesaml/",
        "certdir": str(folder / "cert") + "/",
        "loggingdir": str(folder / "log") + "/",
        "datadir": str(folder / "data") + "/",
        "tempdir": str(folder / "tmp"),
        "metadatadir": str(folder / "metadata") + "/",
        "technicalcontact_name": "bench",
        "technicalcontact_email": "bench@example.org",
        "timezone": "UTC",
        "secretsalt": os.urandom(16).hex(),
        "auth.adminpassword": os.urandom(16).hex(),
        "admin.protectindexpage": True,
        "admin.protectmetadata": False,
        "showerrors": True,
        "errorreporting": False,
        "logging.level": 4,  # SimpleSAML\Logger::WARNING
        "logging.handler": "file",
        "logging.logfile": "simplesamlphp.log",
        "enable.saml20-idp": True,
        "module.enable": {"exampleauth": True, "core": True, "saml": True, "admin": True},
        "session.cookie.secure": False,
        "store.type": "phpsession",
        "metadata.sign.enable": False,
    }


def sp_metadata_entry(sp_entity_id: str, acs_url: str, attribute_names: list[str]) -> dict:
    return {
        "AssertionConsumerService": [
            {
                "Binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                "Location": acs_url,
            }
        ],
        "NameIDFormat": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
        "simplesaml.nameidattribute": "uid",
        "saml20.sign.response": True,
        "saml20.sign.assertion": True,
        "signature.algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "attributes": attribute_names,
        "attributes.NameFormat": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
    }


def _write_ssp(folder: Path, base_url: str, key_pem: str, cert_pem: str, sp: dict, user: dict):
    for sub in ("cert", "log", "data", "tmp", "metadata", "config"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "cert" / "idp.key").write_text(key_pem)
    (folder / "cert" / "idp.crt").write_text(cert_pem)
    config = folder / "config"
    (config / "config.php").write_text(f"<?php\n$config = {_php(_config(folder, base_url))};\n")
    authsources = {
        "admin": ["core:AdminPassword"],
        "static-user": {0: "exampleauth:StaticSource", **user},
    }
    (config / "authsources.php").write_text(f"<?php\n$config = {_php(authsources)};\n")
    idp = {
        "host": "__DEFAULT__",
        "privatekey": "idp.key",
        "certificate": "idp.crt",
        "auth": "static-user",
        "signature.algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "NameIDFormat": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    }
    metadata = folder / "metadata"
    (metadata / "saml20-idp-hosted.php").write_text(
        f"<?php\n$metadata['__DYNAMIC:1__'] = {_php(idp)};\n"
    )
    remote = "<?php\n" + "".join(
        f"$metadata[{_php(entity_id)}] = {_php(entry)};\n" for entity_id, entry in sp.items()
    )
    (metadata / "saml20-sp-remote.php").write_text(remote)


def _httpd_conf(folder: Path, port: int, workers: int) -> str:
    modules = "".join(
        f"LoadModule {name}_module {APACHE_MODULES / f'mod_{name}.so'}\n"
        for name in APACHE_MODULE_NAMES
    )
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    return f"""ServerRoot {folder}
{modules}LoadModule php_module {_php_module()}
{user}Listen 127.0.0.1:{port}
ServerName 127.0.0.1
PidFile {folder}/httpd.pid
ErrorLog {folder}/log/apache-error.log
LogLevel warn
TypesConfig /etc/mime.types
KeepAlive On
KeepAliveTimeout 5
MaxKeepAliveRequests 0
StartServers {workers}
MinSpareServers {workers}
MaxSpareServers {workers * 2}
ServerLimit {workers * 2}
MaxRequestWorkers {workers * 2}
MaxConnectionsPerChild 0
DirectoryIndex index.php
Alias /simplesaml {SSP_ROOT / "www"}
<Directory {SSP_ROOT / "www"}>
    Require all granted
    SetEnv SIMPLESAMLPHP_CONFIG_DIR {folder / "config"}
</Directory>
<FilesMatch "\\.php$">
    SetHandler application/x-httpd-php
</FilesMatch>
"""


class SimpleSamlPhp:
    """A private Apache serving SimpleSAMLphp as an IdP on ``port``; ``with`` stops it."""

    def __init__(self, *, port: int, key_pem: str, cert_pem: str, sp: dict, user: dict, workers=16):
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.folder = Path(tempfile.mkdtemp(prefix="idbridge-bench-ssp-"))
        self.folder.chmod(0o755)
        _write_ssp(self.folder, self.base_url, key_pem, cert_pem, sp, user)
        (self.folder / "httpd.conf").write_text(_httpd_conf(self.folder, port, workers))
        if os.geteuid() == 0:
            shutil.chown(self.folder, "www-data", "www-data")
            for path in self.folder.rglob("*"):
                shutil.chown(path, "www-data", "www-data")
        self.process: subprocess.Popen | None = None

    @property
    def sso_url(self) -> str:
        return f"{self.base_url}/simplesaml/saml2/idp/SSOService.php"

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/simplesaml/saml2/idp/metadata.php"

    def __enter__(self) -> SimpleSamlPhp:
        self.process = subprocess.Popen(
            [_apache(), "-f", str(self.folder / "httpd.conf"), "-DFOREGROUND"],
            env={**os.environ, "APACHE_RUN_DIR": str(self.folder), "LANG": "C"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(self.metadata_url, timeout=10).raise_for_status()
                return self
            except requests.RequestException as exc:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__(None, None, None)
                    log = self.folder / "log" / "apache-error.log"
                    raise RuntimeError(f"SimpleSAMLphp did not start ({exc}); see {log}")
                time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
