"""Matching the findings of two reviews."""

from __future__ import annotations

import random

from duo_tui.core.models import PairKind, Review
from duo_tui.core.triage import (
    DEFAULT_THRESHOLD,
    ambiguous_candidates,
    match_reviews,
    score_matrix,
)
from duo_tui.core.triage_model import load_model

from .helpers import finding, review

TRAVERSAL_A = finding(
    "F1",
    "Path traversal in _report_path",
    severity="critical",
    category="security",
    file="app/reports.py",
    line_start=18,
    line_end=21,
    detail="`name` from the URL goes to `os.path.join(REPORT_DIR, name)`; `../../etc/passwd` "
    "escapes the directory.",
    suggestion="Use `safe_join` or resolve the path and check it stays under REPORT_DIR.",
)
TRAVERSAL_B = finding(
    "F7",
    "User-controlled `name` enables arbitrary file read via directory traversal",
    severity="high",
    category="Input Validation",
    file="app/reports.py",
    line_start=36,
    line_end=41,
    detail="The handler forwards `name` to `_report_path`, which calls `os.path.join`; a request "
    "for ../../app/settings.py resolves outside the reports directory.",
    suggestion="Serve files with `send_from_directory`, which rejects escaping paths.",
)
FD_LEAK = finding(
    "F2",
    "File handle never closed",
    severity="low",
    file="app/reports.py",
    line_start=40,
    line_end=40,
    detail="`open(path).read()` relies on garbage collection to close the descriptor.",
    suggestion="`with open(path) as fh: data = fh.read()`",
)
TEXT_MODE = finding(
    "F3",
    "`open(path).read()` uses text mode, corrupting binary reports",
    severity="low",
    file="app/reports.py",
    line_start=40,
    line_end=40,
    detail="Opening in text mode decodes PDF bytes with the platform encoding; binary reports "
    "raise UnicodeDecodeError or come back corrupted.",
    suggestion="Open with mode 'rb' and return bytes.",
)
CONTEXT_MANAGER = finding(
    "F4",
    "Use a context manager when opening the report file",
    severity="low",
    file="app/reports.py",
    line_start=40,
    line_end=41,
    detail="The file object from `open(path)` is never explicitly closed; a `with` block "
    "releases the descriptor deterministically.",
    suggestion="Wrap the read in `with open(path) as f:`.",
)


def check_partition(a: Review, b: Review, result) -> None:  # type: ignore[no-untyped-def]
    ids_a = [p.a for p in result.pairs] + result.only_a
    ids_b = [p.b for p in result.pairs] + result.only_b
    assert sorted(ids_a) == sorted(f.id for f in a.findings)
    assert sorted(ids_b) == sorted(f.id for f in b.findings)


def test_paraphrase_with_offset_lines_and_other_category() -> None:
    a = review("a", TRAVERSAL_A, FD_LEAK)
    b = review("b", TEXT_MODE, TRAVERSAL_B, CONTEXT_MANAGER)
    res = match_reviews(a, b)
    pairs = {(p.a, p.b): p for p in res.pairs}
    assert ("F1", "F7") in pairs
    assert pairs[("F1", "F7")].kind is PairKind.SEVERITY
    check_partition(a, b, res)


def test_hard_negative_same_file_same_line() -> None:
    """Two different problems on the same line: the leak pairs with the context manager."""
    a = review("a", FD_LEAK)
    b = review("b", TEXT_MODE, CONTEXT_MANAGER)
    res = match_reviews(a, b)
    assert [(p.a, p.b, p.kind) for p in res.pairs] == [("F2", "F4", PairKind.AGREE)]
    assert res.only_b == ["F3"]


def test_unrelated_findings_stay_unpaired() -> None:
    a = review("a", FD_LEAK)
    b = review("b", TEXT_MODE)
    res = match_reviews(a, b)
    assert res.pairs == [] and res.only_a == ["F2"] and res.only_b == ["F3"]


def test_null_files_and_lines() -> None:
    a = review(
        "a",
        finding(
            "F1",
            "No rollback script",
            file=None,
            detail="The migration has no down script, so a failed deploy cannot be rolled back.",
            suggestion="Add a down migration that drops the new column and index.",
        ),
        finding(
            "F2",
            "Docs reference old method name",
            file="docs/billing.md",
            line_start=42,
            line_end=44,
            detail="docs/billing.md still tells readers to call `compute_totals`, removed here.",
            suggestion="Point the docs at the new totals method.",
        ),
    )
    b = review(
        "b",
        finding(
            "F1",
            "Documentation still mentions `compute_totals`",
            file="docs/billing.md",
            detail="The billing docs describe `compute_totals`, which this change removed.",
            suggestion="Update the docs to the new method name.",
        ),
        finding(
            "F2",
            "Migration has no rollback path",
            detail="There is no down migration; rolling back a failed deploy needs manual SQL.",
            suggestion="Provide a down migration dropping the column and the index.",
        ),
    )
    res = match_reviews(a, b)
    assert {(p.a, p.b) for p in res.pairs} == {("F1", "F2"), ("F2", "F1")}


