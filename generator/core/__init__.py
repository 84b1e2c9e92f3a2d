"""The pipeline itself: load (YAML → data with positions) → validate (schema and
cross-record checks → findings) → evaluate (rules as of a date → findings, statuses, rates).
Nothing here imports from outside ``generator.core``; :mod:`generator.core.pipeline` is the
entry point every command, the site and the git workflow go through."""
