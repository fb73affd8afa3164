"""Schemathesis against the app in-process (WSGI), every operation of /openapi.json, signed requests.

Each operation is one test on a fresh database holding a small world: a company linked to the sandbox corp,
a super admin (role 1) of it, a radar user, a customer and a row of most kinds (ids 1, 2, … exist, so
generated ids hit real rows). A `before_call` hook signs every generated request as the operation's principal
(`x-principal` of the description): `rand_str = md5(timestamp + token)`, the token read afresh (a generated
modify_password rotates it), the principal re-enabled if a generated call disabled it. WeChat is the sandbox
of tests/fixtures/wechat.py: nothing leaves the machine.

Checks: no 5xx, status code, content type and body conform to the description.
Phases: SCHEMATHESIS_PHASES (default examples,coverage,fuzzing on SQLite; examples,fuzzing on MariaDB).
Examples per operation: SCHEMATHESIS_MAX_EXAMPLES (default 20 on SQLite, 8 on MariaDB); the generated cases
are counted and `test_generated_cases_total` asserts ≥ SCHEMATHESIS_MIN_CASES (default 5,000 on SQLite, one per
operation on MariaDB). The operations are spread over pytest-xdist's worker processes: each process writes its
tally to a file in the run's shared temporary directory, and the total (handed out last) adds them up once every
operation has been counted.
"""

import hashlib
import json
import os
import time
import zlib
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select, update

from app import create_app
from app.extensions import db
from app.models.admin import ROLE_SUPERADMIN, STATUS_ENABLED, AdminUser
from app.models.article import STATUS_PUBLISHED
from app.models.radar import Customer, RadarUser
from app.openapi import build_spec
from config import TestingConfig
from tests.conftest import fresh_timestamp, xdist_worker
from tests.fixtures import one_commit
from tests.fixtures.wechat import CODE_TEMPLATES, GZH_APPID, XCX_APPID

ON_MYSQL = (os.environ.get("TEST_DATABASE_URL") or "").startswith("mysql")
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES") or (8 if ON_MYSQL else 20))
# The coverage phase (boundary values, missing fields, other methods: about 7,000 cases) runs on SQLite.
PHASES = os.environ.get("SCHEMATHESIS_PHASES") or ("examples,fuzzing" if ON_MYSQL else "examples,coverage,fuzzing")
MIN_CASES = os.environ.get("SCHEMATHESIS_MIN_CASES")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# The description depends only on the URL map: built from an app of the same configuration at collection.
schema = schemathesis.openapi.from_dict(build_spec(create_app(TestingConfig)))
schema.config.phases.update(phases=PHASES.split(","))
OPERATION_COUNT = sum(1 for _ in schema.get_all_operations())
# At least one case per operation (a short MariaDB run), 5,000 in all on SQLite.
MIN_CASES = int(MIN_CASES) if MIN_CASES else (OPERATION_COUNT if ON_MYSQL else 5000)
RUN = {"cases": 0, "operations": 0, "signers": {}, "known": {}}
TALLY_STALL = 300  # seconds without a new operation counted anywhere after which the total gives up waiting
MODELS = {"admin": AdminUser, "invite": AdminUser, "radar_user": RadarUser, "customer": Customer}


@schemathesis.hook
def before_call(context, case, kwargs):
    """Signs every generated request as the principal the description names for its operation; about half
    the generated ids and appids that name a row of the world are swapped for a real one (deeper paths)."""
    principal = case.operation.definition.raw.get("x-principal", "public")
    if isinstance(case.query, dict):
        case.query = known_values(case.query)
    if isinstance(case.body, dict):
        case.body = known_values(case.body)
    if principal != "public" and RUN["signers"]:
        case.query = {**(case.query or {}), **signature(principal)}


def known_values(values: dict) -> dict:
    """A deterministic half of the values of known names replaced (the choice depends on the generated value)."""
    known = RUN["known"]
    return {
        name: known[name] if name in known and zlib.crc32(repr(value).encode()) % 2 else value
        for name, value in values.items()
    }


def signature(principal: str) -> dict:
    app, user_id = RUN["signers"][principal]
    model = MODELS[principal]
    table = model.__table__
    # Keep the signer usable: a generated call may have disabled it (or changed the admin's role). Two statements
    # on a connection of their own, committed (no session: this runs before every generated request).
    values = {"status": STATUS_ENABLED, **({"role_id": ROLE_SUPERADMIN} if model is AdminUser else {})}
    secret_column = table.c.invite_secret if principal == "invite" else table.c.token
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(update(table).where(table.c.id == user_id).values(**values))
        secret = connection.execute(select(secret_column).where(table.c.id == user_id)).scalar_one()
    timestamp = fresh_timestamp()
    rand_str = hashlib.md5((timestamp + secret).encode()).hexdigest()
    return {"rand_str": rand_str, "timestamp": timestamp, "user_id": str(user_id)}


