"""data.json's declared records: what a hostile or newer document gives (one line naming the field)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from test_store_factories import make_result

from perfconsole.store.data_codec import result_from_dict, result_to_dict
from perfconsole.store.schema import CodecError


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
