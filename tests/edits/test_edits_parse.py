"""`duo_tui.core.edits` reading an answer: the corpus, parsing, path safety, feedback to the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from duo_tui.core import edits
from duo_tui.core.edits import (
    ApplyResult,
    EditApplyError,
    EditBlock,
    apply_edits,
    apply_text,
    format_failures_for_model,
    parse_edits,
    safe_path,
)
from duo_tui.errors import UnsafePathError

from .helpers import BASE, BLOCK_BODY, CASES, CORPUS, answer, block, snapshot, write_tree

# ------------------------------------------------------------------------ corpus


def test_corpus_and_expectations_list_the_same_files() -> None:
    on_disk = {p.name for p in CORPUS.glob("*.md")}
    assert on_disk == set(CASES)
    assert len(on_disk) >= 25


def _corpus_text(name: str) -> str:
    text = (CORPUS / name).read_text("utf-8")
    if CASES[name].get("crlf"):
        text = text.replace("\n", "\r\n")
    return text


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_parse(name: str) -> None:
    expected = CASES[name]
    result = parse_edits(_corpus_text(name))
    assert [b.path for b in result.blocks] == expected["paths"]
    if "indices" in expected:
        assert [b.index for b in result.blocks] == expected["indices"]
    errors = expected.get("errors", [])
    assert len(result.failures) == len(errors), result.errors
    for failure, (index, needle) in zip(result.failures, errors, strict=True):
        assert failure.index == index
        assert needle in failure.message
        assert f"Block {index}" in failure.message
    assert result.ok == (not errors)


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_apply(name: str, tmp_path: Path) -> None:
    expected = CASES[name]
    root = tmp_path / "repo"
    root.mkdir()
    write_tree(root, {**BASE, **expected.get("before", {})})
    before = snapshot(root)
    text = _corpus_text(name)
    if "after" in expected:
        apply_text(root, text)
        after = snapshot(root)
        for rel, content in expected["after"].items():
            assert after[rel] == content.encode("utf-8"), rel
        # Nothing else was touched.
        untouched = {k: v for k, v in after.items() if k not in expected["after"]}
        assert untouched == {k: v for k, v in before.items() if k not in expected["after"]}
    elif "apply_error" in expected or expected.get("errors"):
        spec = expected.get("apply_error", {"type": "EditApplyError", "contains": []})
        error_type = {"EditApplyError": EditApplyError, "UnsafePathError": UnsafePathError}
        with pytest.raises(error_type[spec["type"]]) as info:
            apply_text(root, text)
        for needle in spec["contains"]:
            assert needle in str(info.value)
        assert snapshot(root) == before
        assert not (tmp_path / "outside").exists()
    else:
        result = apply_text(root, text)
        assert result == ApplyResult()
        assert snapshot(root) == before


# ----------------------------------------------------------------------- parsing


def test_parse_block_text_and_indices() -> None:
    text = answer(("a.py", "x = 1\n", "x = 2\n"), ("b.py", "", "new\n"))
    result = parse_edits(text)
    assert result.blocks == [
        EditBlock("a.py", "x = 1\n", "x = 2\n", 1),
        EditBlock("b.py", "", "new\n", 2),
    ]
    assert result.errors == []


def test_parse_counts_malformed_blocks_in_indices() -> None:
    text = (
        "a.py\n```\n<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\n```\n"
        "b.py\n```\n<<<<<<< SEARCH\ny\n=======\nz\n>>>>>>> REPLACE\n```\n"
    )
    result = parse_edits(text)
    assert [(b.path, b.index) for b in result.blocks] == [("b.py", 2)]
    assert result.failures[0].index == 1
    assert result.failures[0].path == "a.py"
    assert "line 3" in result.failures[0].message


def test_parse_search_without_divider_before_next_block_keeps_next_block() -> None:
    text = "a.py\n<<<<<<< SEARCH\nx\n<<<<<<< SEARCH\ny\n=======\nz\n>>>>>>> REPLACE\n"
    result = parse_edits(text)
    assert [(b.path, b.index, b.search) for b in result.blocks] == [("a.py", 2, "y\n")]
    assert "divider" in result.errors[0]


def test_parse_truncated_answer_is_an_error() -> None:
    result = parse_edits("a.py\n```python\n<<<<<<< SEARCH\nx\n=======\ny\n")
    assert result.blocks == []
    assert "REPLACE" in result.errors[0]


def test_parse_crlf_answer_normalizes_block_text() -> None:
    result = parse_edits(
        "a.py\r\n```\r\n<<<<<<< SEARCH\r\nx\r\n=======\r\ny\r\n>>>>>>> REPLACE\r\n"
    )
    assert result.blocks == [EditBlock("a.py", "x\n", "y\n", 1)]


def test_parse_divider_inside_replace_is_content() -> None:
    text = "notes.md\n<<<<<<< SEARCH\nTitle\n=======\nTitle\n=======\n>>>>>>> REPLACE\n"
    (b,) = parse_edits(text).blocks
    assert b.search == "Title\n"
    assert b.replace == "Title\n=======\n"


def test_parse_bare_name_wins_over_name_quoted_in_prose() -> None:
    text = "### app/a.py\nThis calls `helpers.py`:\n```python\n" + BLOCK_BODY
    assert [b.path for b in parse_edits(text).blocks] == ["app/a.py"]


def test_parse_prose_with_two_paths_is_not_a_file_name() -> None:
    text = "Move code from `a.py` to `b.py`:\n```python\n" + BLOCK_BODY
    result = parse_edits(text)
    assert result.blocks == []
    assert "no file name" in result.errors[0]


def test_parse_keeps_dunder_names_and_strips_dot_slash() -> None:
    text = "**./pkg/__init__.py**\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n"
    assert [b.path for b in parse_edits(text).blocks] == ["pkg/__init__.py"]


def test_parse_missing_closing_fence_with_bare_fences() -> None:
    text = (
        "a.py\n```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n\n"
        "b.py\n```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n"
    )
    assert [b.path for b in parse_edits(text).blocks] == ["a.py", "b.py"]


def test_parse_empty_answer() -> None:
    assert parse_edits("") == edits.ParseResult()


# ---------------------------------------------------------------------- safe_path


@pytest.mark.parametrize(
    "rel",
    [
        "/etc/passwd",
        "\\windows\\system32",
        "C:\\x.py",
        "~/x.py",
        "../x.py",
        "a/../../x.py",
        "a/../b.py",
        "a\\..\\..\\x.py",
        ".git",
        ".git/config",
        ".GIT/hooks/pre-commit",
        "sub/.Git/config",
        ".git./config",
        "",
        "   ",
        ".",
        "a\0b",
    ],
)
def test_safe_path_refuses(repo: Path, rel: str) -> None:
    with pytest.raises(UnsafePathError):
        safe_path(repo, rel)


def test_safe_path_accepts_normal_paths(repo: Path) -> None:
    assert safe_path(repo, "app/config.py") == (repo / "app/config.py").resolve()
    assert safe_path(repo, "./new/dir/x.py") == (repo / "new/dir/x.py").resolve()
    assert safe_path(repo, ".github/workflows/ci.yml").name == "ci.yml"
    assert safe_path(repo, ".gitignore").name == ".gitignore"


def test_safe_path_refuses_symlinked_dir_and_file_leaving_root(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("x = 1\n")
    (repo / "linkdir").symlink_to(outside, target_is_directory=True)
    (repo / "app" / "link.py").symlink_to(outside / "secret.py")
    (repo / "dangling.py").symlink_to(outside / "missing.py")
    for rel in ("linkdir/secret.py", "linkdir/new.py", "app/link.py", "dangling.py"):
        with pytest.raises(UnsafePathError, match="outside"):
            safe_path(repo, rel)


def test_safe_path_refuses_symlink_into_git(repo: Path) -> None:
    (repo / ".git" / "hooks").mkdir(parents=True)
    (repo / "hooks").symlink_to(repo / ".git" / "hooks", target_is_directory=True)
    with pytest.raises(UnsafePathError, match=r"\.git"):
        safe_path(repo, "hooks/pre-commit")


def test_safe_path_follows_symlink_inside_root(repo: Path) -> None:
    (repo / "alias.py").symlink_to(repo / "app" / "config.py")
    assert safe_path(repo, "alias.py") == (repo / "app" / "config.py").resolve()


def test_unsafe_block_blocks_the_whole_stage(repo: Path, tmp_path: Path) -> None:
    before = snapshot(repo)
    blocks = [
        block("app/config.py", "DEBUG = True\n", "DEBUG = False\n", 1),
        block("../escape.py", "", "x\n", 2),
    ]
    with pytest.raises(UnsafePathError, match="Block 2"):
        apply_edits(repo, blocks)
    assert snapshot(repo) == before
    assert not (tmp_path / "escape.py").exists()


# ------------------------------------------------------------- feedback to model


def test_format_failures_for_model(repo: Path) -> None:
    with pytest.raises(EditApplyError) as info:
        apply_text(repo, answer(("app/config.py", "DEBUG = Maybe\n", "DEBUG = False\n")))
    text = format_failures_for_model(info.value)
    assert "NONE of your edits were applied" in text
    assert "Block 1 (app/config.py)" in text
    assert "1 | DEBUG = True" in text
    assert "complete set" in text


def test_format_failures_for_model_unsafe_and_parse_errors(repo: Path) -> None:
    with pytest.raises(UnsafePathError) as unsafe:
        apply_text(repo, answer(("/etc/hosts", "", "x\n")))
    assert "/etc/hosts" in format_failures_for_model(unsafe.value)
    with pytest.raises(EditApplyError) as parse_error:
        apply_text(repo, "a.py\n<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\n")
    assert "divider" in format_failures_for_model(parse_error.value)
