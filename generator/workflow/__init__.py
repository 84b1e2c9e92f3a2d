"""The git workflow around the records: pull-request checks (compare), the sign-off ledger,
the nightly overdue report, CODEOWNERS."""
