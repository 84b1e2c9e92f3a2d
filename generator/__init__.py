"""xiaoan (校安档案): school safety dossiers kept as code.

The package is a one-way pipeline, one module per step:
load (YAML → data with positions) → validate (schema + cross-record checks → findings)
→ evaluate (rules as of a date → findings, statuses, aggregates) → render (site, exports).
"""

from importlib import metadata
from pathlib import Path

__version__ = metadata.version("xiaoan")

ROOT = Path(__file__).resolve().parent
# `generator/_schema` is a link to the repository's `schema/`, so that an installed package
# (pre-commit installs it into other records repositories) carries the schemas with it.
SCHEMA_DIR = ROOT / "_schema"
