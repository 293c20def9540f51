"""The OneRoster delta query and paging on PostgreSQL (run with `make integration`)."""

import base64
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from sandbox.models import Person
from sandbox.oneroster.filters import parse_filter
from sandbox.oneroster.users import FILTER_FIELDS, users_queryset
from sandbox.services.clients import api_client_create
from sandbox.services.people import person_touch
from sandbox.services.seed import district_seed

pytestmark = pytest.mark.integration


def _token(client, credentials) -> str:
    basic = base64.b64encode(f"{credentials['client_id']}:{credentials['client_secret']}".encode())
    response = client.post(
        f"/sandbox/campus/oauth2/token?appName={credentials['app_name']}",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {basic.decode()}",
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def test_delta_queries_use_the_index_and_paging_follows_links_on_postgresql(client, db):
    assert connection.vendor == "postgresql"
    district_seed(staff=6000, students=0, seed=9, actor="tests")
    _, credentials = api_client_create(name="Integration", actor="tests")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {_token(client, credentials)}"}
    base = (
        f"/sandbox/campus/api/oneroster/v1p2/{credentials['app_name']}"
        "/ims/oneroster/rostering/v1p2/users"
    )

    changed = list(Person.objects.order_by("?").values_list("pk", flat=True)[:10])
    since = timezone.now() - timedelta(seconds=1)
    person_touch(person_ids=changed)
    stamp = since.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    response = client.get(base, {"filter": f"dateLastModified>'{stamp}'", "limit": 1000}, **auth)
    assert response.status_code == 200
    assert sorted(int(u["sourcedId"]) for u in response.json()["users"]) == sorted(changed)
    assert response["X-Total-Count"] == "10"

    # The delta query reads the (date_modified, id) index instead of scanning the table.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE campus_person")
    flt = parse_filter(f"dateLastModified>'{stamp}'", FILTER_FIELDS)
    qs = users_queryset(flt, None, timezone.localdate())
    for plan in (qs.values_list("pk", flat=True)[:1000].explain(), qs.explain()):
        assert "campus_person_modified_idx" in plan, plan
        assert "Seq Scan on campus_person" not in plan, plan

    seen, url, params = [], base, {"limit": 2500}
    while url:
        response = client.get(url, params, **auth)
        assert response.status_code == 200
        assert response["X-Total-Count"] == "6000"
        seen += [int(u["sourcedId"]) for u in response.json()["users"]]
        next_link = [p for p in response["Link"].split(", ") if 'rel="next"' in p]
        if next_link:
            parts = urlsplit(next_link[0].split(";")[0].strip("<>"))
            url, params = parts.path + "?" + parts.query, None
        else:
            url = None
    assert len(seen) == len(set(seen)) == 6000
