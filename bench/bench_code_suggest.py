"""Suggestions on the code mapping page: ``--codes`` unmapped HR codes (default 99, and the
1,000 a kind is capped at) against a Campus list of ``--items`` entries (default 300).

Prints one JSON object per size: codes, items, seconds. Pure Python, no database.
"""

import argparse
import json
import random
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from boi.hrfile.code_suggest import suggest_campus_values  # noqa: E402

WORDS = (
    "Lincoln Roosevelt Central North South Elementary Middle High Academy Washington "
    "Jefferson Adams Lake River Hill Park"
).split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--codes", type=int, nargs="*", default=[99, 1000])
    parser.add_argument("--items", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(1)
    items = [
        {"code": f"{i:03d}", "name": " ".join(rng.sample(WORDS, 3))} for i in range(args.items)
    ]
    for count in args.codes:
        codes = [f"{''.join(rng.choices(string.ascii_uppercase, k=4))}-{i}" for i in range(count)]
        started = time.perf_counter()
        suggest_campus_values(codes, items)
        seconds = round(time.perf_counter() - started, 3)
        print(json.dumps({"codes": count, "items": args.items, "seconds": seconds}))


if __name__ == "__main__":
    main()
