"""The BOI client's reading of large answers: the validate report, streamed."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from idbridge.connectors.boi.report import iter_json_members
from idbridge.streams import JsonStreamError

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
reports = st.fixed_dictionaries(
    {"entries": st.lists(st.dictionaries(st.text(), values, max_size=4), max_size=8)},
    optional={"syncID": st.integers(), "summary": values, "addressesToAdd": values},
)


def chunked(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts})
    return [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]


@settings(max_examples=300)
@given(reports, st.lists(st.integers(min_value=0), max_size=40), st.booleans())
def test_a_report_read_in_any_chunks_is_the_report(report, cuts, pretty):
    text = json.dumps(report, indent=1 if pretty else None)
    entries, others = [], {}
    for key, value, is_element in iter_json_members(chunked(text, cuts), stream=["entries"]):
        if is_element:
            entries.append(value)
        else:
            others[key] = value
    assert entries == report["entries"]
    rest = {k: v for k, v in report.items() if k != "entries"}
    assert others == ({**rest, "entries": []} if not report["entries"] else rest)


def test_a_number_cut_at_a_chunk_boundary_is_read_whole():
    assert list(iter_json_members(['{"count": 12', "345}"])) == [("count", 12345, False)]


@pytest.mark.parametrize(
    "text", ["", "[]", '{"a": 1', '{"entries": [{"n": 1}, ', '{"a" 1}', '{"a": 1 "b": 2}']
)
def test_a_broken_or_cut_off_report_is_an_error(text):
    with pytest.raises(JsonStreamError):
        list(iter_json_members([text], stream=["entries"]))


def test_the_validate_report_is_stored_a_chunk_at_a_time(
    upload, fake_boi, django_capture_on_commit_callbacks, monkeypatch
):
    from boi.models import SyncStaff
    from boi.services.sync import runs, validate
    from tests.boi.conftest import good_row, hr_csv
    from tests.boi.fakeboi import FakeResponse

    monkeypatch.setattr(validate, "VALIDATE_CHUNK", 3)
    monkeypatch.setattr(validate, "LISTED", 2)
    original = fake_boi.sync_action

    def with_addresses(sync_id, sync_, action, body):
        response = original(sync_id, sync_, action, body)
        if action == "validate":
            report = {**response.json(), "addressesToAdd": [{"key": f"K{n}"} for n in range(3)]}
            return FakeResponse(200, report)
        return response

    fake_boi.sync_action = with_addresses
    hr_import = upload(hr_csv([good_row(n) for n in range(1, 9)]))
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.sync_run_create(hr_import=hr_import, actor="test")
    run.refresh_from_db()
    assert run.state == "validated" and run.progress_done == 8
    assert run.report_summary["staff"] == 8 and run.report_summary["add"] == 8
    # District-wide lists are counted whole and kept only in part.
    assert run.report_summary["addressesToAdd_count"] == 3
    assert run.report_summary["addressesToAdd"] == [{"key": "K0"}, {"key": "K1"}]
    stored = SyncStaff.objects.filter(run=run)
    assert {s.action for s in stored} == {"add"}
    assert all(s.report["staffNumber"] == s.staff_number for s in stored)


@pytest.mark.parametrize("cut", range(1, 9))
def test_a_number_cut_anywhere_is_read_whole(cut):
    text = '{"x": -1.5e+154}'
    head = text[: len('{"x": ') + cut]
    assert list(iter_json_members([head, text[len(head) :]])) == [("x", -1.5e154, False)]
