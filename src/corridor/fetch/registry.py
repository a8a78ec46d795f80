"""The one registry of official list sources: where each publisher puts its file.

`min_bytes` guards against an error page or a cut-off download passing as a
list: the real files are far larger (UN ~2 MB, OFAC SDN XML ~100 MB...).
`max_bytes` caps what one download may write (after decompression): a server
that sends more is misbehaving, and the download stops there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OfficialSource:
    key: str  # list key as stored: un, ofac-sdn, ...
    hint: str  # parser family for corridor.sources.parse
    url: str
    filename: str  # name the file is saved (and mirrored) under
    min_bytes: int
    publisher: str
    licence: str
    enabled: bool = True  # OpenSanctions data is CC BY-NC: opt-in only
    max_bytes: int = 500_000_000  # the largest file a source may deliver (decompressed)


OFFICIAL_SOURCES: tuple[OfficialSource, ...] = (
    OfficialSource(
        "un",
        "un",
        "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
        "consolidated.xml",
        500_000,
        "UN Security Council",
        "UN public document",
        max_bytes=50_000_000,
    ),
    OfficialSource(
        "un-vessels",
        "un",
        "https://main.un.org/securitycouncil/en/sanctions/1718/materials/1718-Designated-Vessels-List",
        "1718-designated-vessels.html",
        10_000,
        "UN Security Council 1718 Committee",
        "UN public document",
        max_bytes=20_000_000,
    ),
    OfficialSource(
        "ofac-sdn",
        "ofac",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.XML",
        "sdn.xml",
        5_000_000,
        "US Treasury OFAC",
        "US Government work (public domain)",
    ),
    OfficialSource(
        "ofac-cons",
        "ofac",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONSOLIDATED.XML",
        "consolidated.xml",
        200_000,
        "US Treasury OFAC",
        "US Government work (public domain)",
        max_bytes=100_000_000,
    ),
    OfficialSource(
        "uk",
        "uk",
        "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.xlsx",
        "ConList.xlsx",
        500_000,
        "HM Treasury OFSI",
        "Open Government Licence v3.0",
        max_bytes=50_000_000,
    ),
    OfficialSource(
        "uk-fcdo",
        "uk",
        "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml",
        "UK_Sanctions_List.xml",
        500_000,
        "UK FCDO",
        "Open Government Licence v3.0",
        max_bytes=200_000_000,
    ),
    OfficialSource(
        "eu",
        "eu",
        "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw",
        "eu_fsf.xml",
        1_000_000,
        "European Commission (FSF)",
        "Commission reuse policy, attribution",
        max_bytes=200_000_000,
    ),
    OfficialSource(
        "ftm:sanctions",
        "ftm",
        "https://data.opensanctions.org/datasets/latest/sanctions/entities.ftm.json",
        "entities.ftm.json",
        1_000_000,
        "OpenSanctions",
        "CC BY-NC 4.0 (non-commercial)",
        enabled=False,
        max_bytes=5_000_000_000,
    ),
)


def by_key(key: str) -> OfficialSource:
    for source in OFFICIAL_SOURCES:
        if source.key == key:
            return source
    raise KeyError(f"unknown list {key!r}; known: {', '.join(s.key for s in OFFICIAL_SOURCES)}")
