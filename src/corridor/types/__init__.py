"""Value types, one module each, in the manner of followthemoney's `types/`:
`text` (the one normaliser, display-safe text), `identifiers` (IMO, BIC,
document numbers), `countries`, `dates`, `gender`.  Every other module calls
these; they import nothing else of Corridor.  Pure, no I/O."""
