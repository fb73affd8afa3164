"""Two app hosts, shown working: two gunicorn instances on their own ports share MariaDB, Redis and the S3
server (and one job worker); every step alternates between them (docs/operations.md, "Shared state").

Runs in .ci/run's MariaDB + Redis pass; skipped without TEST_DATABASE_URL (a server database) and TEST_REDIS_URL.
"""

import base64
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from app.models.jobs import FINISHED
from app.security import sign
from tests.conftest import PASSWORD, fresh_timestamp
from tests.fixtures.storage import S3_KEYS, free_port, s3_config
from tests.fixtures.wechat import wait_for_job
from tests.test_storage import _png

ROOT = Path(__file__).resolve().parents[1]
LOGIN = "/zhugeleida/admin/login"
UPLOAD = "/zhugeleida/public/img_upload"
MERGE = "/zhugeleida/public/img_merge"
METRICS_TOKEN = "two-hosts-metrics-token"


class Host:
    def __init__(self, name: str, env: dict, log_path: Path):
        self.name, self.port, self.log_path = name, free_port(), log_path
        self.url = f"http://127.0.0.1:{self.port}"
        metrics_dir = log_path.parent / f"{name}-metrics"
        metrics_dir.mkdir()
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        self.process = None

    def start(self) -> "Host":
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                if requests.get(self.url + "/healthz/live", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or its workers still booting
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.name} did not start:\n{self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # gunicorn's graceful shutdown
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path, **kwargs):
        return requests.get(self.url + path, timeout=15, **kwargs)

    def post(self, path, **kwargs):
        return requests.post(self.url + path, timeout=15, **kwargs)

    def metrics(self) -> dict:
        response = self.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert response.status_code == 200, response.text[:200]
        samples = {}
        for family in text_string_to_metric_families(response.text):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return samples


def _value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _signed(user_id: int, token: str) -> dict:
    ts = fresh_timestamp()
    return {"timestamp": ts, "user_id": user_id, "rand_str": sign(ts, token)}


@pytest.fixture
def cluster(app, s3_server, worker_process, tmp_path):
    config = app.config
    if not config["SQLALCHEMY_DATABASE_URI"].startswith("mysql") or not config["REDIS_URL"]:
        pytest.skip("two hosts need a shared database and Redis (TEST_DATABASE_URL, TEST_REDIS_URL)")
    import boto3

    bucket = f"zgl-2h-{uuid.uuid4().hex[:10]}"
    boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket=bucket)
    storage = {k: str(v) for k, v in s3_config(s3_server, bucket).items()}
    run = uuid.uuid4().hex[:8]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "APP_ENV": "production",  # the whole configuration from this environment, as a host reads it
        "SECRET_KEY": config["SECRET_KEY"],
        "FIELD_ENCRYPTION_KEY": config["FIELD_ENCRYPTION_KEY"],
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": config["REDIS_URL"],
        "JOB_QUEUE_PREFIX": config["JOB_QUEUE_PREFIX"],
        "RATELIMIT_KEY_PREFIX": f"zgl-2h-{run}",
        "SIGNATURE_KEY_PREFIX": f"zgl-2h-{run}:sig",
        "METRICS_TOKEN": METRICS_TOKEN,
        "LOG_LEVEL": "INFO",
        "GUNICORN_WORKERS": "2",
        "STATICS_DIR": str(tmp_path / "no-statics"),  # nothing may land on a host's disk
        "UPLOAD_CHUNK_DIR": str(tmp_path / "no-chunks"),
        **{key: config[key] for key in ("WECHAT_WORK_API_BASE", "WECHAT_API_BASE", "WECHAT_OPEN_BASE")},
        **storage,
        **S3_KEYS,
    }
    hosts = [Host(name, env, tmp_path / f"{name}.log").start() for name in ("host-a", "host-b")]
    # The worker counts its WeChat calls in host A's metrics files, as the systemd units set it up.
    worker = worker_process(**storage, PROMETHEUS_MULTIPROC_DIR=hosts[0].env["PROMETHEUS_MULTIPROC_DIR"])
    try:
        for host in hosts:
            host.wait_ready()
        yield hosts, worker, tmp_path
    finally:
        for host in hosts:
            host.stop()


