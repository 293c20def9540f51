"""Seed the Campus sandbox with a generated district."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from sandbox.services.seed import SandboxNotEmpty, district_seed


class Command(BaseCommand):
    help = (
        "Build a realistic, deterministic district in the Campus sandbox: schools, codes, "
        "staff with positions and employments, students, parents, households, addresses."
    )

    def add_arguments(self, parser):
        parser.add_argument("--staff", type=int, default=300)
        parser.add_argument("--students", type=int, default=600)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="The date the district is generated relative to (default today).",
        )
        parser.add_argument(
            "--replace", action="store_true", help="Delete the sandbox's district first."
        )
        parser.add_argument("--batch-size", type=int, default=5000, help="Staff per batch.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the report as JSON."
        )

    def handle(self, *args, staff, students, seed, as_of, replace, batch_size, as_json, **opts):
        if staff < 0 or students < 0:
            raise CommandError("--staff and --students must not be negative")
        verbose = opts["verbosity"] > 1
        try:
            report = district_seed(
                staff=staff,
                students=students,
                seed=seed,
                as_of=as_of,
                replace=replace,
                batch_size=batch_size,
                actor="manage.py campus_seed",
                progress=self.stdout.write if verbose else None,
            )
        except SandboxNotEmpty as exc:
            raise CommandError(f"{exc} Pass --replace to rebuild it.") from None
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "seconds": report.seconds,
                        "database": report.database,
                        "counts": report.counts,
                    }
                )
            )
            return
        rows = sum(v for k, v in report.counts.items() if k not in ("staff", "students"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {staff} staff and {students} students ({report.counts.get('person', 0)} "
                f"persons, {rows} rows) in {report.seconds:.1f} s on {report.database}."
            )
        )
