"""Links printed beside the demo follow the address it serves at: ``make demo PORT=9123``
then ``manage.py staff_invite`` prints ``http://localhost:9123/…``, not port 8000."""

import re

from tests.conftest import free_port
from tests.core.test_files_at_rest import _run

DEMO_ADMIN = "990001"  # the demo administrator, a seeded Campus staff member


def _invite_link(var_dir, **env) -> str:
    out = _run(["manage.py", "staff_invite", "--staff-number", DEMO_ADMIN], var_dir, **env)
    return re.search(r"^http\S+$", out, re.M).group(0)


def test_links_printed_by_commands_follow_the_port_the_demo_serves_on(tmp_var_dir):
    port = free_port()
    out = _run(["manage.py", "demo", "--setup-only", "--port", str(port)], tmp_var_dir)
    base = f"http://localhost:{port}"
    assert f"one-time enrollment link {base}/staff/welcome/" in out
    assert _invite_link(tmp_var_dir).startswith(f"{base}/staff/welcome/")
    assert ":8000" not in out
    # An operator's own PUBLIC_BASE_URL still wins.
    link = _invite_link(tmp_var_dir, PUBLIC_BASE_URL="https://idbridge.district.example/")
    assert link.startswith("https://idbridge.district.example/staff/welcome/")
