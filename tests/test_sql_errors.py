"""A failing SQL statement's error (as logged) never carries the values bound to it."""

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.admin import AdminUser


def test_the_engine_hides_bound_parameters(app):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    with app.app_context():
        assert db.engine.hide_parameters is True


def test_an_integrity_error_does_not_show_its_values(ctx, make):
    admin = make.admin()
    secret = "pbkdf2:sha256:secret-hash-value"
    row = {
        "login_user": admin.login_user,  # taken: the insert fails
        "password_hash": secret,
        "company_id": admin.company_id,
        "role_id": admin.role_id,
        "token": "0" * 32,
        "invite_secret": "1" * 32,
    }
    with pytest.raises(IntegrityError) as caught:
        db.session.execute(insert(AdminUser).values(**row))
    db.session.rollback()
    assert secret not in str(caught.value)  # (the database's own message may still quote the duplicate key)
    assert "parameters hidden" in str(caught.value)