def test_empty_reviews() -> None:
    a = review("a")
    b = review("b", FD_LEAK)
    assert match_reviews(a, b).contract_json() == {"pairs": [], "only_a": [], "only_b": ["F2"]}
    assert match_reviews(b, a).only_a == ["F2"]
    assert match_reviews(a, a).contract_json() == {"pairs": [], "only_a": [], "only_b": []}


def test_identical_reviews_pair_everything_one_to_one() -> None:
    fs = [TRAVERSAL_A, FD_LEAK, TEXT_MODE, CONTEXT_MANAGER, TRAVERSAL_B]
    a = review("a", *fs)
    res = match_reviews(a, a)
    assert sorted((p.a, p.b) for p in res.pairs) == sorted((f.id, f.id) for f in fs)
    assert all(p.kind is PairKind.AGREE for p in res.pairs)


def test_one_to_one_and_every_id_once_on_random_reviews() -> None:
    rng = random.Random(3)
    pool = [TRAVERSAL_A, TRAVERSAL_B, FD_LEAK, TEXT_MODE, CONTEXT_MANAGER]
    for trial in range(20):
        fa = [f.model_copy(update={"id": f"A{i}"}) for i, f in enumerate(rng.choices(pool, k=6))]
        fb = [f.model_copy(update={"id": f"B{i}"}) for i, f in enumerate(rng.choices(pool, k=5))]
        a, b = review("a", *fa), review("b", *fb)
        res = match_reviews(a, b)
        check_partition(a, b, res)
        assert len({p.a for p in res.pairs}) == len(res.pairs), trial
        assert len({p.b for p in res.pairs}) == len(res.pairs), trial
        for p in res.pairs:
            assert p.score >= DEFAULT_THRESHOLD
            want = a.finding(p.a).severity == b.finding(p.b).severity  # type: ignore[union-attr]
            assert (p.kind is PairKind.AGREE) == want


def test_deterministic_and_threshold_monotone() -> None:
    a = review("a", TRAVERSAL_A, FD_LEAK)
    b = review("b", TEXT_MODE, TRAVERSAL_B, CONTEXT_MANAGER)
    first = match_reviews(a, b)
    assert all(match_reviews(a, b) == first for _ in range(3))
    assert match_reviews(a, b, threshold=0.999).pairs == []
    assert len(match_reviews(a, b, threshold=0.05).pairs) >= len(first.pairs)


def test_scores_are_probabilities() -> None:
    a = review("a", TRAVERSAL_A, FD_LEAK)
    b = review("b", TEXT_MODE, TRAVERSAL_B)
    m = score_matrix(a.findings, b.findings)
    assert m.shape == (2, 2)
    assert ((m >= 0) & (m <= 1)).all()
    assert m[0, 1] > m[0, 0]


def test_ambiguous_candidates_are_near_threshold() -> None:
    a = review("a", TRAVERSAL_A, FD_LEAK)
    b = review("b", TEXT_MODE, TRAVERSAL_B, CONTEXT_MANAGER)
    cands = ambiguous_candidates(a, b, margin=1.0)
    assert len(cands) == 6
    kept = {(p.a, p.b) for p in match_reviews(a, b).pairs}
    assert {(c.a, c.b) for c in cands if c.paired} == kept
    # Every finding here names its file: the model's threshold for placed pairs applies.
    placed = load_model().threshold_placed
    gaps = [abs(c.score - placed) for c in cands]
    assert gaps == sorted(gaps)
    assert all(abs(c.score - 0.5) <= 0.01 for c in ambiguous_candidates(a, b, 0.5, 0.01))


def test_large_inputs_use_the_sparse_path() -> None:
    """Enough findings to switch to sparse matrices and hashed n-grams; invariants hold."""
    rng = random.Random(5)
    words = [f"w{k}x{k * 7 % 13}" for k in range(3000)]

    def text() -> str:
        return " ".join(rng.choices(words, k=40))

    fa = [finding(f"A{i}", text(), detail=text(), file=f"f{i % 30}.py") for i in range(400)]
    fb = [f.model_copy(update={"id": f"B{i}"}) for i, f in enumerate(fa[::2])]
    fb += [finding(f"B{200 + i}", text(), detail=text()) for i in range(200)]
    a, b = review("a", *fa), review("b", *fb)
    res = match_reviews(a, b)
    check_partition(a, b, res)
    assert {(p.a, p.b) for p in res.pairs} >= {(f"A{2 * i}", f"B{i}") for i in range(200)}


