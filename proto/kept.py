"""Values computed once and kept by key, within a budget: the oldest go first.

    pages = Kept(budget=1024)                     # at most 1,024 values
    markup = Kept(budget=4 * MiB, weight=len)     # at most 4 Mi characters in all

Reads take no lock (a dict lookup is atomic); keeping and dropping do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


def _one(value: object) -> int:
    return 1


class Kept(Generic[Value]):
    """A bounded map: each value costs its weight (1 unless told), the oldest out first past the budget."""

    def __init__(self, budget: int, weight: Callable[[Value], int] = _one) -> None:
        self.budget, self.weight = budget, weight
        self._values: dict[Hashable, Value] = {}
        self._spent = 0
        self._guard = threading.Lock()

    def get(self, key: Hashable) -> Value | None:
        """Return the value kept for key, or None."""
        return self._values.get(key)

    def keep(self, key: Hashable, value: Value) -> None:
        """Keep a value for key (the first one, if two threads computed it), dropping the oldest past the budget."""
        with self._guard:
            if key in self._values:
                return
            self._values[key] = value
            self._spent += self.weight(value)
            while self._spent > self.budget:
                self._spent -= self.weight(self._values.pop(next(iter(self._values))))
