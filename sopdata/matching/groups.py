"""Procedure groups: equivalent pairs joined best first, one SOP per office."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from sopdata.grouping import DisjointSet
from sopdata.matching.pairs import PairMatch
from sopdata.matching.profiles import office_key
from sopdata.records import SOP


@dataclass
class MergeTree:
    """Groups joined pair by pair, best first (Kruskal), kept as a tree: each join
    is a node above the two groups it joined, holding the joining pair's score.

    Two members of one group are linked through equivalent pairs; the weakest
    link on the best such chain is the score at their lowest common node.
    """

    root: np.ndarray  # group of each item (a representative member)
    parent: np.ndarray  # items 0..n-1, then join nodes; a top node is its own parent
    value: np.ndarray  # join nodes: the joining score
    depth: np.ndarray

    @classmethod
    def build(
        cls,
        n: int,
        offices: Sequence[Hashable],
        edges: Iterable[tuple[int, int]],
        scores: Sequence[float],
    ) -> MergeTree:
        roots, joins = merge_groups(n, offices, edges)
        parent = list(range(n + len(joins)))
        value = [np.inf] * n
        node_of = list(range(n))  # current top node of each group, by root
        for node, (keep_root, gone_root, edge) in enumerate(joins, start=n):
            parent[node_of[keep_root]] = node
            parent[node_of[gone_root]] = node
            node_of[keep_root] = node
            value.append(scores[edge])
        parent_arr = np.array(parent, np.int64)
        depth = np.zeros(len(parent), np.int64)
        for v in range(len(parent) - 1, -1, -1):  # parents have higher numbers
            if parent[v] != v:
                depth[v] = depth[parent[v]] + 1
        return cls(np.array(roots, np.int64), parent_arr, np.array(value), depth)

    def bottleneck(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Score of the lowest common join node of items ``x[k]`` and ``y[k]`` (same group)."""
        levels = max(1, int(self.depth.max()).bit_length())
        up = [self.parent]
        for _ in range(levels - 1):
            up.append(up[-1][up[-1]])
        x, y = x.copy(), y.copy()
        swap = self.depth[x] < self.depth[y]
        x[swap], y[swap] = y[swap], x[swap]
        diff = self.depth[x] - self.depth[y]
        for k in range(levels):
            lift = (diff >> k) & 1 == 1
            x[lift] = up[k][x[lift]]
        for k in range(levels - 1, -1, -1):
            move = up[k][x] != up[k][y]
            x[move], y[move] = up[k][x[move]], up[k][y[move]]
        common = np.where(x == y, x, self.parent[x])
        return self.value[common]


def merge_groups(
    n: int, offices: Sequence[Hashable], edges: Iterable[tuple[int, int]]
) -> tuple[list[int], list[tuple[int, int, int]]]:
    """Join ``edges`` taken in order, never joining two groups that share an
    office. Returns each item's group root, and each join as (root kept, root
    joined into it, edge number): the group holding more offices is kept."""
    groups = DisjointSet(n, offices)
    joins: list[tuple[int, int, int]] = []
    for e, (x, y) in enumerate(edges):
        rx, ry = groups.find(x), groups.find(y)
        if groups.label_count(rx) < groups.label_count(ry):
            rx, ry = ry, rx
        if groups.join(rx, ry):  # refused: the same group, or two versions of one office
            joins.append((rx, ry, e))
    return groups.roots(), joins


def group_matches(sops: Sequence[SOP], matches: Sequence[PairMatch]) -> list[list[SOP]]:
    """Procedure groups: equivalent pairs joined best-first, one SOP per office per group."""
    index = {id(s): k for k, s in enumerate(sops)}
    edges = [
        (index[id(m.a)], index[id(m.b)])
        for m in sorted(matches, key=lambda m: -m.score)
        if m.relation == "equivalent"
    ]
    groups = DisjointSet(len(sops), [office_key(s) for s in sops])
    for x, y in edges:
        groups.join(x, y)
    out = [[sops[k] for k in v] for v in groups.groups().values() if len(v) > 1]
    out.sort(key=lambda g: (-len(g), g[0].title))
    return out
