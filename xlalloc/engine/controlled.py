"""Controlled rounding of a table: every cell, row, column and the grand total at once.

Rounding each cell of a table on its own leaves its totals off: twelve lines' budgets to
date, each rounded alone, summed to £1,258,000,048 where the ICB's budget to date is
exactly £1,258,000,000. Rounding each row by largest remainder fixes the rows but not the
columns. *Controlled rounding* rounds every cell up or down to a whole unit so that every
row total, every column total and the grand total is its own exact total rounded up or
down too (the grand total to the nearest unit): a table of two dimensions always has
one (Cox, L. H. (1987), "A constructive procedure for unbiased controlled rounding",
Journal of the American Statistical Association 82(398), 520-524; Bacharach (1966)).

It is found as a flow: each row sends its units to be rounded up through the cells that
have a fraction to the columns, within each row's and column's floor and ceiling; the
flow's integrality gives whole units (the fractions themselves are a feasible flow, so
an integral one of the grand total's rounded value exists).
"""

from __future__ import annotations

from collections import deque

import numpy as np
import numpy.typing as npt

__all__ = ["controlled_round"]

#: Fractions within this of a whole unit are whole (floating-point noise, not money).
EPS = 1e-9
#: How near a half the grand total's fractions must be to count as one.
HALF = 1e-6
#: How near a whole number a row's or a column's fractions must add to count as one: a
#: total of exactly nothing (the volumes of places against their ICB) computed from
#: figures of tens of millions of pence carries noise of a hundred-millionth of a unit.
WHOLE = 1e-6


def controlled_round(exact: npt.ArrayLike, unit: float = 1.0) -> npt.NDArray[np.float64]:
    """A table rounded to ``unit`` so that its rows, columns and total add up.

    Args:
        exact: The exact table (rows by columns), in pounds; any sign.
        unit: The rounding unit (1 for £1, 1000 for £000, 0.01 for pence).

    Returns:
        The rounded table (whole multiples of ``unit``): each cell is its exact value
        rounded down or up; each row's and each column's total is its exact total
        rounded down or up; the grand total is the exact grand total rounded to the
        nearest unit (halves up). A total that is exactly a whole number of units is
        that number.
    """
    e = np.asarray(exact, dtype=np.float64) / unit
    if e.ndim != 2:
        raise ValueError("controlled_round rounds a table of rows and columns")
    floor = np.floor(e + EPS)
    frac = np.where(e - floor > EPS, e - floor, 0.0)
    up = _units_up(frac)
    return (floor + up) * unit


def _units_up(frac: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Which cells round up: a 0/1 table of the fractions' shape.

    Its rows and columns sum to a floor or ceiling of the fractions' sums, and its total
    is the fractions' total rounded to the nearest whole.
    """
    n_rows, n_cols = frac.shape
    up = np.zeros_like(frac)
    cells = np.argwhere(frac > 0)
    if not len(cells):
        return up
    a, b = frac.sum(axis=1), frac.sum(axis=0)
    # A total of exactly a half rounds up; pounds of a billion carry float noise near a
    # millionth of a pound, so a half is judged to a millionth.
    k = int(np.floor(frac.sum() + 0.5 + HALF))
    # Nodes: 0 source, 1..R rows, R+1..R+C columns, R+C+1 sink; then the circulation's
    # super source and super sink. Bounds (low, high) on source->row and column->sink.
    s, t = 0, n_rows + n_cols + 1
    ss, tt = t + 1, t + 2
    graph = _Flow(t + 3)
    excess = np.zeros(t + 3)

    def bounded(u: int, v: int, low: int, high: int) -> None:
        graph.add(u, v, high - low)
        excess[v] += low
        excess[u] -= low

    for i in range(n_rows):
        bounded(s, 1 + i, int(np.floor(a[i] + WHOLE)), int(np.ceil(a[i] - WHOLE)))
    for j in range(n_cols):
        bounded(1 + n_rows + j, t, int(np.floor(b[j] + WHOLE)), int(np.ceil(b[j] - WHOLE)))
    bounded(t, s, k, k)  # the total rounded up is the grand total's rounding
    edges = {(int(i), int(j)): graph.add(1 + int(i), 1 + n_rows + int(j), 1) for i, j in cells}
    for v in range(t + 1):
        if excess[v] > 0:
            graph.add(ss, v, int(excess[v]))
        elif excess[v] < 0:
            graph.add(v, tt, int(-excess[v]))
    need = int(excess[excess > 0].sum())
    if graph.max_flow(ss, tt) != need:  # cannot happen for a table (see the module)
        raise ArithmeticError("no controlled rounding found")
    for (i, j), edge in edges.items():
        up[i, j] = graph.flow(edge)
    return up


class _Flow:
    """A small max-flow network (Edmonds-Karp: shortest augmenting paths)."""

    def __init__(self, n: int):
        self.adj: list[list[int]] = [[] for _ in range(n)]
        self.to: list[int] = []
        self.cap: list[int] = []

    def add(self, u: int, v: int, cap: int) -> int:
        """An edge ``u -> v`` of capacity ``cap``; returns its number."""
        self.adj[u].append(len(self.to))
        self.to.append(v)
        self.cap.append(cap)
        self.adj[v].append(len(self.to))
        self.to.append(u)
        self.cap.append(0)
        return len(self.to) - 2

    def flow(self, edge: int) -> int:
        """The flow an edge carries (its reverse edge's residual capacity)."""
        return self.cap[edge ^ 1]

    def max_flow(self, s: int, t: int) -> int:
        """The largest flow from ``s`` to ``t``."""
        total = 0
        while True:
            parent = [-1] * len(self.adj)
            parent[s] = -2
            queue = deque([s])
            while queue and parent[t] == -1:
                u = queue.popleft()
                for e in self.adj[u]:
                    v = self.to[e]
                    if self.cap[e] > 0 and parent[v] == -1:
                        parent[v] = e
                        queue.append(v)
            if parent[t] == -1:
                return total
            push, v = min(self._path(parent, t)), t
            while v != s:
                e = parent[v]
                self.cap[e] -= push
                self.cap[e ^ 1] += push
                v = self.to[e ^ 1]
            total += push

    def _path(self, parent: list[int], t: int) -> list[int]:
        caps, v = [], t
        while parent[v] != -2:
            e = parent[v]
            caps.append(self.cap[e])
            v = self.to[e ^ 1]
        return caps
