"""The filters a paginated list keeps in its page links."""

from collections.abc import Mapping
from urllib.parse import urlencode


def filter_query(values: Mapping[str, object]) -> str:
    """``values`` as a query string for ``?page=N&…`` links, URL-encoded (a search for
    ``a+b@x`` or ``R&D`` survives paging), empty filters left out."""
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})
