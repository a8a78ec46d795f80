"""Features: what besides the name moves a score, one small module per kind.

Each feature compares one field of the query with the listed entity's and
explains itself: it returns a `Qualifier` (kind, effect on the score, a sentence
saying why) or None where it has nothing to say (the query or the list gives no
such field).  Their weights are the algorithm's (`match.algorithm.Algorithm`).

  schema       which listed schemata a query may meet (no hit otherwise)
  dates        the date of birth against the listed dates, ranges, circa years
  countries    the query's country among the entity's, or not
  gender       the same or another gender
  identifiers  an identifier or IMO number of the entity, or another IMO number

The name itself is aligned part by part in `match.align`.
"""
