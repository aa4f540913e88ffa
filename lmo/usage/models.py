"""What was used, per day: tokens as the model provider reported them, model calls,
API requests and machine commands, per user, organisation, API key (by its prefix) and model."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from lmo.organisations.models import Organisation


class UsageDay(models.Model):
    day = models.DateField()
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # "" for the chat page; an API key's visible prefix otherwise (keys may be deleted,
    # their figures stay).
    key_prefix = models.CharField(max_length=16, blank=True, default="")
    model = models.CharField(max_length=200, blank=True, default="")
    prompt_tokens = models.PositiveBigIntegerField(default=0)
    completion_tokens = models.PositiveBigIntegerField(default=0)
    llm_calls = models.PositiveIntegerField(default=0)
    api_requests = models.PositiveIntegerField(default=0)
    machine_commands = models.PositiveIntegerField(default=0)  # sent to a computer to run

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "organisation", "user", "key_prefix", "model"],
                name="usage_one_row_per_day_and_slice",
            )
        ]
        indexes = [models.Index(fields=["organisation", "day"], name="usage_org_day")]
        verbose_name = "usage per day"
        verbose_name_plural = "usage per day"

    def __str__(self) -> str:
        return f"{self.day} {self.user_id}@{self.organisation_id} {self.model or 'API'}"

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens
