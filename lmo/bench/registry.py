"""Benchmark scenarios. Each app's bench module lists its scenarios in ``SCENARIOS``;
only ``lmo_bench`` imports those modules (see ``SCENARIO_MODULES``), so web and worker
processes never load the harness."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any


@dataclass
class BenchOptions:
    iterations: int = 1000
    warmup: int = 50


@dataclass
class ScenarioResult:
    scenario: str
    metrics: dict[str, float]
    baseline: dict[str, float]
    ratio: dict[str, float]
    info: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "metrics": self.metrics,
            "baseline": self.baseline,
            "ratio": self.ratio,
            **self.info,
        }


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    run: Callable[[BenchOptions], ScenarioResult]


# The modules whose ``SCENARIOS`` lmo_bench runs.
SCENARIO_MODULES = (
    "lmo.bench.scenarios",
    "agent_bridge.bench",
    "chat.bench",
    "lmo.api.bench",
    "lmo.mcp_server.bench",
    "notifications.bench",
    "permissions.bench",
    "activities.bench.ingest",
    "activities.bench.dashboard",
)


def scenario(
    name: str, description: str
) -> Callable[[Callable[[BenchOptions], ScenarioResult]], Scenario]:
    """Make a function a named scenario (list it in its module's ``SCENARIOS``)."""

    def decorator(func: Callable[[BenchOptions], ScenarioResult]) -> Scenario:
        return Scenario(name=name, description=description, run=func)

    return decorator


def scenarios() -> dict[str, Scenario]:
    """Every scenario, by name (imports the bench modules)."""
    found: dict[str, Scenario] = {}
    for module_name in SCENARIO_MODULES:
        for item in import_module(module_name).SCENARIOS:
            found[item.name] = item
    return dict(sorted(found.items()))
