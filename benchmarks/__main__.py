"""`python -m benchmarks [--quick] [--json PATH] [--only NAME ...]`: runs the scenarios,
prints the side-by-side table and writes the same rows as JSON."""
from __future__ import annotations

import argparse
import sys
import time
import traceback

from benchmarks import harness
from benchmarks.context import Context
from benchmarks.scenarios import ALL


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a one-minute run: shorter "
                        "sampling, and no 3 GiB transfer")
    parser.add_argument("--json", default="benchmarks/results.json", metavar="PATH",
                        help="where to write the results (default: %(default)s)")
    parser.add_argument("--markdown", metavar="PATH", help="also write the table as Markdown "
                        "(with the machine and the command), for benchmarks/RESULTS.md")
    parser.add_argument("--only", nargs="+", choices=sorted(ALL), metavar="NAME",
                        help=f"run only these scenarios: {', '.join(ALL)}")
    args = parser.parse_args(argv)
    ctx = Context(quick=args.quick)
    rows, failed = [], []
    started = time.perf_counter()
    try:
        for name, scenario in ALL.items():
            if args.only and name not in args.only:
                continue
            print(f"running {name} ...", file=sys.stderr, flush=True)
            try:
                rows.extend(scenario(ctx))
            except Exception:  # noqa: BLE001 - report it, run the others
                failed.append(name)
                traceback.print_exc()
    finally:
        ctx.close()
    command = "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:])
    print(harness.table(rows))
    print(f"\n{sum(r.ok is True for r in rows)} targets met, "
          f"{sum(r.ok is False for r in rows)} missed, in {time.perf_counter() - started:.0f} s"
          + (f"; scenarios that failed: {', '.join(failed)}" if failed else ""))
    info = harness.machine()
    harness.write_json(args.json, rows, info, command.strip())
    print(f"results written to {args.json}")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(harness.markdown(rows, info, command.strip()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