def test_split_dense_and_sparse_cross_product_equals_the_plain_product() -> None:
    """Large inputs multiply common columns densely, rare ones by postings: same result."""
    import numpy as np

    from duo_tui.core.triage_sparse import Csr, SplitRight

    rng = np.random.default_rng(3)
    n_rows, n_cols = 300, 2000
    # Column k is present in a row with a probability falling with k: a few columns in
    # most rows (dense side of the split), a long tail in a handful (postings side).
    density = 0.9 / (1 + np.arange(n_cols) / 20)
    mask = rng.random((n_rows, n_cols)) < density
    full = np.where(mask, rng.random((n_rows, n_cols)), 0.0)
    rows, cols = np.nonzero(full)
    m = Csr.from_coo(rows, cols, full[rows, cols], (n_rows, n_cols))
    df = mask.sum(axis=0)
    assert (df > 32).sum() > 10 and ((df > 0) & (df <= 32)).sum() > 1000  # both sides
    right = SplitRight(m, 120, 32)
    want = full[:120] @ full[120:].T
    np.testing.assert_allclose(right.cross(m.rows(0, 120)), want, rtol=1e-5, atol=1e-5)
    # A block of rows gives the same rows of the product.
    np.testing.assert_allclose(right.cross(m.rows(30, 70)), want[30:70], rtol=1e-5, atol=1e-5)


def test_sparse_product_and_duplicates_match_dense() -> None:
    import numpy as np

    from duo_tui.core.triage_sparse import Csr

    rng = np.random.default_rng(4)
    a = np.where(rng.random((50, 80)) < 0.1, 1.0, 0.0)
    b = np.where(rng.random((80, 60)) < 0.1, rng.random((80, 60)), 0.0)
    ra, ca = np.nonzero(a)
    # Every cell of `a` given twice at half its value: duplicates are summed.
    sa = Csr.from_coo(np.r_[ra, ra], np.r_[ca, ca], np.r_[a[ra, ca], a[ra, ca]] / 2, a.shape)
    rb, cb = np.nonzero(b)
    prod = sa @ Csr.from_coo(rb, cb, b[rb, cb], b.shape)
    dense = np.zeros(prod.shape)
    dense[prod.row_ids(), prod.indices] = prod.data
    np.testing.assert_allclose(dense, a @ b)
    np.testing.assert_allclose(sa.sum(axis=1), a.sum(axis=1))


def test_vectorised_hungarian_equals_the_pure_one() -> None:
    """Big blocks use the numpy Hungarian: the same optimal assignment as the pure one."""
    import numpy as np

    from duo_tui.core.triage_assign import hungarian, hungarian_np

    rng = np.random.default_rng(11)
    for shape in [(7, 7), (9, 5), (5, 9), (40, 33)]:
        gain = np.where(rng.random(shape) < 0.3, rng.random(shape), 0.0)
        pure, vec = hungarian(gain.tolist()), hungarian_np(gain)
        total = sum(gain[r, c] for r, c in pure)
        assert abs(total - sum(gain[r, c] for r, c in vec)) < 1e-9, shape
        assert len({r for r, _ in vec}) == len(vec) == min(shape)


def test_paraphrases_without_files_are_paired_and_different_problems_are_not() -> None:
    """Real reviews rarely name files: the same problem in other words still pairs."""
    a = review(
        "a",
        finding(
            "A1",
            "Report generator defines self.render twice; the later definition overrides "
            "the former and changes the method signature, causing ArgumentError for callers",
        ),
        finding("A2", "Trailing whitespace at the end of the CSS rule should be removed"),
        finding(
            "A3",
            "The retry loop never gives up when the upstream keeps failing, so the worker "
            "hangs forever instead of reporting the error",
        ),
    )
    b = review(
        "b",
        finding(
            "B1",
            "`render` is defined twice with different signatures, so the second "
            "definition shadows the first and breaks existing callers",
        ),
        finding("B2", "Missing index on `orders.customer_id` makes the report query slow"),
        finding(
            "B3",
            "Infinite retry: `fetch_with_retry` loops without a maximum attempt count when "
            "the service is down, blocking the worker",
        ),
    )
    pairs = {(p.a, p.b) for p in match_reviews(a, b).pairs}
    assert pairs == {("A1", "B1"), ("A3", "B3")}
