"""Trade checks for the Russia-DPRK corridor (see docs/trade.md).  Core: pure,
no database, no settings; the application layer is `corridor.services.trade`.

hs            HS 2022 nomenclature: validation, lookup, search (the folder is passed in)
rules         rule packs (packs/*.yaml, JSON Schema) compiled into a RuleBook
vocabularies  the closed word lists (packs/vocabularies.yaml), defined once
transaction   the transaction model, parsed from dicts
documents     reading untrusted YAML / JSON (alias budget, size, UTF-8)
screening     PartyScreener protocol, PartyHit, ExactNameScreener
nexus         DPRK nexus indicators (ports, places, banks, state bodies; any script)
context       facts derived once per transaction (nexus, directions, jurisdictions)
triggers/     one module per trigger kind, with a registry
petroleum     barrels/tonnes conversions for the UN caps
ledger        cap charges, cap status arithmetic, the Ledger protocol
caps          the pure cap decision
verdict       Verdict, Reason, ScreeningResult
evaluate      Evaluator.assess (pure) / Evaluator.check (with the ledger)
batch         files and batches
"""
