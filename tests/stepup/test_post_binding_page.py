"""The HTTP-POST binding's page is rendered once per process and filled in with escaped
values (stepup.sso.responses.post_form): the same page the template gives, hostile
values escaped."""

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from stepup.sso.responses import _b64, post_form

HOSTILE = "\"><script>alert('x')</script>&amp;\x00{value}"


def _template_page(**values) -> str:
    return render_to_string("stepup/post_binding.html", values)


@pytest.mark.parametrize("relay_state", ["", "/payroll?a=1&b=2", HOSTILE])
@pytest.mark.parametrize("title", ["Payroll", HOSTILE])
def test_the_page_is_the_templates_page(relay_state, title):
    xml = "<samlp:Response ID='r1'/>"
    response = post_form(
        None,
        sp=SimpleNamespace(title=title),
        destination="https://sp.test/acs?x=1&y=<2>",
        field="SAMLResponse",
        xml=xml,
        relay_state=relay_state,
    )
    expected = _template_page(
        destination="https://sp.test/acs?x=1&y=<2>",
        field="SAMLResponse",
        value=_b64(xml),
        relay_state=relay_state,
        sp_name=title,
    )
    page = response.content.decode()
    assert page == expected
    assert "<script>alert" not in page
    assert ('name="RelayState"' in page) == bool(relay_state)
