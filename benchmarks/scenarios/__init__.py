"""The scenarios, in the order the issue lists them; each returns result rows."""
from benchmarks.scenarios import (chain, clients, memory, mlp, plan_cache, tiny,  # noqa: F401
                                  transfer)

ALL = {"tiny": tiny.run, "transfer": transfer.run, "mlp": mlp.run, "chain": chain.run,
       "plan_cache": plan_cache.run, "clients": clients.run, "memory": memory.run}
