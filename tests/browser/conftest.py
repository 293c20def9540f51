# The step-up IdP's SP fixtures (a pysaml2 test SP), for browser tests of SAML flows.
from tests.stepup.conftest import (  # noqa: F401
    default_policies,
    idp_at_live_server,
    idp_metadata,
    register_sp,
    sp_client,
    sp_key_files,
)
