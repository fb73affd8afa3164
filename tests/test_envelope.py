"""The envelope for unknown routes, wrong methods, crashes and bad input."""

from marshmallow import fields, validate

from app import create_app
from app.schemas.base import BaseSchema, load
from app.schemas.fields import JSONList
from config import TestingConfig
from tests.conftest import body


def test_unknown_route_is_404_envelope(api):
    response = api.get("/zhugeleida/admin/no_such_thing")
    assert response.status_code == 404
    assert body(response) == {"code": 404, "msg": "非法请求", "data": {}}


def test_wrong_method_is_405_with_code_402(api):
    response = api.get("/zhugeleida/admin/login")
    assert response.status_code == 405
    assert body(response)["code"] == 402


def test_unexpected_error_is_500_without_traceback():
    app = create_app(TestingConfig)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    payload = body(response)
    assert payload["code"] == 500
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


class _Probe(BaseSchema):
    age = fields.Integer(required=True, validate=validate.Range(min=0, error="不能为负数"), metadata={"label": "年龄"})
    ids = JSONList(fields.Integer(), load_default=list, metadata={"label": "ID列表"})


def _load(app, data):
    with app.test_request_context("/"):
        return load(_Probe, data)


def _error(app, data):
    from app.responses import ApiError

    try:
        _load(app, data)
    except ApiError as err:
        return err
    raise AssertionError("no error")


def test_load_wrong_type_is_301_naming_the_field(app):
    err = _error(app, {"age": "abc"})
    assert err.code == 301
    assert "年龄" in err.msg
    assert "age" in err.data


def test_load_missing_field_is_303(app):
    err = _error(app, {})
    assert err.code == 303
    assert err.msg.startswith("年龄")


def test_load_out_of_range_is_303(app):
    err = _error(app, {"age": -1})
    assert (err.code, err.msg) == (303, "年龄 不能为负数")


class _Renamed(BaseSchema):
    group_id = fields.Integer(required=True, data_key="talkGroupName", metadata={"label": "归属分组"})


def test_a_parameter_renamed_by_its_schema_is_loaded_by_the_new_name_and_refused_by_its_own(app):
    """A contract's parameter (data_key) is what errors name; the loaded input carries the schema's name."""
    from app.responses import ApiError

    with app.test_request_context("/"):
        assert load(_Renamed, {"talkGroupName": "7"}) == {"group_id": 7}
        try:
            load(_Renamed, {"talkGroupName": "x"})
        except ApiError as err:
            assert (err.code, err.msg) == (301, "归属分组 必须是整数")
            assert err.data == {"talkGroupName": ["Not a valid integer."]}
        else:
            raise AssertionError("no error")


def test_json_list_accepts_json_text_and_real_list(app):
    assert _load(app, {"age": 1, "ids": '["2", 3]'})["ids"] == [2, 3]
    assert _load(app, {"age": 1, "ids": [4]})["ids"] == [4]


def test_json_list_bad_json_is_301(app):
    err = _error(app, {"age": 1, "ids": "[1,"})
    assert err.code == 301
    assert "ID列表" in err.msg


def test_json_list_bad_element_names_its_index(app):
    err = _error(app, {"age": 1, "ids": '[1, "x"]'})
    assert err.code == 301
    assert err.msg.startswith("ID列表[1]")


def test_statics_are_served(app):
    import pathlib

    folder = pathlib.Path(app.static_folder)
    (folder / "hello.txt").write_text("hi")
    response = app.test_client().get("/statics/hello.txt")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "hi"


def test_healthz_reports_database(api):
    response = api.get("/healthz")
    assert response.status_code == 200
    assert body(response)["data"]["database"] == "ok"


def test_oversized_ids_never_500(api, make):
    """Does an id beyond any column's range answer an envelope error instead of a crash?"""
    admin = make.superadmin()
    huge = str(2**70)
    response = api.client.get(
        "/zhugeleida/admin/login_rules", query_string={"rand_str": "x", "timestamp": "1", "user_id": huge}
    )
    assert body(response)["code"] == 400
    assert api.as_(admin).post(f"/zhugeleida/admin/admin_role/delete/{huge}").status_code == 404
    payload = body(
        api.as_(admin).post(
            "/zhugeleida/admin/admin_userprofile/add/0",
            {
                "login_user": "x",
                "password": "Passw0rdX",
                "role_id": 3,
                "company_id": 2**64,
            },
        )
    )
    assert payload["code"] in (302, 303)
