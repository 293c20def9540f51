"""HR file reader: a long-layout export (one row per position) read, grouped per staff
member and built into staff payloads, at 2,000 / 20,000 / 50,000 staff (≈ 1.2 rows each).

Pure Python, no database: what ``boi.hrfile.layout.staff_records`` adds to the row check
(the rows held until the file is read, then put together) against reading the same rows
one by one (``per_staff``). Prints one JSON object per size and layout: wall and CPU
seconds, rows and staff per second, the peak Python heap (tracemalloc, a second run).
"""

import argparse
import json
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from boi.hrfile.csv_records import iter_csv  # noqa: E402
from boi.hrfile.layout import staff_records  # noqa: E402
from boi.hrfile.resolver import Resolver  # noqa: E402
from boi.hrfile.rows import build_row  # noqa: E402
from boi.rules.staff import Mappings  # noqa: E402

HEADER = (
    "staff_number,last_name,first_name,sex,ssn,birth_date,hire_date,location,job_code,"
    "position_start_date,address_full,address_line2,address_city,address_state,address_zip"
)


def long_csv(staff: int) -> str:
    rng = random.Random(7)
    lines = [HEADER]
    for n in range(staff):
        person = (
            f"E{n:06d},Ng{n % 997},Ana,F,123-45-{n % 10000:04d},01/0{1 + n % 9}/1980,08/01/2020"
        )
        place = f"{100 + n % 9000} Washington St,Apt {n % 40},Blaine,MN,55123"
        for k in range(1 if rng.random() < 0.85 else 2 + rng.randrange(4)):
            lines.append(f"{person},0{1 + k % 3}0,20,08/0{1 + k}/2020,{place}")
    return "\n".join(lines) + "\n"


def read(text: str, layout: str, resolver: Resolver) -> int:
    rows = iter_csv([text])
    next(rows)
    built = 0
    for _, record in staff_records(rows, layout=layout):
        build_row(record, resolver)
        built += 1
    return built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000,50000")
    args = parser.parse_args()
    mappings = Mappings({"F", "M"}, {"010", "020", "030"}, {"20"}, set())
    for staff in (int(s) for s in args.sizes.split(",")):
        text = long_csv(staff)
        rows = text.count("\n") - 1
        for layout in ("per_staff", "detect"):
            resolver = Resolver({}, {}, {}, mappings)
            wall, cpu = time.perf_counter(), time.process_time()
            built = read(text, layout, resolver)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            tracemalloc.start()
            read(text, layout, resolver)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(
                json.dumps(
                    {
                        "staff": staff,
                        "rows": rows,
                        "layout": layout,
                        "records": built,
                        "wall_s": round(wall, 2),
                        "cpu_s": round(cpu, 2),
                        "rows_per_s": round(rows / wall),
                        "peak_heap_mb": round(peak / 2**20, 1),
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
