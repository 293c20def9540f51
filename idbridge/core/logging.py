"""Structured logs: one JSON object per line, with the request id, secrets redacted.

Redaction is a safety net, not the main defence (code never logs an SSN or a secret on
purpose): any value under a sensitive key and anything shaped like an SSN, a bearer token
or a password assignment is replaced before the line is written.
"""

import contextvars
import json
import logging
import re
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

SENSITIVE_KEYS = re.compile(
    r"(pass(word)?|secret|token|ssn|authorization|cookie|session|api[_-]?key|private)",
    re.IGNORECASE,
)
_PATTERNS = [
    # Social Security numbers, with or without dashes/spaces.
    (re.compile(r"(?<!\d)\d{3}[- ]?\d{2}[- ]?\d{4}(?!\d)"), "[REDACTED-SSN]"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [REDACTED]"),
    # An onboarding invitation link's signed token (it opens someone's onboarding).
    (re.compile(r"(/staff/welcome/)[^/\s\"']+"), r"\1[REDACTED]"),
    (
        re.compile(
            r"(?i)((?:password|passwd|secret|token|ssn|client_secret|sessionid)"
            r"[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,;}]+"
        ),
        r"\1[REDACTED]",
    ),
]
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact_text(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_value(key: str, value):
    if SENSITIVE_KEYS.search(key or ""):
        return "[REDACTED]"
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value("", v) for v in value]
    return value


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class RedactingFilter(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        record.msg = redact_text(message)
        record.args = ()
        for key, value in list(vars(record).items()):
            if key not in _RESERVED and key != "request_id":
                setattr(record, key, redact_value(key, value))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and key not in entry and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)
