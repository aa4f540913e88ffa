"""Run benchmark scenarios; print a table and optionally write JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lmo.bench.registry import BenchOptions, ScenarioResult, scenarios


class Command(BaseCommand):
    help = "Run LMO benchmarks, each against a raw baseline measured in the same run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scenario", action="append", help="Scenario name (repeatable). Default: all."
        )
        parser.add_argument("--json", dest="json_path", help="Write results as JSON to this path.")
        parser.add_argument("--iterations", type=int, default=1000)
        parser.add_argument("--warmup", type=int, default=50)
        parser.add_argument("--list", action="store_true", help="List scenarios and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        available = scenarios()
        if options["list"]:
            for scenario in available.values():
                self.stdout.write(f"{scenario.name}: {scenario.description}")
            return
        names = options["scenario"] or list(available)
        unknown = [n for n in names if n not in available]
        if unknown:
            raise CommandError(
                f"Unknown scenario(s): {', '.join(unknown)}. Known: {', '.join(available)}."
            )
        if options["iterations"] < 1 or options["warmup"] < 0:
            raise CommandError("--iterations must be at least 1 and --warmup at least 0.")
        bench_options = BenchOptions(iterations=options["iterations"], warmup=options["warmup"])
        results = [available[name].run(bench_options) for name in names]
        for result in results:
            self._print(result)
        if options["json_path"]:
            payload: Any = (
                results[0].as_json() if len(results) == 1 else [r.as_json() for r in results]
            )
            Path(options["json_path"]).write_text(json.dumps(payload, indent=2) + "\n")
            self.stdout.write(f"Wrote {options['json_path']}")

    def _print(self, result: ScenarioResult) -> None:
        self.stdout.write(
            self.style.MIGRATE_HEADING(f"\n{result.scenario}  {json.dumps(result.info)}")
        )
        keys = list(result.metrics)
        self.stdout.write(f"{'':10}" + "".join(f"{k:>12}" for k in keys))
        for label, row in (("lmo", result.metrics), ("baseline", result.baseline)):
            self.stdout.write(f"{label:10}" + "".join(f"{row.get(k, ''):>12}" for k in keys))
        self.stdout.write("ratio     " + "  ".join(f"{k}={v}" for k, v in result.ratio.items()))
