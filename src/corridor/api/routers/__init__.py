"""One router per concern: `system` (health, readiness, algorithms), `matching`
(yente's /match, /search, /entities, /catalog), `reconcile` (OpenRefine),
`screening` (/screen, /compare), `trade` (/check, /ledger, /rules, /hs),
`lists` (lists, versions, diffs, imports, updates), `keys` and `audit`."""
