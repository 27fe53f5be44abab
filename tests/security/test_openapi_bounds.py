"""Every request field of the API is bounded in /api/v1/openapi.json, from the deployment's [limits], and every
documented bound is the one the API enforces (422 naming the field and the bound, nothing stored)."""

import dataclasses
import re
from datetime import date
from decimal import Decimal

import pytest

from quorum.core.values import Bounds
from quorum.limits_settings import LimitsSettings
from tests.webui.conftest import business_events
from tests.webui.test_api import API, as_user
from tests.webui.test_api_inputs import GOOD_MATTER, assert_refused

SECRETARY = "gaowenjing"
COUNTY = LimitsSettings(Bounds(date(2020, 1, 1), date(2030, 12, 31), Decimal(50_000_000)), title_max=120,
                        text_max=500, long_text_max=5000)


def with_limits(app, limits: LimitsSettings) -> None:
    """Run this app with a county's own [limits]."""
    runtime = app.extensions["quorum"]
    runtime.settings = dataclasses.replace(runtime.settings, limits=limits)


def document(client) -> dict:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def resolve(doc: dict, node: dict) -> dict:
    while "$ref" in node:
        node = doc["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def request_schemas(doc: dict) -> dict[str, dict]:
    """Every schema a request body uses, by name, following $ref into nested schemas."""
    found: dict[str, dict] = {}
    todo = [op["requestBody"]["content"]["application/json"]["schema"]["$ref"] for item in doc["paths"].values()
            for op in item.values() if "requestBody" in op]
    while todo:
        name = todo.pop().rsplit("/", 1)[1]
        if name not in found:
            found[name] = doc["components"]["schemas"][name]
            todo.extend(re.findall(r"'\$ref': '([^']+)'", str(found[name])))
    return found


def unbounded(node, where: str) -> list[str]:
    """The places in a schema where a string has no maxLength, a number no minimum/maximum, a date no window."""
    if isinstance(node, list):
        return [w for i, item in enumerate(node) for w in unbounded(item, f"{where}[{i}]")]
    if not isinstance(node, dict):
        return []
    kinds = node.get("type") if isinstance(node.get("type"), list) else [node.get("type")]
    missing = []
    if "string" in kinds and "enum" not in node and "maxLength" not in node:
        missing.append(f"{where}: maxLength")
    if {"integer", "number"} & set(kinds) and not {"minimum", "maximum"} <= node.keys():
        missing.append(f"{where}: minimum/maximum")
    if node.get("format") in ("date", "date-time") and not {"x-minimum-date", "x-maximum-date"} <= node.keys():
        missing.append(f"{where}: date window")
    return missing + [w for key, value in node.items() for w in unbounded(value, f"{where}.{key}")]


def test_every_request_field_is_bounded(client, sc):
    doc = document(client)
    schemas = request_schemas(doc)
    assert {"MatterCreate", "TaskAction", "DecisionRecord", "PaymentRequest", "MeetingCreate", "VoteRequest",
            "TokenRequest", "PasswordChange"} <= schemas.keys()
    missing = [w for name, schema in schemas.items() for w in unbounded(schema, name)]
    parameters = [p for item in doc["paths"].values() for op in item.values() for p in op.get("parameters", [])
                  if p["in"] == "query" or p["schema"].get("type") == "integer"]
    missing += [w for p in parameters for w in unbounded(p["schema"], f"parameter {p['name']}")]
    assert missing == []


def test_the_served_schema_follows_the_deployments_limits(app, client, sc):
    schemas = document(client)["components"]["schemas"]
    assert schemas["MatterCreate"]["properties"]["title"] == {"type": "string", "maxLength": 200, "x-limits": "title_max"}
    with_limits(app, COUNTY)
    schemas = document(client)["components"]["schemas"]
    assert schemas["MatterCreate"]["properties"]["title"]["maxLength"] == 120
    assert schemas["UrgentRequest"]["properties"]["reason"]["maxLength"] == 500
    assert schemas["CommentRequest"]["properties"]["text"]["maxLength"] == 5000
    paid_on = schemas["PaymentRequest"]["properties"]["paid_on"]
    assert (paid_on["x-minimum-date"], paid_on["x-maximum-date"]) == ("2020-01-01", "2030-12-31")
    assert "2020-01-01 至 2030-12-31" in paid_on["description"]
    amount = schemas["PaymentRequest"]["properties"]["amount"]
    assert amount["x-maximum"] == "50000000" and "50,000,000 元" in amount["description"]
    number = schemas["MatterCreate"]["properties"]["fields"]["additionalProperties"]["anyOf"][1]
    assert number == {"type": "number", "minimum": 0, "maximum": 50_000_000}


def prop(doc: dict, schema: str, name: str) -> dict:
    return resolve(doc, doc["components"]["schemas"][schema])["properties"][name]


# (path, body with the field too long, schema, field): each refused naming the field and the documented bound
def over_long(doc: dict, schema: str, field: str) -> str:
    return "议" * (prop(doc, schema, field)["maxLength"] + 1)


CASES = [
    ("/matters", lambda d: {**GOOD_MATTER, "title": over_long(d, "MatterCreate", "title")}, "MatterCreate", "title"),
    ("/matters/1/urgent", lambda d: {"reason": over_long(d, "UrgentRequest", "reason")}, "UrgentRequest", "reason"),
    ("/tasks/1/comments", lambda d: {"text": over_long(d, "CommentRequest", "text")}, "CommentRequest", "text"),
    ("/meetings", lambda d: {"body": "president_office", "at": "2026-11-20T09:00:00", "place": over_long(
        d, "MeetingCreate", "place")}, "MeetingCreate", "place"),
    ("/tasks/1/signers", lambda d: {"signer": "alatan", "reason": over_long(d, "SignerRequest", "reason")},
     "SignerRequest", "reason"),
    ("/meetings/1/items/1/votes", lambda d: {"choice": "agree", "voter": over_long(d, "VoteRequest", "voter")},
     "VoteRequest", "voter"),
]


@pytest.mark.parametrize("limits", [LimitsSettings(), COUNTY], ids=["defaults", "county"])
def test_every_documented_length_is_enforced(app, client, sc, limits):
    with_limits(app, limits)
    doc, secretary = document(client), as_user(client, SECRETARY)
    with sc.sessions.begin() as s:
        before = business_events(s)
    for path, body, schema, field in CASES:
        bound = prop(doc, schema, field)["maxLength"]
        refused = assert_refused(secretary.post(path, json=body(doc)), 422, f"「{field}」")
        assert str(bound) in refused["message"], (path, refused)
    with sc.sessions.begin() as s:
        assert business_events(s) == before


@pytest.mark.parametrize("limits", [LimitsSettings(), COUNTY], ids=["defaults", "county"])
def test_documented_dates_amounts_and_numbers_are_enforced(app, client, sc, limits):
    with_limits(app, limits)
    doc, secretary = document(client), as_user(client, SECRETARY)
    ceiling = Decimal(prop(doc, "PaymentRequest", "amount")["x-maximum"])
    late = date.fromisoformat(prop(doc, "PaymentRequest", "paid_on")["x-maximum-date"]).replace(day=30, month=12)
    late = late.replace(year=late.year + 1)
    with sc.sessions.begin() as s:
        before = business_events(s)
    refused = assert_refused(secretary.post("/tasks/1/payments", json={"amount": str(ceiling + 1)}), 422, "「amount」")
    assert f"{ceiling:,}" in refused["message"]
    refused = assert_refused(secretary.post("/tasks/1/payments", json={"amount": "100", "paid_on": late.isoformat()}),
                             422, "「paid_on」")
    assert prop(doc, "PaymentRequest", "paid_on")["x-maximum-date"] in refused["message"]
    fields = {**GOOD_MATTER["fields"], "headcount": int(ceiling) + 1}
    refused = assert_refused(secretary.post("/matters", json={**GOOD_MATTER, "fields": fields}), 422, "「headcount」")
    assert f"{ceiling:,}" in refused["message"]
    biggest = prop(doc, "AgendaItemCreate", "matter")["maximum"]
    assert_refused(secretary.post("/meetings/1/items", json={"matter": biggest + 1}), 422, "「matter」")
    with sc.sessions.begin() as s:
        assert business_events(s) == before
