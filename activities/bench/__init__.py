"""lmo_bench scenarios of activities (scaled mode: PostgreSQL): ``ingest`` and
``dashboard``; importing this package registers them."""

from activities.bench import dashboard, ingest  # noqa: F401  (register their scenarios)
