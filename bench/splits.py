"""Benchmark: generating and writing a task's splits (report only; no target).

1,000,000 rows (default) with a 3-class target (shares 50/30/20 %), procedure 3 (10 times 10-fold
stratified cross-validation, 100 million lines in OpenML's long format): time of
`generate_splits` and of `write_splits_parquet`, and the peak RSS of both in a fresh child process
above the child's peak after its imports and the target's creation (the parent reads
resource.getrusage(RUSAGE_CHILDREN).ru_maxrss once the child has exited). Usage:

    .venv/bin/python bench/splits.py                  # full size
    .venv/bin/python bench/splits.py --rows 100000    # smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def child(rows: int, procedure_id: int, path: str) -> None:
    import numpy as np

    from tunebench.engine.splits import PROCEDURES, generate_splits, write_splits_parquet

    target = np.random.default_rng(0).choice(np.array(["a", "b", "c"]), rows, p=[0.5, 0.3, 0.2])
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.perf_counter()
    splits = generate_splits(rows, PROCEDURES[procedure_id], seed=0, target=target)
    generated = time.perf_counter()
    checksums = write_splits_parquet(splits, path)
    written = time.perf_counter()
    print(
        json.dumps(
            {
                "baseline": baseline,
                "generate_s": generated - started,
                "write_s": written - generated,
                "lines": len(splits),
                "file_bytes": checksums.size,
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--procedure", type=int, default=3)
    parser.add_argument("--child", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.rows, args.procedure, args.child)
        return 0
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "splits.parquet")
        command = [sys.executable, __file__, "--rows", str(args.rows)]
        command += ["--procedure", str(args.procedure), "--child", path]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603 (our own script)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    result = json.loads(output)
    above = (peak - result["baseline"]) / 1e6
    print(f"rows {args.rows:,}, procedure {args.procedure}: {result['lines']:,} lines")
    print(f"generate_splits:      {result['generate_s']:.2f} s")
    print(f"write_splits_parquet: {result['write_s']:.2f} s ({result['file_bytes'] / 1e6:.1f} MB)")
    print(f"peak RSS above baseline: {above:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
