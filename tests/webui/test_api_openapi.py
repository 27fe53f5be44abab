"""The OpenAPI document describes exactly the routes the app serves under /api/v1."""

import re

from tests.webui.test_api import API

METHODS = {"get", "post", "put", "patch", "delete"}


def served_routes(app) -> set[tuple[str, str]]:
    """(method, OpenAPI path) for every API rule: /api/v1/matters/<int(...):matter_id> -> /matters/{matter_id}."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API + "/"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule[len(API):])
        routes |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_operation_ids_are_the_view_names(app, client, sc):
    document = client.get(f"{API}/openapi.json").get_json()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API + "/"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule[len(API):])
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert document["paths"][path][method.lower()]["operationId"] == rule.endpoint.removeprefix("api.")


def described_routes(document: dict) -> set[tuple[str, str]]:
    return {(method, path) for path, item in document["paths"].items() for method in item if method in METHODS}


def refs(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs(value)]
    return []


def test_document_is_public_and_matches_the_url_map_both_ways(app, client, sc):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": API}]
    served, described = served_routes(app), described_routes(document)
    assert served - described == set(), "served but not described"
    assert described - served == set(), "described but not served"
    assert len(served) >= 25


def test_every_operation_declares_security_bodies_responses_and_errors(client, sc):
    document = client.get(f"{API}/openapi.json").get_json()
    components = document["components"]
    assert components["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer",
                                                       "description": components["securitySchemes"]["bearer"]
                                                       ["description"]}
    assert document["security"] == [{"bearer": []}]
    assert components["schemas"]["Error"]["required"] == ["error", "message"]
    public = {("post", "/token"), ("get", "/openapi.json")}
    operation_ids = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            operation_ids.append(operation["operationId"])
            ok = [code for code in operation["responses"] if code.startswith("2")]
            assert len(ok) == 1 and "schema" in operation["responses"][ok[0]]["content"]["application/json"]
            if (method, path) in public:
                assert operation["security"] == []
            else:
                assert operation["responses"]["401"] == {"$ref": "#/components/responses/Unauthorized"}, path
            if "requestBody" in operation:
                assert "422" in operation["responses"], path
            for name in re.findall(r"{(\w+)}", path):
                assert name in [p["name"] for p in operation["parameters"] if p["in"] == "path"], (path, name)
    assert len(operation_ids) == len(set(operation_ids))
    for route in ("/matters", "/meetings", "/tasks/{task_id}/actions", "/meetings/{meeting_id}/items/{seq}/votes"):
        operation = document["paths"][route]["post"]
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].startswith(
            "#/components/schemas/")
    for target in refs(document):
        section, name = target.split("/")[-2:]
        assert name in components[section], target


def test_the_served_document_carries_its_chinese_wording(client, sc):
    """The descriptions live in the message table (quorum/core/messages/api.py); the served document still reads them."""
    document = client.get(f"{API}/openapi.json").get_json()
    assert document["info"]["title"] == "Quorum 医共体议事决策平台 API"
    assert "错误一律返回 JSON {error, message}：401 未认证" in document["info"]["description"]
    token = document["paths"]["/token"]["post"]
    assert token["summary"] == "以用户名和密码换取访问令牌（也接受表单提交）" and token["tags"] == ["认证"]
    assert token["responses"]["200"]["description"] == "成功"
    responses = document["components"]["responses"]
    assert responses["Conflict"]["description"] == "与当前状态或议事规则冲突（如重复表决、主持人未末位表态）"
    assert responses["TooManyAttempts"]["description"] == "登录失败过多：账号已锁定或来源地址受限，见 Retry-After"
    matters = document["paths"]["/matters"]["get"]
    assert [p["description"] for p in matters["parameters"]][:2] == ["按状态筛选", "按流程筛选"]
    objection = document["components"]["schemas"]["Objection"]["properties"]
    assert objection["complainant"]["description"] == "仅组织人事、党政办、纪检监察可见"
    assert objection["contact"] == objection["feedback"] == objection["complainant"]
    assert not [key for key in _strings(document) if key.startswith("api.")], "an unknown message key was served"


def _strings(node) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return [node] if isinstance(node, str) else []
