"""The shared plan cache: content-addressed, bounded (LRU), with visible hit counts."""
from __future__ import annotations

import threading
from collections import OrderedDict


class ContentCache:
    """A bounded (LRU), thread-safe map for content-addressed values that are not plans."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)


class PlanCache:
    def __init__(self, max_entries: int = 256):
        self.max_entries = max_entries
        self._plans: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        # What a new session with a known graph skips: parsing its nodes again (by the
        # digest of graph so far + new NodeDefs), and pruning (by graph digest + request).
        self.parsed = ContentCache(max_entries)
        self.requests = ContentCache(4 * max_entries)

    def get_or_build(self, key, build):
        """Returns the plan under `key`, building (outside the lock) and storing it on a miss."""
        with self._lock:
            plan = self._plans.get(key)
            if plan is not None:
                self._plans.move_to_end(key)
                self.hits += 1
                return plan
            self.misses += 1
        plan = build()
        with self._lock:
            self._plans[key] = plan
            self._plans.move_to_end(key)
            while len(self._plans) > self.max_entries:
                self._plans.popitem(last=False)
        return plan

    def __len__(self) -> int:
        return len(self._plans)

    def stats(self) -> dict:
        with self._lock:
            return {"hits": self.hits, "misses": self.misses, "size": len(self._plans),
                    "capacity": self.max_entries}
