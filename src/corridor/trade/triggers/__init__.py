"""Trigger kinds, one module each (see `registry`): goods, listed_party,
listed_vessel, party_indicator, vessel, labour, joint_venture, service, payment,
dprk_nexus.  `base` holds what they share: the kind interface and `Run`, which
fires a matching trigger (dates, scope, evidence, exemptions)."""
