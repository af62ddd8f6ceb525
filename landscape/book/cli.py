"""Command line: ``python -m landscape run | sweep | site | ledger | chapters``."""
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
    run.add_argument("--cluster", metavar="serial|local|slurm|ADDRESS",
                     help="where the chapters' independent tasks run: in this process (serial, the default at "
                          "quick), an embedded Dask cluster of one worker per core (local, the default at full), "
                          "Slurm jobs (needs dask-jobqueue) or a running Dask scheduler (tcp://host:8786)")
    run.add_argument("--no-strict", action="store_true", help="do not treat Sphinx warnings as errors")
    run.add_argument("--strict", action="store_true",
                     help="stop at the first failed claim (default: execute every chapter and claim, "
                          "build the site with the failures shown, exit non-zero at the end)")
    sw = sub.add_parser("sweep", help="execute the chapters at many seeds and tabulate how stable each verdict is")
    sw.add_argument("--seeds", default="0-19", help="seeds, e.g. 0-19 or 0,3,5-7 (default 0-19)")
    sw.add_argument("--profile", choices=["quick", "full"], default="quick")
    sw.add_argument("--device", choices=["cpu", "cuda", "auto"], default="cpu")
    sw.add_argument("--only", nargs="+", metavar="CHAPTER", help="sweep only these chapters (file stems)")
    sw.add_argument("--jobs", type=int, default=max(1, min(2, __import__("os").cpu_count() or 1)),
                    help="chapters executed at once (default: up to 2)")
    sw.add_argument("--fresh", action="store_true", help="re-execute (seed, chapter) pairs that finished before")
    ex = sub.add_parser("execute", help=argparse.SUPPRESS)  # one chapter into a folder (used by sweep)
    ex.add_argument("chapter")
    ex.add_argument("--seed", type=int, default=0)
    ex.add_argument("--profile", choices=["quick", "full"], default="quick")
    ex.add_argument("--device", choices=["cpu", "cuda", "auto"], default="cpu")
    ex.add_argument("--out", required=True)
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
    if args.command == "sweep":
        return _sweep(args)
    if args.command == "execute":
        from pathlib import Path

        out = Path(args.out)
        paths = runner.RunPaths(executed=out / "executed", ledger=out / "ledger")
        try:
            seconds = runner.execute_chapter(args.chapter, profile=args.profile, device=args.device,
                                             seed=args.seed, paths=paths)
        except runner.ChapterFailed as err:
            print(str(err), file=sys.stderr)
            return 1
        print(f"{args.chapter} executed in {seconds:.1f} s")
        return 0
    failed = None
    if args.command == "run":
        if args.seed < 0:
            print("error: --seed must be a non-negative integer", file=sys.stderr)
            return 2
        if args.cluster is not None:
            from landscape.tasks import check_cluster

            try:
                check_cluster(args.cluster)
            except ValueError as err:
                print(f"error: {err}", file=sys.stderr)
                return 2
        t0 = time.perf_counter()
        print(f"executing the book: profile={args.profile} device={args.device} seed={args.seed}")
        try:
            runner.execute(args.only, profile=args.profile, device=args.device, seed=args.seed,
                           keep_going=not args.strict, cluster=args.cluster)
        except runner.ChapterFailed as err:
            print(f"\nFAILED: {err}", file=sys.stderr)
            return 1
        except runner.BookFailed as err:
            failed = err
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        print(f"all chapters executed in {time.perf_counter() - t0:.0f} s")
        if args.no_site:
            return _report_failures(failed)
    try:
        html = runner.build_site(strict=not getattr(args, "no_strict", False))
    except RuntimeError as err:
        print(f"\nFAILED: {err}", file=sys.stderr)
        return 1
    print(f"site written to {html}/index.html")
    return _report_failures(failed)


def _report_failures(failed) -> int:
    if failed is None:
        return 0
    n = sum(len(f.failed_claims) for f in failed.failures)
    print(f"\nFAILED: {len(failed.failures)} chapter(s), {n} failed claim(s):\n{failed}", file=sys.stderr)
    return 1


def _sweep(args) -> int:
    from . import sweep

    try:
        seeds = sweep.parse_seeds(args.seeds)
        path = sweep.run_sweep(seeds, profile=args.profile, device=args.device, only=args.only,
                               jobs=args.jobs, fresh=args.fresh)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    data = json.loads(path.read_text())
    weak = [r for r in data["rows"] if r["weak"]]
    print(f"\nstability table: {path}")
    print(f"{len(data['rows'])} claims, {len(seeds)} seeds: {data['failed_claims']} failed claim evaluations; "
          f"{len(weak)} claim(s) failed or below margin {sweep.Z_RELATION} somewhere")
    for r in weak:
        print(f"  {r['chapter']}/{r['id']}: failed {r['failed']}/{r['runs']} (seeds {r['failed_seeds']}), "
              f"min margin {r['min_margin']}")
    return 1 if data["failed_claims"] else 0


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


