"""Items joined into groups pair by pair (union-find), optionally never putting
two items with the same label (an office) into one group."""

from __future__ import annotations

from collections.abc import Hashable, Sequence


class DisjointSet:
    """Items ``0..n-1`` in groups; :meth:`join` merges two groups.

    With ``labels``, two groups that each hold an item of the same label are
    never joined (one SOP per office in a procedure group).
    """

    def __init__(self, n: int, labels: Sequence[Hashable] | None = None) -> None:
        self.parent = list(range(n))
        self._labels: dict[int, set[Hashable]] | None = (
            None if labels is None else {k: {labels[k]} for k in range(n)}
        )

    def find(self, x: int) -> int:
        """The root (representative member) of ``x``'s group."""
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def label_count(self, x: int) -> int:
        """How many labels ``x``'s group holds (its size without labels)."""
        root = self.find(x)
        if self._labels is None:
            return sum(1 for k in range(len(self.parent)) if self.find(k) == root)
        return len(self._labels[root])

    def join(self, x: int, y: int) -> bool:
        """Join ``y``'s group into ``x``'s (``x``'s root stays the root). False when
        they are one group already or share a label."""
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return False
        if self._labels is not None:
            lx, ly = self._labels[rx], self._labels[ry]
            if not lx.isdisjoint(ly):
                return False
            lx |= ly
            del self._labels[ry]
        self.parent[ry] = rx
        return True

    def roots(self) -> list[int]:
        """The root of every item."""
        return [self.find(x) for x in range(len(self.parent))]

    def groups(self) -> dict[int, list[int]]:
        """Root -> members in increasing order, groups ordered by their first member."""
        out: dict[int, list[int]] = {}
        for x, root in enumerate(self.roots()):
            out.setdefault(root, []).append(x)
        return out
