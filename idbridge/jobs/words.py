"""Progress in words: "1,240 of 3,000 rows", "2.1 MB of 5.4 MB", "1.3 MB/s", "about 2 min
left"."""

from __future__ import annotations


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} GB"  # pragma: no cover


def progress_words(done: int, total: int | None, unit: str) -> str:
    if unit == "bytes":
        return f"{_size(done)} of {_size(total)}" if total else _size(done)
    unit = f" {unit}" if unit else ""
    return f"{done:,} of {total:,}{unit}" if total else f"{done:,}{unit}"


def rate_words(rate: float | None, unit: str) -> str:
    """A rate as it reads: "1.3 MB/s" for bytes, "12.5 rows/s" for anything counted, and
    "200 invitations/h" below one a second (a paced job)."""
    if not rate:
        return ""
    if unit == "bytes":
        return f"{_size(rate)}/s"
    unit = f" {unit}" if unit else ""
    if rate < 1:
        return f"{rate * 3600:,.0f}{unit}/h"
    return f"{rate:,.1f}{unit}/s"


def duration_words(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = round(seconds)
    if seconds < 60:
        return f"about {seconds} s left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min left"
    return f"about {minutes // 60} h {minutes % 60} min left"
