import pytest


@pytest.fixture(autouse=True)
def _audit_files(settings, tmp_path):
    """Each test gets its own checkpoint file and signing key."""
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.jsonl")
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-signing-key.pem")
