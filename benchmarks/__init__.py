"""plano's benchmark suite: every figure printed next to a baseline measured in the same run.

Run it from the repository root with `python -m benchmarks` (`--quick` for a
one-minute run, `--json PATH` for where the results go). See RESULTS.md.
"""
