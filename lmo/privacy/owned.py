"""Which rows belong to a user: every model that reaches the user through foreign keys
that cascade (a message through its conversation, a tag through its activity). Export and
deletion walk this list, so a model added later is exported and deleted without anyone
remembering to (the tests check that each one is)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Owned:
    model: type[models.Model]
    lookups: tuple[str, ...]  # each a path to the user's id ("conversation__owner")
    depth: int  # foreign keys between the model and the user (1: it names the user)

    @property
    def label(self) -> str:
        return self.model._meta.label

    def rows_of(self, user_id: int) -> models.QuerySet[Any]:
        where = Q()
        for lookup in self.lookups:
            where |= Q(**{lookup: user_id})
        return self.model._default_manager.filter(where)


def _cascading_fks(model: type[models.Model], target: type[models.Model]) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey)
        and field.related_model is target
        and field.remote_field.on_delete is models.CASCADE
    ]


@cache
def owned_models() -> tuple[Owned, ...]:
    """Every model with rows that go when a user goes, nearest first."""
    user_model = get_user_model()
    found: dict[type[models.Model], Owned] = {}
    queue: deque[tuple[type[models.Model], str, int]] = deque([(user_model, "", 0)])
    while queue:
        target, path, depth = queue.popleft()
        for model in apps.get_models():
            if model is user_model:
                continue
            for name in _cascading_fks(model, target):
                lookup = f"{name}__{path}" if path else name
                owned = found.get(model)
                if owned is None:
                    found[model] = Owned(model, (lookup,), depth + 1)
                    queue.append((model, lookup, depth + 1))
                elif owned.depth == depth + 1 and lookup not in owned.lookups:
                    found[model] = Owned(model, (*owned.lookups, lookup), owned.depth)
    return tuple(sorted(found.values(), key=lambda o: (o.depth, o.label)))


def deletion_order() -> tuple[Owned, ...]:
    """The owned models so that a model goes before every model it points at (a command
    run before the grant it names, a tag before its activity), the deepest first."""
    owned = {o.model: o for o in owned_models()}
    points_at = {
        model: {
            field.related_model
            for field in model._meta.concrete_fields
            if isinstance(field, models.ForeignKey)
            and field.related_model in owned
            and field.related_model is not model
        }
        for model in owned
    }
    order: list[Owned] = []
    left = set(owned)
    while left:
        # Nothing left points at these: they can go now.
        free = [m for m in left if not any(m in points_at[other] for other in left)]
        if not free:  # a cycle of foreign keys: the deepest first, the collector copes
            free = [max(left, key=lambda m: owned[m].depth)]
        for model in sorted(free, key=lambda m: (-owned[m].depth, owned[m].label)):
            order.append(owned[model])
            left.discard(model)
    return tuple(order)
