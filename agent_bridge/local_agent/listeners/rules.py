"""Which visited pages are activities: a job application confirmation on a common
applicant-tracking site, or a purchase confirmation. Rules are regular expressions over
the URL and the page title; named groups (company, role, store) fill the activity.
The agent config adds rules (``[[activity_rules.jobs]]``, ``[[activity_rules.purchases]]``)
and can drop these defaults (``activity_rules.defaults = false``)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from agent_bridge.local_agent.history import Visit

TITLE_ROLE = re.compile(
    r"(?i)(?:job application for|application for|applying (?:to|for))\s+(?P<role>.+?)\s+(?:at|@)\s+(?P<company>[^|\u2013-]+)"
)


@dataclass(frozen=True)
class Rule:
    kind: str  # "job" or "purchase"
    name: str  # the site, used as the activity's application
    url: re.Pattern[str]
    title: re.Pattern[str] | None = None

    def match(self, visit: Visit) -> dict[str, str] | None:
        found_url = self.url.search(visit.url)
        if not found_url:
            return None
        groups = {k: v for k, v in found_url.groupdict().items() if v}
        if self.title is not None:
            found_title = self.title.search(visit.title)
            if not found_title:
                return None
            groups.update({k: v for k, v in found_title.groupdict().items() if v})
        return groups


def _r(value: str) -> re.Pattern[str]:
    return re.compile(value, re.IGNORECASE)


SUBMITTED = (
    r"thank(?:s| you) for (?:applying|your application)|application (?:submitted|received|sent)"
)
DEFAULT_JOB_RULES = (
    Rule(
        "job",
        "Greenhouse",
        _r(
            r"^https://(?:job-)?boards(?:\.eu)?\.greenhouse\.io/(?P<company>[\w-]+)/jobs/\d+/confirmation"
        ),
    ),
    Rule(
        "job",
        "Greenhouse",
        _r(r"^https://(?:job-)?boards(?:\.eu)?\.greenhouse\.io/"),
        _r(SUBMITTED),
    ),
    Rule(
        "job",
        "Lever",
        _r(r"^https://jobs(?:\.eu)?\.lever\.co/(?P<company>[\w.-]+)/[0-9a-f-]{36}/thanks"),
    ),
    Rule(
        "job",
        "Workday",
        _r(r"^https://(?P<company>[\w-]+)\.wd\d+\.myworkdayjobs\.com/"),
        _r(SUBMITTED),
    ),
    Rule(
        "job",
        "Ashby",
        _r(
            r"^https://jobs\.ashbyhq\.com/(?P<company>[\w.%-]+)/[0-9a-f-]{36}/application(?:/success|\?.*submitted)"
        ),
    ),
    Rule(
        "job",
        "LinkedIn Easy Apply",
        _r(r"^https://(?:www\.)?linkedin\.com/jobs/view/\d+/?.*(?:post-apply|postApply)"),
    ),
)
DEFAULT_PURCHASE_RULES = (
    Rule(
        "purchase",
        "Amazon",
        _r(
            r"^https://(?:www\.)?(?P<store>amazon\.[a-z.]+)/(?:gp/buy/thankyou|checkout/.*thankyou)"
        ),
    ),
    Rule(
        "purchase",
        "eBay",
        _r(
            r"^https://(?:www\.)?(?P<store>ebay\.[a-z.]+)/.*(?:purchase|checkout).*(?:success|confirm)"
        ),
    ),
    Rule("purchase", "Shop", _r(r"^https://(?P<store>[\w.-]+)/checkouts/[\w/-]*thank[_-]?you")),
    Rule(
        "purchase",
        "Shop",
        _r(r"^https://(?P<store>[\w.-]+)/"),
        _r(r"^(?:order confirmed|thank you for your (?:order|purchase)|order confirmation)\b"),
    ),
)


def rules_from_config(raw: dict[str, Any]) -> list[Rule]:
    """The active rules: the config's own first (so they win), then the defaults."""
    rules: list[Rule] = []
    for kind, key in (("job", "jobs"), ("purchase", "purchases")):
        for entry in raw.get(key, []) or []:
            if not isinstance(entry, dict) or not entry.get("url") or not entry.get("name"):
                raise ValueError(f"each [[activity_rules.{key}]] needs a name and a url pattern")
            title = entry.get("title")
            rules.append(
                Rule(
                    kind,
                    str(entry["name"]),
                    _r(str(entry["url"])),
                    _r(str(title)) if title else None,
                )
            )
    if raw.get("defaults", True):
        rules += [*DEFAULT_JOB_RULES, *DEFAULT_PURCHASE_RULES]
    return rules


def _company_from(visit: Visit, groups: dict[str, str]) -> tuple[str, str]:
    titled = TITLE_ROLE.search(visit.title)
    company = groups.get("company") or (titled.group("company") if titled else "")
    role = groups.get("role") or (titled.group("role") if titled else "")
    if not company and " | " in visit.title:  # LinkedIn: "Role | Company | LinkedIn"
        parts = [p.strip() for p in visit.title.split(" | ")]
        role, company = parts[0], parts[1]
    company = re.sub(r"[-_]+", " ", company).strip()
    company = company.title() if company.islower() else company
    return company[:200], role.strip()[:200]


def activity_for(visit: Visit, rules: list[Rule]) -> dict[str, Any] | None:
    """The activity item for a visit that matches a rule, else None."""
    for rule in rules:
        groups = rule.match(visit)
        if groups is None:
            continue
        event = hashlib.sha256(f"{visit.url}|{visit.visited_at.isoformat()}".encode()).hexdigest()[
            :32
        ]
        details = {
            "url": visit.url,
            "title": visit.title,
            "browser": visit.browser,
            "rule": rule.name,
        }
        if rule.kind == "job":
            company, role = _company_from(visit, groups)
            if not company:
                company = urlsplit(visit.url).hostname or rule.name
            return {
                "id": f"history:{event}",
                "type": "job",
                "timestamp": visit.visited_at.isoformat(),
                "application": rule.name,
                "description": f"Applied to {company}" + (f" as {role}" if role else ""),
                "company": company,
                "role": role,
                "status": "applied",
                "details": details,
            }
        store = groups.get("store") or urlsplit(visit.url).hostname or rule.name
        return {
            "id": f"history:{event}",
            "type": "browser",
            "timestamp": visit.visited_at.isoformat(),
            "application": rule.name if rule.name != "Shop" else store,
            "description": f"Order placed on {store}",
            "tags": ["purchase"],
            "details": details,
        }
    return None
