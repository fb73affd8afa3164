"""The OpenAPI description covers every route (inputs, signer, envelope), and the docs page is offline."""

import re

import pytest

from app.declare import Empty, answers, declared, takes
from app.openapi import HINTS, build_spec, principal_of, undeclared_views
from app.responses import Code

PUBLIC = {
    "/zhugeleida/admin/login": "post",
    "/zhugeleida/admin/export/download/{token}": "get",
    "/zhugeleida/admin/open_weixin/auth_code": "get",
    "/zhugeleida/open_weixin/event": "post",
    "/zhugeleida/open_weixin/message/{appid}": "post",
    "/zhugeleida/gongzhonghao/work_gongzhonghao_auth": "get",
    "/zhugeleida/gongzhonghao/work_gongzhonghao_auth/entry_url": "get",
    "/zhugeleida/qiyeweixin/work_weixin_auth/{company_id}": "get",
    "/healthz": "get",
    "/healthz/live": "get",
    "/healthz/ready": "get",
    "/metrics": "get",
    "/openapi.json": "get",
    "/docs": "get",
    "/docs/assets/{filename}": "get",
    "/statics/{filename}": "get",
    "/": "get",
    "/console/": "get",
    "/console/{path}": "get",
    "/h5/": "get",
    "/h5/{path}": "get",
}


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/openapi.json").get_json()


