"""The human's split and join of a triage table (the function the screen and the core share)."""

from __future__ import annotations

from typing import Any

import pytest

from duo_tui.core.convergence import group_table, merge_reviews
from duo_tui.core.models import Finding, Review
from duo_tui.core.triage_corrections import (
    CorrectionError,
    apply_corrections,
    join_groups,
    merged_from_groups,
    split_group,
)


def table() -> list[dict[str, Any]]:
    a = Review(
        reviewer="a",
        findings=[
            Finding(id="F1", severity="high", title="SQL injection in search", file="db.py"),
            Finding(id="F2", severity="low", title="Unused import os", file="util.py"),
        ],
    )
    b = Review(
        reviewer="b",
        findings=[
            Finding(
                id="F1", severity="high", title="search builds SQL from user input", file="db.py"
            ),
            Finding(id="F2", severity="medium", title="Logging the password", file="auth.py"),
        ],
    )
    merged = merge_reviews([a, b])
    return group_table(merged, {m.key: "fix" for m in merged})


def keyed(groups: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {
        g["key"]: [f"R{m['reviewer']}:{m['finding']['id']}" for m in g["members"]] for g in groups
    }


def test_split_makes_two_only_findings_and_keeps_the_key_and_decision() -> None:
    groups = table()
    pair = next(g for g in groups if g["kind"] == "agree")
    out, c = split_group(groups, pair["key"])
    k = pair["key"]
    assert keyed(out)[k] == ["R0:F1"] and keyed(out)[k + "b"] == ["R1:F1"]
    assert [g["kind"] for g in out if g["key"] in (k, k + "b")] == ["only", "only"]
    assert all(
        g["by"] == "human" and g["decision"] == "fix" for g in out if g["key"] in (k, k + "b")
    )
    assert c == {
        "op": "split",
        "key": k,
        "findings": ["R0:F1", "R1:F1"],
        "new_keys": [k + "b"],
        "by": "human",
    }
    assert len(out) == len(groups) + 1 and groups == table(), "the input is not modified"


def test_join_makes_a_pair_of_two_only_findings_of_a_and_b() -> None:
    groups = table()
    only = [g for g in groups if g["kind"] == "only"]
    assert len(only) == 2
    out, c = join_groups(groups, only[1]["key"], only[0]["key"])
    first, second = sorted(only, key=groups.index)
    joined = next(g for g in out if g["key"] == first["key"])
    assert keyed(out)[first["key"]] == ["R0:F2", "R1:F2"]
    assert second["key"] not in keyed(out)
    assert joined["kind"] == "severity" and joined["severity"] == "medium"
    assert c["op"] == "join" and c["removed"] == second["key"]
    # every finding still appears exactly once
    members = [m for g in out for m in keyed(out)[g["key"]]]
    assert sorted(members) == ["R0:F1", "R0:F2", "R1:F1", "R1:F2"]


def test_corrections_that_make_no_sense_are_refused() -> None:
    groups = table()
    pair = next(g for g in groups if g["kind"] == "agree")
    only = [g for g in groups if g["kind"] == "only"]
    with pytest.raises(CorrectionError, match="no pair to split"):
        split_group(groups, only[0]["key"])
    with pytest.raises(CorrectionError, match="already paired"):
        join_groups(groups, pair["key"], only[0]["key"])
    with pytest.raises(CorrectionError, match="two different"):
        join_groups(groups, only[0]["key"], only[0]["key"])
    split, _ = split_group(groups, pair["key"])
    with pytest.raises(CorrectionError, match="same reviewer"):
        join_groups(
            split,
            pair["key"],
            only[0]["key"] if only[0]["members"][0]["reviewer"] == 0 else only[1]["key"],
        )


def test_replayed_by_finding_the_corrections_give_the_same_table() -> None:
    groups = table()
    pair = next(g for g in groups if g["kind"] == "agree")
    s1, c1 = split_group(groups, pair["key"])
    only = [g for g in s1 if g["kind"] == "only" and g["key"] != pair["key"] and "by" not in g]
    s2, c2 = join_groups(
        s1, pair["key"], next(g["key"] for g in only if g["members"][0]["reviewer"] == 1)
    )
    again, applied, errors = apply_corrections(
        groups, [c1, c2, {"op": "join", "findings": ["R0:F9", "R1:F1"]}]
    )
    assert again == s2 and applied == [c1, c2]
    assert errors == ["no finding R0:F9 in this triage"]
    merged = merged_from_groups(again)
    assert [m.key for m in merged] == [g["key"] for g in again]
    assert {m.by for m in merged} >= {"human"}
