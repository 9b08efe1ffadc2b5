from __future__ import annotations

import pytest

from sopdata.grouping import DisjointSet


@pytest.mark.parametrize(
    "n,edges,labels,groups",
    [
        (4, [], None, {0: [0], 1: [1], 2: [2], 3: [3]}),
        (4, [(0, 1), (2, 3)], None, {0: [0, 1], 2: [2, 3]}),
        (4, [(0, 1), (1, 2), (2, 3)], None, {0: [0, 1, 2, 3]}),
        (3, [(2, 0)], None, {2: [0, 2], 1: [1]}),  # the first item's root stays
        # labels: never two items of one label in a group
        (4, [(0, 1), (1, 2)], ["a", "b", "a", "c"], {0: [0, 1], 2: [2], 3: [3]}),
        (4, [(0, 1), (2, 3), (1, 3)], ["a", "b", "a", "c"], {0: [0, 1], 2: [2, 3]}),
        (4, [(0, 1), (2, 3), (1, 3)], ["a", "b", "c", "d"], {0: [0, 1, 2, 3]}),
    ],
)
def test_disjoint_set_groups(n, edges, labels, groups):
    ds = DisjointSet(n, labels)
    for x, y in edges:
        ds.join(x, y)
    assert ds.groups() == groups
    assert ds.roots() == [r for x in range(n) for r, m in groups.items() if x in m]


def test_join_reports_what_it_did():
    ds = DisjointSet(3, ["a", "b", "a"])
    assert ds.join(0, 1) is True
    assert ds.join(1, 0) is False  # one group already
    assert ds.join(2, 1) is False  # office "a" twice
    assert ds.label_count(1) == 2 and ds.label_count(2) == 1
    assert DisjointSet(3).label_count(0) == 1