@pytest.fixture
def world(request, app, make, radar, pa_make, content_factory, linked_company, platform, h5_sandbox, monkeypatch):
    """The rows every operation may find, and the signers of each principal kind; for the third-party platform's
    and the H5 pages' operations, the company's mini-program and official account authorised too."""
    # Generated logins, scan-to-join submissions and uploads are many per second: let them reach the views.
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "100000 per minute")
    monkeypatch.setitem(app.config, "SCAN_JOIN_RATE_LIMIT", "100000 per minute")
    monkeypatch.setitem(app.config, "UPLOAD_RATE_LIMIT", "100000 per minute")
    monkeypatch.setitem(app.config, "UPLOAD_MERGE_RATE_LIMIT", "100000 per minute")
    company = linked_company
    with one_commit():
        admin = make.superadmin(company, login_user="fuzz-admin")
        user = radar.user(company)
        customer = radar.customer(company)
        tag = pa_make.tag(company)
        article = pa_make.article(admin, tags=[tag], status=STATUS_PUBLISHED)
        pa_make.activity(admin)
        pa_make.card(admin)
        pa_make.goods(admin)
        group = pa_make.group(admin)
        pa_make.speech(group)
        product = content_factory.product(company)
        content_factory.product(owner=user)
        content_factory.feedback(user)
        content_factory.template(name="模板")
        radar.temp_user(company, inviter=admin)
        relation = radar.relation(user, customer)
        radar.follow(relation)
    known = {}
    if any(area in request.node.name for area in ("xcx", "open_weixin", "gzh", "gongzhonghao", "qr_code")):
        mini_program = platform.authorized_xcx(make, company=company)[2]
        h5_sandbox.add_authorizer(GZH_APPID, "official", nick_name="诸葛雷达公众号", service_type=2)
        assert platform.grant(admin, GZH_APPID, kind="gzh")["code"] == 200
        known = {"app_ids_list": json.dumps([mini_program.id]), "template_id": CODE_TEMPLATES[0]["template_id"]}
    RUN["known"] = known | {
        "appid": GZH_APPID,
        "authorization_appid": XCX_APPID,
        "article_id": article.id,
        "uid": user.id,
        "company_id": company.id,
        "user_id": user.id,
        "product_id": product.id,
        "talkGroupName": group.id,
        "userProfile": admin.id,
        "owner_id": user.id,
    }
    signers = {"admin": admin, "invite": admin, "radar_user": user, "customer": customer}
    yield {"signers": {kind: (app, who.id) for kind, who in signers.items()}, "company": company}
    RUN["signers"], RUN["known"] = {}, {}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api(case, tally, app, world):
    RUN["cases"] += 1
    RUN["signers"] = world["signers"]
    case.call_and_validate(app=app, checks=CHECKS)


@pytest.fixture(scope="session")
def tallies(tmp_path_factory, pytestconfig) -> Path:
    """The directory of this run's tallies, one file per process: under pytest-xdist the workers' temporary
    directories share a parent, the run's."""
    base = tmp_path_factory.getbasetemp()
    directory = (base.parent if xdist_worker(pytestconfig) is not None else base) / "schemathesis-tallies"
    directory.mkdir(exist_ok=True)
    return directory


@pytest.fixture
def tally(tallies):
    """After each operation (passed or not), this process's operations and cases so far, in its file."""
    yield
    RUN["operations"] += 1
    path = tallies / f"{os.getpid()}.json"
    path.with_suffix(".tmp").write_text(json.dumps({"operations": RUN["operations"], "cases": RUN["cases"]}))
    path.with_suffix(".tmp").replace(path)


def run_tally(tallies: Path) -> tuple[int, int]:
    """(operations, cases) counted so far by every process of the run, once all OPERATION_COUNT operations are,
    or when none has been counted for TALLY_STALL seconds (the other processes stopped: -x, a crash)."""
    last, since = None, time.monotonic()
    while True:
        counts = [json.loads(path.read_text()) for path in tallies.glob("*.json")]
        now = (sum(c["operations"] for c in counts), sum(c["cases"] for c in counts))
        if now[0] >= OPERATION_COUNT:
            return now
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > TALLY_STALL:
            return now
        time.sleep(0.5)


@pytest.mark.summary
def test_generated_cases_total(request, tallies):
    """Did the operations above generate enough cases (≥ 5,000 on SQLite)?"""
    ran = [item for item in request.session.items if item.originalname == "test_api"]
    if len(ran) < OPERATION_COUNT:
        pytest.skip("only part of the schemathesis operations ran")
    operations, cases = run_tally(tallies)
    if operations < OPERATION_COUNT or cases == 0:
        pytest.skip("only part of the schemathesis operations ran")
    print(f"schemathesis: {cases} cases over {OPERATION_COUNT} operations")
    assert cases >= MIN_CASES, cases
