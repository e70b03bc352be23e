"""Sessions: where a graph runs, embedded (in-process) or remote (a plano-server)."""
