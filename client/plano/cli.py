"""The `plano` command. `plano demo` trains a network through a remote session."""
from __future__ import annotations

import argparse
import sys

from plano.demo import DemoOptions


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="plano", description=__doc__)
    fmt = argparse.ArgumentDefaultsHelpFormatter
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="train a classifier on a plano-server, checkpoint and restore it",
        description="Builds an MLP for three interleaved spirals here, trains it in a session "
        "on a plano-server (started in this process unless --target is given), prints the "
        "test accuracy, saves a checkpoint and restores it into a fresh session.",
        formatter_class=fmt)
    demo.add_argument("--epochs", type=_positive_int, default=DemoOptions.epochs,
                      help="passes over the training set")
    demo.add_argument("--batch-size", type=_positive_int, default=DemoOptions.batch_size,
                      help="points fed per training step")
    demo.add_argument("--learning-rate", type=_positive_float,
                      default=DemoOptions.learning_rate, help="Adam's learning rate")
    demo.add_argument("--target", default=argparse.SUPPRESS,
                      help="use a running server, e.g. grpc://host:port (default: start one in "
                      "this process)")
    demo.add_argument("--points", type=_positive_int, default=DemoOptions.points,
                      help="size of the generated dataset")
    demo.add_argument("--seed", type=int, default=DemoOptions.seed,
                      help="seed of the dataset and of the initial weights")
    demo.add_argument("--checkpoint-dir", default=argparse.SUPPRESS,
                      help="where to save the checkpoint (default: a new temporary folder)")
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo":
        from plano import errors
        from plano.demo import run_demo

        options = DemoOptions(epochs=args.epochs, batch_size=args.batch_size,
                              learning_rate=args.learning_rate,
                              target=getattr(args, "target", None),
                              points=args.points, seed=args.seed,
                              checkpoint_dir=getattr(args, "checkpoint_dir", None))
        try:
            run_demo(options)
        except errors.OpError as e:
            print(f"plano demo failed: {type(e).__name__}: {e}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
    return 0
