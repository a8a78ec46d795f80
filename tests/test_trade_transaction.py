"""Parsing transactions from dicts: values, defaults, and errors that name the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from corridor.sources.base import ParseError
from corridor.trade import hs
from corridor.trade.transaction import parse_transaction


@pytest.fixture(scope="module")
def nomenclature(shared_data: Path) -> hs.Nomenclature:
    return hs.load(shared_data / "hs")


def base(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "T1",
        "type": "shipment",
        "date": "2022-10-12",
        "origin": "Russian Federation",
        "destination": "North Korea",
        "parties": [{"name": "Primorsky Neftetrade LLC", "role": "exporter", "country": "RU"}],
        "goods": [{"hs_code": "2710.12", "description": "gasoline", "quantity": "1,250.5", "unit": "tonnes"}],
    }
    data.update(changes)
    return data


def test_parse_full_transaction(nomenclature: hs.Nomenclature) -> None:
    tx = parse_transaction(
        base(
            vessels=[{"name": "Sea Primorye", "imo": "IMO 9312042", "flag": "Russia", "owner": "Owner LLC"}],
            ports={"loading": "Vladivostok", "discharge": ["Nampho"]},
            payment={
                "method": "wire",
                "currency": "rub",
                "banks": [{"name": "Bank A", "role": "ordering", "country": "RU"}],
                "settlement_goods": [
                    {"hs_code": "271019", "quantity": 10, "unit": "bbl", "product": "diesel"}
                ],
            },
            labour=[{"nationality": "DPRK", "count": "200", "employer": "Stroy LLC"}],
            services=[{"kind": "trade office", "location": "Russia", "city": "Vladivostok"}],
            evidence={"notification": "N-1"},
        ),
        nomenclature,
    )
    assert tx.date == dt.date(2022, 10, 12) and (tx.origin, tx.destination) == ("ru", "kp")
    assert (
        tx.goods[0].quantity == Decimal("1250.5")
        and tx.goods[0].unit == "t"
        and tx.goods[0].dimension == "mass"
    )
    assert tx.goods[1].settlement and tx.goods[1].line_no == 2 and tx.goods[1].unit == "bbl"
    assert tx.vessels[0].imo == "9312042" and tx.vessels[0].flag == "ru"
    assert [p.role for p in tx.parties] == ["exporter", "vessel_owner", "ordering_bank", "employer"]
    assert tx.loading[0].name == "Vladivostok" and tx.discharge[0].name == "Nampho"
    assert tx.labour[0].count == 200 and tx.labour[0].income_earning is True  # presumed
    assert tx.services[0].kind == "trade_office" and tx.services[0].location == "ru"
    assert tx.evidence == {"notification": "N-1"} and tx.payment is not None and tx.payment.currency == "RUB"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date": None}, "date", "missing date"),
        ({"date": "12/13/2022"}, "date", "malformed date"),
        ({"id": ""}, "id", "missing value"),
        ({"type": "barter"}, "type", "unknown value"),
        ({"destination": "Narnia"}, "destination", "unknown country 'Narnia'"),
        (
            {"goods": [{"hs_code": "27A0", "quantity": 1, "unit": "t"}]},
            "goods[0].hs_code",
            "malformed HS code",
        ),
        (
            {"goods": [{"hs_code": "9999.99.99", "quantity": 1, "unit": "t"}]},
            "goods[0].hs_code",
            "unknown HS code",
        ),
        ({"goods": [{"hs_code": "0111", "quantity": 1, "unit": "t"}]}, "goods[0].hs_code", "unknown HS code"),
        (
            {"goods": [{"hs_code": "271012", "quantity": -5, "unit": "t"}]},
            "goods[0].quantity",
            "negative quantity",
        ),
        (
            {"goods": [{"hs_code": "271012", "quantity": "lots", "unit": "t"}]},
            "goods[0].quantity",
            "non-numeric quantity",
        ),
        (
            {"goods": [{"hs_code": "271012", "quantity": "NaN", "unit": "t"}]},
            "goods[0].quantity",
            "non-numeric quantity",
        ),
        (
            {"goods": [{"hs_code": "271012", "quantity": 5, "unit": "drums"}]},
            "goods[0].unit",
            "unknown unit 'drums'",
        ),
        (
            {"goods": [{"hs_code": "271012", "quantity": 5, "unit": "tons"}]},
            "goods[0].unit",
            "ambiguous unit",
        ),
        (
            {"goods": [{"hs_code": "271012", "quantity": 5, "unit": "t", "origin": "Atlantis"}]},
            "goods[0].origin",
            "unknown country",
        ),
        (
            {"goods": [{"hs_code": "271012", "quantity": 5, "unit": "t", "hscode": "1"}]},
            "goods[0].hscode",
            "unknown field",
        ),
        ({"vessels": [{"name": "X", "imo": "9312043"}]}, "vessels[0].imo", "check digit"),
        ({"parties": [{"name": "X", "role": "smuggler"}]}, "parties[0].role", "unknown value"),
        ({"evidence": {"permission": "yes"}}, "evidence.permission", "unknown evidence kind"),
        ({"labour": [{"nationality": "kp", "count": 2.5}]}, "labour[0].count", "whole number"),
        ({"colour": "red"}, "colour", "unknown field"),
    ],
)
def test_errors_name_the_field(
    nomenclature: hs.Nomenclature, changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ParseError) as info:
        parse_transaction(base(**changes), nomenclature, source="batch.jsonl", where="line 7")
    assert info.value.path == "batch.jsonl"
    assert info.value.where == f"line 7, field {field}"
    assert message in info.value.message
