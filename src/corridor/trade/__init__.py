"""Trade checks for the Russia-DPRK corridor (see docs/trade.md).

hs          HS 2022 nomenclature: validation, lookup, search
rules       rule packs (packs/*.yaml, JSON Schema) compiled into a RuleBook
transaction the transaction model, parsed from dicts
screening   PartyScreener protocol, PartyHit, ExactNameScreener
nexus       DPRK nexus indicators (ports, places, banks, state bodies)
petroleum   barrels/tonnes conversions for the UN caps
ledger      the cap ledger (store table cap_ledger)
evaluate    Evaluator.check(transaction) -> Verdict
report      rich renderables
batch       files, batches, check_scenario
"""
