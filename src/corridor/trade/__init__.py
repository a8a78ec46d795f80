"""Trade checks for the Russia-DPRK corridor (see docs/trade.md).  Core: pure,
no database, no settings, no user files (the application layer,
`corridor.services.trade`, opens them).

hs            HS 2022 nomenclature: validation, lookup, search (the folder is passed in)
rules         rule packs (packs/*.yaml, JSON Schema) compiled into a RuleBook
vocabularies  the closed word lists (packs/vocabularies.yaml), defined once
transaction   the transaction model, parsed from dicts
documents     parsing untrusted YAML / JSON bytes (alias budget, size, UTF-8)
screening     PartyScreener protocol, PartyHit, ExactNameScreener
nexus         DPRK nexus indicators (ports, places, banks, state bodies; any script)
context       facts derived once per transaction (nexus, directions, jurisdictions)
triggers/     one module per trigger kind, with a registry
petroleum     barrels/tonnes conversions for the UN caps
ledger        cap charges, cap status arithmetic, the Ledger protocol
caps          the pure cap decision
verdict       Verdict, Reason, ScreeningResult
evaluate      Evaluator.assess (pure) / Evaluator.check (with the ledger)
batch         documents, JSONL / CSV batches and results, on data and streams
"""
