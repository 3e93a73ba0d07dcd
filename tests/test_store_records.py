"""The store's declared records: what a hostile or newer document gives (one line naming the field)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from test_store_factories import make_result

from perfconsole.store.arrival_codec import run_from_dict
from perfconsole.store.blocks_codec import blocks_from_list
from perfconsole.store.data_codec import result_from_dict, result_to_dict
from perfconsole.store.schema import CodecError
from perfconsole.store.soak_codec import soak_from_dict
from perfconsole.store.validity_codec import validity_from_dict


def _document() -> dict[str, Any]:
    return result_to_dict(make_result())


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            ("final", "total", "num_requests"),
            "many",
            "final.total.num_requests: must be an integer, got a string",
        ),
        (("final", "elapsed_s"), float("inf"), "final.elapsed_s: must be a finite number"),
        (("final", "state"), "dancing", "final.state: Invalid enum value 'dancing'"),
        (("history",), {"a": 1}, "history: must be a list, got a table/object"),
        (("interrupted",), 1, "interrupted: must be true or false, got an integer"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_field(
    path: tuple[str, ...], value: object, expected: str
) -> None:
    document = _document()
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(CodecError) as caught:
        result_from_dict(document)
    assert str(caught.value) == expected


def test_a_missing_key_is_named_with_its_table() -> None:
    document = _document()
    del document["final"]["total"]["cumulative"]
    with pytest.raises(CodecError, match=r"^missing field final\.total\.cumulative$"):
        result_from_dict(document)


def test_keys_a_newer_version_adds_are_ignored_and_absent_optional_keys_default() -> None:
    document = _document()
    newer = copy.deepcopy(document)
    newer["final"]["total"]["p99.99"] = 7.0
    newer["added_later"] = {"x": 1}
    assert result_from_dict(newer) == result_from_dict(document)
    older = copy.deepcopy(document)
    for key in ("history", "annotations", "warnings", "stages", "arrival", "blocks", "end", "validity"):
        older.pop(key, None)
    loaded = result_from_dict(older)
    assert (loaded.history, loaded.annotations, loaded.stages, loaded.end) == ((), (), (), None)
    assert loaded.final == result_from_dict(document).final


def test_parts_read_tolerantly_keep_their_good_entries_and_drop_the_rest() -> None:
    """validity, soak, blocks and arrival are declared records read one entry at a time: an entry that is not
    one is left out, a part that is not one reads as none, and nothing else of the run is lost."""
    validity = {
        "valid": False,
        "text": "x",
        "reasons": ["few requests"],
        "stages": [{"index": 1, "reasons": []}, {"index": "two", "reasons": []}, {"reasons": ["y"]}],
    }
    stamp = validity_from_dict(validity)
    assert stamp is not None and stamp.run.reasons == ("few requests",)
    assert [index for index, _ in stamp.stages] == [1]
    assert validity_from_dict({"reasons": "not a list"}) is None
    trend = {
        "name": "p95",
        "slope": 1.0,
        "unit": "%/h",
        "r_squared": 0.9,
        "limit": 20.0,
        "min_r_squared": 0.5,
    }
    soak = soak_from_dict({"duration_s": 700, "trends": [trend, {**trend, "slope": "fast"}]})
    assert soak is not None and [t.name for t in soak.trends] == ["p95"] and soak.duration_s == 700.0
    assert soak_from_dict({"duration_s": 700}) is None
    block = {"start": 0, "seconds": 5, "requests": 10, "failures": 0, "p50_ms": 0.0, "p95_ms": 9.5}
    (kept,) = blocks_from_list([block, {**block, "seconds": 0}, {**block, "requests": True}, "x"])
    assert (kept.p50_ms, kept.p95_ms) == (None, 9.5)  # a latency not above 0 reads as none
    arrival = {"duration_s": 4, "target": 20, "started": 18, "dropped": 2, "max_users": 20}
    run = run_from_dict({**arrival, "seconds": [[0, 5, 5, 0], [1, 5, "5", 0], [2, 5]]})
    assert run is not None and run.seconds == ((0.0, 5.0, 5, 0),) and run.max_users == 20
    assert run_from_dict({**arrival, "started": "18"}) is None


def test_warnings_and_the_end_are_declared_in_the_result() -> None:
    document = _document()
    document["warnings"] = ["a plain line of an older run", {"kind": "martian", "text": "odd"}]
    document["end"] = {"kind": "duration", "reason": "duration reached"}
    loaded = result_from_dict(document)
    assert [(str(w.kind), w.text) for w in loaded.warnings] == [
        ("other", "a plain line of an older run"),
        ("other", "odd"),
    ]
    assert loaded.end is not None and loaded.end.reason == "duration reached"
    document["warnings"] = [{"kind": "other"}]
    with pytest.raises(CodecError, match=r"^missing field warnings\[0\]\.text$"):
        result_from_dict(document)
