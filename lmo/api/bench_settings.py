"""Settings of a server an API benchmark starts: LMO's, plus the bare baseline view
(``lmo.api.bench_urls``). Never the settings of a real server."""

from lmo.settings import *  # noqa: F403

ROOT_URLCONF = "lmo.api.bench_urls"
