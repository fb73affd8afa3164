"""5.9.6 and 1.3: two concurrent requests can never enable more radar users than the seat quota.

On MariaDB the threads share the test database (row locks are what is tested). The in-memory SQLite
test database is private to each thread, so on SQLite the race runs on a throwaway file database
instead (there the database-wide write lock is what is tested).
"""

import json
import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app import create_app
from app.commands.seed import seed_roles, seed_rules
from app.extensions import db
from app.models.admin import ROLE_ADMIN, AdminUser
from app.models.company import Company
from app.models.radar import RADAR_DISABLED, RADAR_ENABLED, RadarUser, TempUser
from app.security import hash_password, new_token
from config import TestingConfig
from tests.conftest import Api, body

# Big enough batches that, without the company lock, both threads count seats before either commits.
QUOTA = 20


@pytest.fixture
def race_app(app, tmp_path):
    """The shared test app on MariaDB; on SQLite an app on a throwaway file database."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        yield app  # conftest's _clean_db empties it afterwards
        return

    class FileConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'race.sqlite3'}"
        STATICS_DIR = app.config["STATICS_DIR"]

    file_app = create_app(FileConfig)
    with file_app.app_context():
        db.create_all()
        seed_roles(seed_rules())
        db.session.commit()
    yield file_app
    with file_app.app_context():
        db.engine.dispose()


def _setup(race_app, quota: int, temps: int, disabled: int = 0) -> tuple[SimpleNamespace, list[int], list[int]]:
    with race_app.app_context():
        company = Company(name="并发公司", mingpian_available_num=quota)
        db.session.add(company)
        db.session.flush()
        admin = AdminUser(
            login_user="race",
            password_hash=hash_password("x"),
            company_id=company.id,
            role_id=ROLE_ADMIN,
            token=new_token(),
            invite_secret=new_token(),
        )
        requests = [
            TempUser(company_id=company.id, username=f"申请{i}", wechat_phone=f"1380000{i:04d}") for i in range(temps)
        ]
        users = [
            RadarUser(
                company_id=company.id, userid=f"off{i}", username=f"停用{i}", status=RADAR_DISABLED, token=new_token()
            )
            for i in range(disabled)
        ]
        db.session.add_all([admin, *requests, *users])
        db.session.commit()
        return SimpleNamespace(id=admin.id, token=admin.token), [t.id for t in requests], [u.id for u in users]


def _run_together(race_app, admin, calls) -> list[dict]:
    """Each (path, form) in its own thread, all released at once."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, path, form):
        client = Api(race_app.test_client(), admin)
        barrier.wait()
        results[index] = body(client.post(path, form))

    threads = [threading.Thread(target=worker, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _enabled(race_app) -> int:
    with race_app.app_context():
        stmt = select(func.count()).select_from(RadarUser).where(RadarUser.status == RADAR_ENABLED)
        return db.session.scalar(stmt)


def test_two_concurrent_approvals_never_exceed_the_quota(race_app):
    admin, temp_ids, _ = _setup(race_app, QUOTA, temps=2 * QUOTA)
    path = "/zhugeleida/admin/user/approval_storage_user_info/0"
    halves = [temp_ids[:QUOTA], temp_ids[QUOTA:]]
    results = _run_together(race_app, admin, [(path, {"user_id_list": json.dumps(ids)}) for ids in halves])
    # All or nothing: the batch that takes the locks first fills the quota, the other one is refused whole.
    assert sorted(r["code"] for r in results) == [200, 403], results
    approved = [i for r in results if r["code"] == 200 for i in r["data"]["approved"]]
    assert sorted(approved) in (sorted(halves[0]), sorted(halves[1]))
    assert _enabled(race_app) == QUOTA
    with race_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TempUser)) == QUOTA


def test_concurrent_enabling_never_exceeds_the_quota(race_app):
    admin, _, user_ids = _setup(race_app, 3, temps=0, disabled=8)
    calls = [(f"/zhugeleida/admin/user/update_status/{uid}", {"status": 1}) for uid in user_ids]
    results = _run_together(race_app, admin, calls)
    codes = sorted(r["code"] for r in results)
    assert codes == [200] * 3 + [403] * 5, results
    assert _enabled(race_app) == 3
