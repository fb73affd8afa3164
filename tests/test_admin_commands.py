"""`flask create-admin`, `flask reset-password` and `flask seed`'s password check."""

from sqlalchemy import select

from app.commands.admins import create_admin_command, reset_password_command
from app.commands.seed import seed_command
from app.extensions import db
from app.models.admin import ROLE_ADMIN, ROLE_SUPERADMIN, AdminUser
from tests.conftest import body

LOGIN = "/zhugeleida/admin/login"


def _login(api, name, password):
    return body(api.client.post(LOGIN, data={"username": name, "password": password}))


def test_create_admin_then_sign_in(app, api, ctx):
    runner = app.test_cli_runner()
    assert runner.invoke(seed_command).exit_code == 0
    done = runner.invoke(create_admin_command, ["ops"], input="Str0ngPass\nStr0ngPass\n")
    assert done.exit_code == 0, done.output
    assert "Str0ngPass" not in done.output
    user = db.session.scalar(select(AdminUser).where(AdminUser.login_user == "ops"))
    assert user.role_id == ROLE_SUPERADMIN and user.company.name == app.config["DEFAULT_COMPANY_NAME"]
    assert _login(api, "ops", "Str0ngPass")["code"] == 200


def test_create_admin_refuses_weak_passwords_taken_names_and_unknown_companies(app, make, ctx):
    runner = app.test_cli_runner()
    company = make.company()
    weak = runner.invoke(create_admin_command, ["ops", "--company-id", company.id], input="password\npassword\n")
    assert weak.exit_code != 0 and "密码复杂度" in weak.output
    mismatch = runner.invoke(
        create_admin_command, ["ops", "--company-id", company.id], input="Str0ngPass\nOther1Pass\n"
    )
    assert mismatch.exit_code != 0
    assert db.session.scalar(select(AdminUser).where(AdminUser.login_user == "ops")) is None
    ok = runner.invoke(
        create_admin_command, ["ops", "--company-id", company.id, "--role", "admin"], input="Str0ngPass\nStr0ngPass\n"
    )
    assert ok.exit_code == 0, ok.output
    assert db.session.scalar(select(AdminUser.role_id).where(AdminUser.login_user == "ops")) == ROLE_ADMIN
    taken = runner.invoke(create_admin_command, ["OPS", "--company-id", company.id], input="Str0ngPass\nStr0ngPass\n")
    assert taken.exit_code != 0 and "已存在" in taken.output
    unknown = runner.invoke(create_admin_command, ["x2", "--company-id", 999999], input="Str0ngPass\nStr0ngPass\n")
    assert unknown.exit_code != 0 and "公司不存在" in unknown.output


def test_reset_password_rotates_the_token_and_lets_the_new_password_in(app, api, make, ctx):
    admin = make.admin(login_user="boss")
    old_token = admin.token
    runner = app.test_cli_runner()
    weak = runner.invoke(reset_password_command, ["boss"], input="short\nshort\n")
    assert weak.exit_code != 0 and "密码复杂度" in weak.output
    done = runner.invoke(reset_password_command, ["BOSS"], input="N3wPassword\nN3wPassword\n")
    assert done.exit_code == 0, done.output
    db.session.refresh(admin)
    assert admin.token != old_token and admin.is_reset_password is False
    assert _login(api, "boss", "N3wPassword")["code"] == 200
    missing = runner.invoke(reset_password_command, ["nobody"], input="N3wPassword\nN3wPassword\n")
    assert missing.exit_code != 0 and "nobody" in missing.output


def test_seed_refuses_a_weak_admin_password(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "ADMIN_PASSWORD", "123456")
    refused = app.test_cli_runner().invoke(seed_command)
    assert refused.exit_code != 0 and "ADMIN_PASSWORD" in refused.output
    assert db.session.scalar(select(AdminUser)) is None
    monkeypatch.setitem(app.config, "ADMIN_PASSWORD", "Str0ngPass")
    assert app.test_cli_runner().invoke(seed_command).exit_code == 0
