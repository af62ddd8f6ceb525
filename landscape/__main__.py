"""Command line: ``python -m landscape run | site | ledger | chapters``."""
from __future__ import annotations

import argparse
import json
import sys
import time


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m landscape",
                                description="Execute and render the landscape book, or print its claim ledger.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute chapters with papermill, then build the site")
    run.add_argument("--profile", choices=["quick", "full"], default="quick")
    run.add_argument("--device", choices=["cpu", "cuda", "auto"], default="auto")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--only", nargs="+", metavar="CHAPTER", help="execute only these chapters (file stems)")
    run.add_argument("--no-site", action="store_true", help="execute only; do not build the site")
    run.add_argument("--no-strict", action="store_true", help="do not treat Sphinx warnings as errors")
    sub.add_parser("site", help="build the site from already executed notebooks")
    led = sub.add_parser("ledger", help="print every recorded claim")
    led.add_argument("--json", action="store_true", help="print JSON instead of a text table")
    sub.add_parser("chapters", help="list the executable chapters in order")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    from . import runner

    if args.command == "chapters":
        print("\n".join(runner.chapters()))
        return 0
    if args.command == "ledger":
        return _print_ledger(as_json=args.json)
    if args.command == "run":
        if args.seed < 0:
            print("error: --seed must be a non-negative integer", file=sys.stderr)
            return 2
        t0 = time.perf_counter()
        print(f"executing the book: profile={args.profile} device={args.device} seed={args.seed}")
        try:
            runner.execute(args.only, profile=args.profile, device=args.device, seed=args.seed)
        except runner.ChapterFailed as err:
            print(f"\nFAILED: {err}", file=sys.stderr)
            return 1
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        print(f"all chapters executed in {time.perf_counter() - t0:.0f} s")
        if args.no_site:
            return 0
    try:
        html = runner.build_site(strict=not getattr(args, "no_strict", False))
    except RuntimeError as err:
        print(f"\nFAILED: {err}", file=sys.stderr)
        return 1
    print(f"site written to {html}/index.html")
    return 0


def _print_ledger(as_json: bool) -> int:
    from .ledger import claims_frame, load_ledgers

    books = load_ledgers()
    if as_json:
        print(json.dumps(books, indent=1, ensure_ascii=False))
        return 0
    if not books:
        print("no ledger files yet: run `python -m landscape run` first")
        return 1
    import pandas as pd

    with pd.option_context("display.max_colwidth", 60, "display.width", 200):
        for book in books:
            frame = claims_frame(book["claims"])
            print(f"\n== {book['chapter']} (profile {book['profile']}, seed {book['seed']}) ==")
            print(frame[["id", "source", "expected", "computed", "status"]].to_string(index=False))
    failed = sum(not c["passed"] for b in books for c in b["claims"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
