"""``make bench``: run every benchmark; each prints its numbers and saves them in bench-results/."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    """Run ``tests/bench/bench_*.py`` modules, or those named on the command line."""
    names = sys.argv[1:] or sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_")
    )
    for name in names:
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"tests.bench.{name}")
        sys.argv = [name]
        module.main()


if __name__ == "__main__":
    main()
