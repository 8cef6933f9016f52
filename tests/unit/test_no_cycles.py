"""No import cycles in `duo_tui`, counting every import grimp sees.

A cycle hidden by a deferred import (inside a function) or by `TYPE_CHECKING`
is still a cycle: two modules that each need the other cannot be understood,
tested or moved apart. grimp counts both kinds, so this test lists every import
edge that lies on a cycle (an edge A -> B where B also reaches A), with the
file line that makes it, and fails on any of them that `ALLOWED` does not name.

Break a cycle by moving code to where it belongs (a shared lower module, a
value or callback passed in, a registry the higher layer fills, a Message
instead of a call), never by hiding the import.
"""

from __future__ import annotations

import grimp
import pytest

ROOT_PACKAGE = "duo_tui"

ALLOWED: dict[tuple[str, str], str] = {}
"""Edges still on a cycle, each with a comment saying why it is left (none today).

Keep it short and explicit: an entry is a known debt, and any other cycle fails."""


def cycle_edges(graph: grimp.ImportGraph) -> set[tuple[str, str]]:
    """Every direct import (importer, imported) whose imported module reaches the importer back."""
    edges: set[tuple[str, str]] = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            if imported != importer and graph.chain_exists(importer=imported, imported=importer):
                edges.add((importer, imported))
    return edges


def _where(graph: grimp.ImportGraph, importer: str, imported: str) -> str:
    details = graph.get_import_details(importer=importer, imported=imported)
    lines = ", ".join(f"line {d['line_number']}: {d['line_contents']}" for d in details)
    return f"  {importer} -> {imported}  ({lines})"


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # no cache: the graph must be the checkout's as it is now
    return grimp.build_graph(ROOT_PACKAGE, cache_dir=None)


def test_no_import_edge_lies_on_a_cycle(graph: grimp.ImportGraph) -> None:
    found = cycle_edges(graph)
    new = sorted(found - ALLOWED.keys())
    assert not new, f"{len(new)} import edge(s) on a cycle:\n" + "\n".join(
        _where(graph, a, b) for a, b in new
    )


def test_every_allowed_edge_is_still_on_a_cycle(graph: grimp.ImportGraph) -> None:
    """An entry whose cycle is gone is removed, so the allow-list only shrinks."""
    assert sorted(ALLOWED.keys() - cycle_edges(graph)) == []


def test_cycle_edges_finds_long_chains_and_only_them() -> None:
    """The finder itself: a three-module loop (one import deferred) is reported edge by
    edge; an import into the loop from outside, and one out of it, are not."""
    graph = grimp.ImportGraph()
    for a, b in [
        ("p.a", "p.b"),
        ("p.b", "p.c"),
        ("p.c", "p.a"),
        ("p.top", "p.a"),
        ("p.a", "p.low"),
    ]:
        graph.add_import(importer=a, imported=b)
    assert cycle_edges(graph) == {("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a")}