def test_two_hosts_share_sessions_uploads_limits_jobs_and_metrics(cluster, make, linked_company):
    (a, b), worker, tmp_path = cluster
    admin = make.admin(linked_company, login_user="twohosts")

    # Sign in on A, call B with the token A handed out; a signature used on A is refused on B.
    signed_in = a.post(LOGIN, data={"username": "twohosts", "password": PASSWORD}).json()
    assert signed_in["code"] == 200, signed_in
    token, user_id = signed_in["data"]["token"], signed_in["data"]["user_id"]
    assert b.get("/zhugeleida/admin/login_rules", params=_signed(user_id, token)).json()["code"] == 200
    query = _signed(user_id, token)
    assert a.post("/zhugeleida/admin/article_tag/add/0", params=query, data={"tag_name": "A"}).json()["code"] == 200
    replay = b.post("/zhugeleida/admin/article_tag/add/0", params=query, data={"tag_name": "B"}).json()
    assert replay["code"] == 400 and "签名已使用" in replay["msg"]

    # The chunks of one upload go to both hosts; B merges; A serves the image from the bucket.
    image = _png()
    thirds = [image[: len(image) // 3], image[len(image) // 3 : 2 * len(image) // 3], image[2 * len(image) // 3 :]]
    for index, (host, part) in enumerate(zip((a, b, a), thirds, strict=True)):
        form = {"img_name": "a.png", "chunk": index, "timestamp": "1700000000001", "img_source": "cover_picture"}
        form["img_data"] = base64.b64encode(part).decode()
        assert host.post(UPLOAD, params=_signed(user_id, token), data=form).json()["code"] == 200
    form = {"img_name": "a.png", "timestamp": "1700000000001", "chunk_num": 3, "img_source": "cover_picture"}
    merged = b.post(MERGE, params=_signed(user_id, token), data=form).json()
    assert merged["code"] == 200, merged
    picture = merged["data"]["ret_data"]["picture_url"]
    served = a.get("/" + picture)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/png"
    assert not (tmp_path / "no-statics").exists() and not (tmp_path / "no-chunks").exists()

    # A job started on A (with a request id) is run by the worker and read on B.
    started = a.post(
        f"/zhugeleida/admin/user/sync_user_tongxunlu/{linked_company.id}",
        params=_signed(user_id, token),
        headers={"X-Request-ID": f"twohosts-{admin.id}"},
    )
    assert started.headers["X-Request-ID"] == f"twohosts-{admin.id}"
    job_id = started.json()["data"]["job_id"]
    assert wait_for_job(job_id, timeout=40).status == FINISHED, worker.log()
    status = b.get(f"/zhugeleida/admin/jobs/{job_id}", params=_signed(user_id, token)).json()
    assert status["code"] == 200 and status["data"]["status"] == FINISHED
    lines = [json.loads(line) for line in worker.log().splitlines() if line.startswith("{")]
    job_lines = [line for line in lines if line.get("job_id") == job_id]
    assert job_lines and all(line.get("request_id") == f"twohosts-{admin.id}" for line in job_lines)

    # Both hosts are ready (database, Redis, the worker's heartbeat).
    for host in (a, b):
        ready = host.get("/healthz/ready").json()
        assert ready["code"] == 200 and ready["data"]["worker"] == "ok", ready

    # The login limit counts failures on both hosts together: 10 per minute, whichever host answers.
    codes = []
    for attempt in range(12):
        host = (a, b)[attempt % 2]
        codes.append(host.post(LOGIN, data={"username": "twohosts", "password": "wrong"}).json()["code"])
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429], codes

    # Metrics: each host sums its own workers; the job counts come from the shared database.
    samples = [a.metrics(), b.metrics()]
    failures = sum(_value(s, "zhugeleida_login_failures_total", endpoint="admin.account.login") for s in samples)
    limited = sum(_value(s, "zhugeleida_rate_limited_total", endpoint="admin.account.login") for s in samples)
    assert failures == 10 and limited == 2
    for s in samples:
        assert _value(s, "zhugeleida_jobs", kind="wechat_work.sync", status=FINISHED) == 1
        assert _value(s, "zhugeleida_worker_heartbeat_age_seconds") >= 0
    wechat = {
        dict(labels)["api"]: v for (name, labels), v in samples[0].items() if name == "zhugeleida_wechat_calls_total"
    }
    assert wechat.get("cgi-bin/gettoken", 0) >= 1 and any(api.startswith("user/") for api in wechat), (
        wechat
    )  # the job's
    merges = {"endpoint": "public.upload.img_merge", "method": "POST", "status": "200"}
    assert _value(samples[1], "zhugeleida_http_request_duration_seconds_count", **merges) == 1

    # gunicorn's lines are JSON with the request id, one access line per request, no query string anywhere.
    for host in (a, b):
        log = host.log()
        assert "rand_str" not in log and token not in log
        assert all(line.startswith("{") for line in log.splitlines() if line.strip()), log[:2000]
        access = [json.loads(line) for line in log.splitlines() if line.startswith("{") and '"request"' in line]
        assert access and all(line.get("request_id") for line in access if line["msg"] == "request")
    lines = [json.loads(line) for line in a.log().splitlines() if f"twohosts-{admin.id}" in line]
    access = [line for line in lines if line["msg"] == "request"]
    assert len(access) == 1 and access[0]["path"].startswith("/zhugeleida/admin/user/sync_user_tongxunlu/")
