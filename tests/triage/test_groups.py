"""One-to-many groups: one finding that clearly covers two of the other side's."""

from __future__ import annotations

from duo_tui.core.convergence import merge_reviews
from duo_tui.core.triage import match_reviews

from .helpers import finding, review

A = review(
    "a",
    finding(
        "A1",
        "Upload size limit `MAX_UPLOAD_KB` is hard-coded to 10240 in `upload_validator` and "
        "in `UploadsController` instead of reading the `max_upload_kb` site setting",
    ),
    finding("A2", "Typo in the log message: 'recieved' should be 'received'"),
)
B = review(
    "b",
    finding(
        "B1",
        "`upload_validator` hard-codes `MAX_UPLOAD_KB` = 10240 instead of the "
        "`max_upload_kb` site setting",
    ),
    finding(
        "B2",
        "`UploadsController` hard-codes the 10240 `MAX_UPLOAD_KB` upload size limit and "
        "ignores the `max_upload_kb` site setting",
    ),
    finding("B3", "Missing index on `orders.customer_id` makes the report query slow"),
)


def test_one_finding_covering_two_is_one_group_and_the_contract_still_holds() -> None:
    res = match_reviews(A, B)
    out = res.contract_json()
    assert [(p["a"], p["b"]) for p in out["pairs"]] in ([("A1", "B1")], [("A1", "B2")])
    paired_b = out["pairs"][0]["b"]
    other_b = "B2" if paired_b == "B1" else "B1"
    assert out["groups"] == [{"a": ["A1"], "b": [paired_b, other_b]}]
    # Every finding id exactly once in pairs + only lists (the covered one is "only").
    ids_a = [p["a"] for p in out["pairs"]] + out["only_a"]
    ids_b = [p["b"] for p in out["pairs"]] + out["only_b"]
    assert sorted(ids_a) == ["A1", "A2"] and sorted(ids_b) == ["B1", "B2", "B3"]


def test_no_groups_key_without_a_group() -> None:
    res = match_reviews(review("a", *A.findings[1:]), B)
    assert "groups" not in res.contract_json()


def test_the_triage_shows_the_group_as_one_problem() -> None:
    merged = merge_reviews([A, B])
    ids = sorted([sorted((r, f.id) for r, f in m.members) for m in merged])
    assert [(0, "A1"), (1, "B1"), (1, "B2")] in ids
    # The covered finding is not shown a second time as "only B".
    assert sum(1 for m in merged for _, f in m.members if f.id in ("B1", "B2")) == 2
    assert len(merged) == 3  # the group, A2 only, B3 only
