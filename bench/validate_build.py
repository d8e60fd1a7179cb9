"""Time `gpai-kg validate` and `gpai-kg build` on this machine: median of N runs (default 5).

    .venv/bin/python bench/validate_build.py [N]

Runs the real CLI in fresh processes (imports included, as a user sees it), building into a
temporary folder. Prints the triple count and the resources per class of the release too.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

CLI = str(Path(sys.executable).with_name("gpai-kg"))
#: Issue 17's target for validate + build of the real data.
TARGET_SECONDS = 2.0


def timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([CLI, *args], check=True, capture_output=True)
    return time.perf_counter() - started


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as dist:
        validate = [timed("validate") for _ in range(runs)]
        build = [timed("build", "--dist-dir", dist, "--release", "bench") for _ in range(runs)]
        data = Path(dist) / "releases" / "bench" / "gpai-kg.nt"
        triples = list(ox.parse(path=data, format=ox.RdfFormat.N_TRIPLES))
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    classes = Counter(t.object.value for t in triples if t.predicate == rdf_type)
    print(f"validate: median {statistics.median(validate):.2f} s over {runs} runs "
          f"(min {min(validate):.2f}, max {max(validate):.2f})")
    print(f"build:    median {statistics.median(build):.2f} s over {runs} runs "
          f"(min {min(build):.2f}, max {max(build):.2f})")
    total = statistics.median(validate) + statistics.median(build)
    print(f"target (issue 17): validate + build <= {TARGET_SECONDS:g} s: {total:.2f} s "
          f"{'met' if total <= TARGET_SECONDS else 'NOT met'}")
    print(f"triples in the knowledge graph: {len(triples)}")
    print("resources per class:")
    for cls, n in sorted(classes.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:5d}  {cls}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