def _operations(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _data_schema(operation):
    envelope = operation["responses"]["200"]["content"]["application/json"]["schema"]["anyOf"][0]
    return envelope["properties"]["data"]


def test_every_route_has_a_description(app, spec):
    """Is every route of the URL map described, with a summary (its docstring's first line)?"""
    routes = {
        (re.sub(r"<(?:[^>:]+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert {(path, method) for path, method, _ in _operations(spec)} == routes
    undocumented = [f"{m.upper()} {p}" for p, m, op in _operations(spec) if not op.get("summary")]
    assert undocumented == []


def test_a_view_without_docstring_is_reported(app):
    """The description test would catch a view added without a docstring: its summary is empty."""
    from flask import Flask

    bare = Flask("bare")

    @bare.get("/bare")
    def view():
        return "x"

    spec = build_spec(bare)
    assert spec["paths"]["/bare"]["get"]["summary"] == ""


def test_every_view_declares_its_input_and_answer(app):
    """Every view (but Flask's static files) declares what it takes and answers; hints name only real views."""
    assert undeclared_views(app) == []
    assert set(HINTS) <= set(app.view_functions), set(HINTS) - set(app.view_functions)


def test_declarations_name_the_schemas_read():
    """What a view reads through a helper or from a computed source is declared on the view itself."""
    from app.api.admin import dai_xcx, home_page, product
    from app.schemas.open_platform import AppIdsSchema, UploadCodeSchema
    from app.schemas.product import ProductAddSchema, ProductTypeQuerySchema
    from app.schemas.statistics import StatisticsQuerySchema

    assert declared(dai_xcx.upload_code).bodies == (UploadCodeSchema,)
    assert declared(dai_xcx.submit_audit).bodies == (AppIdsSchema,)
    assert declared(home_page.index).query is StatisticsQuerySchema
    add = declared(product.add)
    assert add.bodies == (ProductAddSchema,) and add.source is not None and add.also_query is ProductTypeQuerySchema


def _bare_app():
    from flask import Flask

    from app.responses import ok
    from app.schemas.answers import IdSchema
    from app.schemas.base import load
    from app.schemas.statistics import StatisticsQuerySchema

    bare = Flask("bare")
    bare.testing = True

    @bare.post("/undeclared")
    def undeclared():
        return ok(load(StatisticsQuerySchema))

    @bare.get("/declared")
    @answers(IdSchema)
    @takes(query=StatisticsQuerySchema)
    def declared_view(query):
        return ok({"id": 1, "company_id": query["company_id"]})

    @bare.get("/empty")
    @answers(Empty)
    def empty():
        return ok({"id": 1})

    return bare


def test_a_read_without_takes_fails_while_testing():
    """load() of the request body or query string by a view that did not declare it fails the test."""
    client = _bare_app().test_client()
    with pytest.raises(AssertionError, match="undeclared loads its body with StatisticsQuerySchema without @takes"):
        client.post("/undeclared", data={})


def test_an_answer_unlike_its_declaration_fails_while_testing():
    """A key the declared schema does not have, or data where Empty is declared, fails the test."""
    client = _bare_app().test_client()
    with pytest.raises(AssertionError, match=r"undeclared keys \['company_id'\]"):
        client.get("/declared")
    with pytest.raises(AssertionError, match="undeclared keys"):
        client.get("/empty")


def test_every_answer_is_typed(spec):
    """No operation answers an untyped `data` ({}), nor a key of an inline object without a type;
    the answers without data say so (`{}` or `[]` exactly)."""
    untyped, empty = [], []
    for path, method, operation in _operations(spec):
        content = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
        if "anyOf" not in content.get("schema", {}):
            continue  # a redirect, a file, plain text or the description itself
        data = _data_schema(operation)
        for variant in data.get("anyOf", [data]):
            inline = variant.get("properties", {}).values()
            if variant == {} or any(prop == {} for prop in inline):
                untyped.append(f"{method.upper()} {path}")
            if variant in ({"type": "object", "maxProperties": 0}, {"type": "array", "maxItems": 0}):
                empty.append((method, path))
    assert untyped == []
    assert ("post", "/zhugeleida/admin/article/delete/{o_id}") in empty
    # GETs that answer nothing: the contract's deletes as GET, and records (a forward, a refresh)
    assert {path for method, path in empty if method == "get"} == {
        "/zhugeleida/admin/speechDetailsManageOper/delete/{o_id}",
        "/zhugeleida/admin/talkGroupManageOper/delete/{o_id}",
        "/zhugeleida/admin/xcx_auth_process/update/xcx_get_authorizer_info",
        "/zhugeleida/gongzhonghao/article/forward_article/{o_id}",
    }


def test_loaded_schemas_are_described(spec):
    add_company = spec["paths"]["/zhugeleida/admin/company/add_company/{o_id}"]["post"]
    content = add_company["requestBody"]["content"]
    assert content["application/json"]["schema"]["$ref"].endswith("/Company")
    assert {"name", "mingpian_available_num"} <= set(
        content["application/x-www-form-urlencoded"]["schema"]["properties"]
    )
    users = spec["paths"]["/zhugeleida/admin/admin_userprofile"]["get"]
    assert {"current_page", "length", "order"} <= {p["name"] for p in users["parameters"]}


def test_hinted_inputs_are_described(spec):
    paths = spec["paths"]
    product_add = paths["/zhugeleida/admin/product/add/{o_id}"]["post"]
    assert "product_type" in {p["name"] for p in product_add["parameters"] if p["in"] == "query"}
    assert product_add["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ProductAdd")
    update_user = paths["/zhugeleida/admin/user/update/{o_id}"]["post"]
    assert "type" in {p["name"] for p in update_user["parameters"]}
    either = update_user["requestBody"]["content"]["application/json"]["schema"]["anyOf"]  # radar or temp user
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in either} == {"RadarUser", "ScanJoin"}
    upload = paths["/zhugeleida/public/img_upload"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["properties"]["img_data"]["format"] == "binary"
    event = paths["/zhugeleida/open_weixin/event"]["post"]
    assert "text/xml" in event["requestBody"]["content"]
    assert {"msg_signature", "timestamp", "nonce"} <= {p["name"] for p in event["parameters"]}
    assert "text/plain" in event["responses"]["200"]["content"]


def test_json_carrying_form_fields_are_text_in_forms(spec):
    content = spec["paths"]["/zhugeleida/admin/admin_role/add/{o_id}"]["post"]["requestBody"]["content"]
    assert content["application/x-www-form-urlencoded"]["schema"]["properties"]["rules_list"]["type"] == "string"
    role = spec["components"]["schemas"]["Role"]
    assert role["properties"]["rules_list"]["type"] == "array"


def test_summary_is_the_docstrings_first_paragraph(spec):
    operation = spec["paths"]["/zhugeleida/gongzhonghao/create_gongzhonghao_auth_url/{o_id}"]["get"]
    assert operation["summary"].endswith("(302 for another company).")


def test_security_names_the_signer(app, spec):
    """Admin, radar-user and customer routes carry their own signature scheme; the allow-list none."""
    kinds = {}
    for path, method, operation in _operations(spec):
        schemes = {name for requirement in operation["security"] for name in requirement}
        kinds[(path, method)] = operation["x-principal"]
        if operation["x-principal"] == "public":
            assert operation["security"] == [] and PUBLIC.get(path) == method, (path, method)
        else:
            kind = operation["x-principal"]
            assert schemes == {f"{kind}_rand_str", f"{kind}_timestamp", f"{kind}_user_id"}, (path, method)
    assert {path for (path, _), kind in kinds.items() if kind == "public"} == set(PUBLIC)
    assert kinds[("/zhugeleida/admin/user/scan_code_to_add_user/{o_id}", "post")] == "invite"
    assert kinds[("/zhugeleida/public/img_upload", "post")] == "admin"
    assert kinds[("/zhugeleida/qiyeweixin/article/create_share_url/{o_id}", "get")] == "radar_user"
    assert kinds[("/zhugeleida/gongzhonghao/article/myarticle/{o_id}", "get")] == "customer"
    # a gongzhonghao route signed by a radar user (its principal_kind marker)
    assert kinds[("/zhugeleida/gongzhonghao/create_gongzhonghao_auth_url/{o_id}", "get")] == "radar_user"
    schemes = spec["components"]["securitySchemes"]
    assert schemes["customer_rand_str"] == {
        "type": "apiKey",
        "in": "query",
        "name": "rand_str",
        "description": schemes["customer_rand_str"]["description"],
    }
    view = app.view_functions["admin.account.login"]
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "admin.account.login")
    assert principal_of(rule, view) == "public"


def test_envelope_data_comes_from_the_dumps(spec):
    schemas = spec["components"]["schemas"]
    products = _data_schema(spec["paths"]["/zhugeleida/admin/product/product_list"]["get"])
    assert products["properties"]["ret_data"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/ProductListItem"},
    }
    assert products["required"] == ["ret_data", "data_count"]
    product_id = schemas["ProductListItem"]["properties"]["product_id"]
    assert product_id["type"] == "integer" and product_id["nullable"] is True
    single = _data_schema(spec["paths"]["/zhugeleida/admin/product/product_single"]["get"])
    assert single["properties"]["ret_data"]["items"] == {"$ref": "#/components/schemas/ProductDetail"}
    users = _data_schema(spec["paths"]["/zhugeleida/admin/user"]["get"])  # radar users or temp users
    assert len(users["anyOf"]) == 2
    assert _data_schema(spec["paths"]["/zhugeleida/admin/product/delete/{o_id}"]["post"]) == {
        "type": "object",
        "maxProperties": 0,
    }
    login = _data_schema(spec["paths"]["/zhugeleida/admin/login"]["post"])
    assert login == {"$ref": "#/components/schemas/LoginResult"}
    assert "token" in schemas["LoginResult"]["properties"]


def test_business_codes_are_documented(spec):
    error = spec["components"]["schemas"]["Error"]
    assert error["properties"]["code"]["not"] == {"enum": [200]}
    for code in Code:
        assert f"{code.value} " in error["properties"]["code"]["description"]
        assert f"{code.value} " in spec["info"]["description"]
    operation = spec["paths"]["/zhugeleida/admin/product/update/{o_id}"]["post"]
    assert "Access rule: `product`" in operation["description"]
    assert "301, 303" in operation["description"] and "400" in operation["description"]
    assert operation["responses"]["default"] == {"$ref": "#/components/responses/Error"}


def test_docs_page_is_offline(app):
    client = app.test_client()
    page = client.get("/docs").get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in page and "http" not in page.split("<body>")[1]
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/docs/assets/swagger-ui.css").status_code == 200
