"""Load and soak: gunicorn (gunicorn.conf.py, 2 workers) on MariaDB + Redis, a mixed read/write workload from
this process over loopback, for a fixed time (see bench/README.md, "Load and soak").

    .venv/bin/python bench/load_soak.py --duration 60      # a one-minute trial
    .venv/bin/python bench/load_soak.py --duration 600     # the 10-minute soak

1. prepares the database (created if missing; `flask db upgrade`, `flask seed`, `flask demo-data`), then
   gives every demo company some content through the API itself (products, articles, tags, plugins, speech);
2. starts `gunicorn -c gunicorn.conf.py wsgi:app` on a free loopback port, APP_ENV=production;
3. logs in as each demo company's admin (role 2) and runs `--concurrency` client threads, each picking an
   operation by weight: lists, single objects, dashboard statistics (1.5–1.7), and write cycles that
   create, update and delete products, articles, tags, cards, goods, activities (with a sign-up) and
   speech scripts — so the tables keep their size however long it runs;
4. samples the RSS of every gunicorn worker every few seconds; after a warm-up, measures for --duration;
5. writes bench/results/load-<time>.json (every figure) and .md (the summary) and prints the summary.

Errors: any HTTP status other than 200, and any envelope `code` other than 200 that is not an expected
business answer (there are none in this workload: names are unique, ids are the client's own).
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
DEFAULT_DB = "mysql+pymysql://root@127.0.0.1:3306/zhugeleida_bench_load?charset=utf8mb4"
PREFIX = "压测公司"
PASSWORD = "Bench-Load-Passw0rd"
SECRET_KEY = "bench-load-secret-key-0123456789abcdef"
EXPECTED_CODES: set[int] = set()  # envelope codes that are a normal business answer here (none)
PICTURE = "statics/zhugeleida/imgs/admin/product/bench.png"
CONTENT = {
    "cover_data": [{"type": "picture_url", "data": [PICTURE]}],
    "article_data": [{"type": "title", "data": ["标题"]}, {"type": "content", "data": ["正文" * 50]}],
}
GOODS = {
    "goods_data": [{"price": 128, "introduce": "前排", "inventory_num": 10, "person_limit_num": 2}],
    "cover_data": [{"type": "picture_url", "data": [PICTURE]}],
}
WEBSITE = [{"type": "guntu", "data": [{"picture_url": PICTURE}]}]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--duration", type=float, default=60, help="measured seconds (600 = the 10-minute soak)")
    parser.add_argument("--warmup", type=float, default=20, help="seconds of load before measuring")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's loopback port (0: a free one)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample-every", type=float, default=5, help="seconds between RSS samples")
    parser.add_argument("--companies", type=int, default=2)
    parser.add_argument("--users", type=int, default=500, help="radar users per demo company")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--no-prepare", action="store_true", help="skip step 1 (the database is ready)")
    parser.add_argument("--seed", type=int, default=1, help="the workload's random seed")
    return parser.parse_args()


# --- 1. the database ---------------------------------------------------------------------------------


def app_env(args, port: int | None = None) -> dict:
    env = {
        **os.environ,
        "APP_ENV": "production",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": SECRET_KEY,
        "FIELD_ENCRYPTION_KEY": "YmVuY2gtZmllbGQtZW5jcnlwdGlvbi1rZXktMDAwMDA=",
        "ADMIN_PASSWORD": PASSWORD,
        "STATICS_DIR": str(RESULTS / "load_statics"),
        "JOB_QUEUE_PREFIX": "zhugeleida-bench-load",
        "RATELIMIT_KEY_PREFIX": "zhugeleida-bench-load",
        "WECHAT_TOKEN_PREFIX": "zhugeleida-bench-load:wechat",
        "FLASK_APP": "wsgi",
    }
    if port is not None:
        env.update(
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS=str(args.workers),
            GUNICORN_ACCESS_LOG=str(RESULTS / "load_access.log"),
            GUNICORN_ERROR_LOG=str(RESULTS / "load_gunicorn.log"),
        )
    return env


def create_database(url: str, fresh: bool) -> None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("mysql"):
        sys.exit("the load benchmark runs on MariaDB/MySQL: pass a mysql+pymysql:// --database-url")
    name = parsed.database
    if not name or "bench" not in name:
        sys.exit(f"refusing database {name!r}: its name must contain 'bench' (it may be dropped)")
    server = create_engine(parsed.set(database=""), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        if fresh:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        conn.execute(text(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    server.dispose()


def flask(env: dict, *command: str) -> str:
    result = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", *command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"flask {' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare(args) -> dict:
    """Migrated, seeded, demo companies in place; returns what it did (seconds)."""
    started = time.perf_counter()
    create_database(args.database_url, args.fresh)
    env = app_env(args)
    flask(env, "db", "upgrade")
    flask(env, "seed")
    options = ["--companies", args.companies, "--users", args.users, "--customers", args.customers]
    options += ["--events", args.events, "--prefix", PREFIX, "--admin-password", PASSWORD, "--seed", "1"]
    demo = flask(env, "demo-data", *map(str, options))
    return {"prepare_seconds": round(time.perf_counter() - started, 1), "demo_data": demo.strip().splitlines()}


def demo_admins(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT a.login_user FROM admin_user a JOIN company c ON c.id = a.company_id "
                "WHERE c.name LIKE :prefix AND a.role_id = 2 ORDER BY c.id, a.id"
            ),
            {"prefix": PREFIX + "%"},
        )
        names = [row[0] for row in rows]
    engine.dispose()
    # One admin per company: demo-data makes exactly one, named demo<company id>.
    return [name for name in names if name.startswith("demo")]


# --- 2. gunicorn ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py <app_module>` on `port`, with app_env() plus `env` (bench/floor.py runs its
    floor app under the same settings)."""

    def __init__(self, args, port: int, app_module: str = "wsgi:app", env: dict | None = None, root: Path = ROOT):
        self.args, self.port, self.app_module, self.env, self.root = args, port, app_module, env or {}, root
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Gunicorn":
        log = (RESULTS / "load_app.log").open("ab")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", str(self.root / "gunicorn.conf.py"), self.app_module],
            cwd=self.root,
            env={**app_env(self.args, self.port), **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit("gunicorn exited: see bench/results/load_gunicorn.log")
            if self._healthy() and len(self.workers()) == self.args.workers:
                return
            time.sleep(0.5)
        sys.exit("gunicorn did not become healthy within 60 s")

    def _healthy(self) -> bool:
        try:
            return requests.get(self.base + "/healthz", timeout=10).status_code == 200
        except requests.RequestException:  # still booting: the socket is bound before the workers serve
            return False

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return sorted(int(pid) for pid in children.read_text().split())
        except FileNotFoundError:
            return []

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


# --- 3. the client -------------------------------------------------------------------------------------


class Recorder:
    """Every measured request: (operation, seconds, HTTP status, envelope code)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.measuring = False
        self.samples: list[tuple[str, float, int, int | None]] = []
        self.errors: dict[str, int] = defaultdict(int)
        self.error_examples: list[str] = []

    def add(self, name: str, seconds: float, status: int, code: int | None, msg: str = "") -> None:
        if not self.measuring:
            return
        with self.lock:
            self.samples.append((name, seconds, status, code))
            if status != 200 or (code != 200 and code not in EXPECTED_CODES):
                self.errors[f"{name} HTTP {status} code {code}"] += 1
                if len(self.error_examples) < 20:
                    self.error_examples.append(f"{name}: HTTP {status} code {code} {msg[:200]}")


class Client:
    """One admin's signed session (rand_str = md5(timestamp + token), docs/security.md)."""

    def __init__(self, base: str, session: dict, recorder: Recorder):
        self.base, self.recorder, self.session = base, recorder, session
        self.user_id, self.token, self.company_id = session["user_id"], session["token"], session["company_id"]
        self.http = requests.Session()  # one connection per client thread (keep-alive)

    @staticmethod
    def login(base: str, login_user: str) -> dict:
        """1.0 login: the admin's user_id, token and company_id."""
        form = {"username": login_user, "password": PASSWORD}
        answer = requests.post(base + "/zhugeleida/admin/login", data=form, timeout=30).json()
        if answer["code"] != 200:
            sys.exit(f"login {login_user}: {answer}")
        return answer["data"]

    def signed(self, query: dict | None) -> dict:
        # A fresh timestamp per request (the server refuses a write whose signature it has seen before).
        self.last_ts = max(int(time.time() * 1000), getattr(self, "last_ts", 0) + 1)
        ts = str(self.last_ts)
        return {**(query or {}), "timestamp": ts, "user_id": self.user_id, "rand_str": md5(ts + self.token)}

    def call(self, name: str, method: str, path: str, query=None, form=None) -> dict:
        started = time.perf_counter()
        try:
            response = self.http.request(
                method, self.base + "/zhugeleida/admin" + path, params=self.signed(query), data=form, timeout=60
            )
        except requests.RequestException as err:
            self.recorder.add(name, time.perf_counter() - started, 0, None, repr(err))
            return {}
        elapsed = time.perf_counter() - started
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        self.recorder.add(name, elapsed, response.status_code, payload.get("code"), payload.get("msg", ""))
        return payload

    def get(self, name, path, query=None) -> dict:
        return self.call(name, "GET", path, query)

    def post(self, name, path, form=None, query=None) -> dict:
        return self.call(name, "POST", path, query, form)


def md5(value: str) -> str:
    return hashlib.md5(value.encode()).hexdigest()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def ids(payload: dict, key: str = "id") -> list[int]:
    data = payload.get("data") or {}
    rows = data.get("ret_data") or data.get("otherList") or []
    return [row[key] for row in rows if key in row]


class Workload:
    """The operations and their weights; `setup` gives the company the content the reads need."""

    def __init__(self, client: Client, rng: random.Random):
        self.c, self.rng = client, rng
        self.products: list[int] = []
        self.articles: list[int] = []
        self.groups: list[int] = []

    # --- content the reads need (created once per company, through the API) ---

    def setup(self) -> None:
        c = self.c
        have = c.get("setup", "/product/product_list", {"product_type": 1, "length": 100})
        for _ in range(max(0, 40 - (have.get("data") or {}).get("data_count", 0))):
            c.post("setup", "/product/add/0", self._product_form(), {"product_type": 1})
        tags = ids(c.get("setup", "/article_tag", {"length": 100}))
        for _ in range(max(0, 10 - len(tags))):
            c.post("setup", "/article_tag/add/0", {"tag_name": unique("标签")})
        tags = ids(c.get("setup", "/article_tag", {"length": 100}))
        have = c.get("setup", "/article/myarticle_list", {"length": 100})
        for n in range(max(0, 30 - (have.get("data") or {}).get("data_count", 0))):
            form = self._article_form(tags[n % len(tags) : n % len(tags) + 2])
            c.post("setup", "/article/add/0", form)
        for path, form in (
            ("/plugin_mingpian", lambda: {"name": "分类", "username": unique("名片"), "position": "销售"}),
            ("/plugin_goods", lambda: {"title": unique("商品"), "content": json.dumps(GOODS)}),
            ("/plugin_report", lambda: {"title": unique("活动"), "ad_slogan": "欢迎"}),
        ):
            have = c.get("setup", path, {"length": 100})
            for _ in range(max(0, 10 - (have.get("data") or {}).get("data_count", 0))):
                c.post("setup", path + "/add/0", form())
        groups = c.get("setup", "/talkGroupManageShow", {"length": 100})
        for _ in range(max(0, 5 - (groups.get("data") or {}).get("objsCount", 0))):
            group = c.post(
                "setup", "/talkGroupManageOper/add/0", {"groupName": unique("分组"), "userProfile": c.user_id}
            )
            for _ in range(10):
                form = {"contentWords": unique("话术"), "talkGroupName": group["data"]["id"]}
                c.post("setup", "/speechDetailsManageOper/add/0", form)
        self.refresh()
        if not (self.products and self.articles and self.tags and self.groups):
            sys.exit(f"setup of company {c.company_id} failed: products, articles, tags or talk groups missing")

    def refresh(self) -> None:
        c = self.c
        products = c.get("setup", "/product/product_list", {"product_type": 1, "length": 100})
        self.products = ids(products, "product_id")
        self.articles = ids(c.get("setup", "/article/myarticle_list", {"length": 100}))
        self.tags = ids(c.get("setup", "/article_tag", {"length": 100}))
        self.groups = ids(c.get("setup", "/talkGroupManageShow", {"length": 100}))

    def _product_form(self) -> dict:
        return {"name": unique("产品"), "price": "280-1280", "reason": "值得推荐", "content": json.dumps(CONTENT)}

    def _article_form(self, tags: list[int]) -> dict:
        return {
            "title": unique("文章"),
            "summary": "摘要",
            "content": "<p>" + "正文" * 200 + "</p>",
            "tags_id_list": json.dumps(tags),
            "status": 1,
        }

    # --- reads ---

    def product_list(self):
        self.c.get("list: 2.1 product_list", "/product/product_list", {"product_type": self.rng.choice([1, 2])})

    def product_single(self):
        query = {"product_id": self.rng.choice(self.products), "product_type": 1}
        self.c.get("single: 2.2 product_single", "/product/product_single", query)

    def article_list(self):
        self.c.get("list: 9.1 myarticle_list", "/article/myarticle_list", {"order": "-create_date"})

    def article_single(self):
        self.c.get("single: 9.2 myarticle", f"/article/myarticle/{self.rng.choice(self.articles)}")

    def radar_users(self):
        query = self.rng.choice([{}, {"length": 50}, {"username": self.rng.choice("王李张刘陈")}])
        self.c.get("list: 1.4 user", "/user", query)

    def temp_users(self):
        self.c.get("list: 5.9.3 temp users", "/user", {"type": "temp_user"})

    def plugin_lists(self):
        path = self.rng.choice(["/plugin_mingpian", "/plugin_report", "/plugin_goods"])
        self.c.get(f"list: 8.x {path[1:]}", path)

    def other_lists(self):
        name, path = self.rng.choice(
            [
                ("list: 10.1 article_tag", "/article_tag"),
                ("list: 17.4 talk groups", "/talkGroupManageShow"),
                ("list: 17.8 speech details", "/speechDetailsManageShow"),
                ("list: 2.7 feedback_list", "/product/feedback_list"),
                ("list: 5.1 admin users", "/admin_userprofile"),
                ("list: 7.1.1 company", "/company"),
            ]
        )
        self.c.get(name, path)

    def website(self):
        self.c.get("single: 6.1 website", "/website")

    def login_rules(self):
        self.c.get("single: 1.2 login_rules", "/login_rules")

    # --- statistics ---

    def home_page(self):
        self.c.get("stats: 1.5 home_page", "/home_page")

    def account_data(self):
        self.c.get("stats: 1.6 acount_data", "/home_page/acount_data")

    def line_info(self):
        form = {"days": self.rng.choice([7, 30]), "index_type": self.rng.randint(1, 6)}
        self.c.post("stats: 1.7 line_info", "/home_page/line_info", form)

    # --- write cycles (create, update, delete: the tables keep their size) ---

    def product_cycle(self):
        c = self.c
        created = c.post("write: 2.3 product add", "/product/add/0", self._product_form(), {"product_type": 1})
        new = (created.get("data") or {}).get("id")
        if new is None:
            return
        c.post("write: 2.4 product update", f"/product/update/{new}", self._product_form())
        c.post("write: 2.5 product change_status", f"/product/change_status/{new}", {"status": 2})
        c.post("write: 2.9 recommend_index", f"/product/recommend_index/{new}", {"index": self.rng.randint(0, 10)})
        c.post("write: 2.4 product delete", f"/product/delete/{new}")

    def product_update(self):
        """An update of one of the company's standing products (its name stays unique)."""
        self.c.post(
            "write: 2.9 recommend_index", f"/product/recommend_index/{self.rng.choice(self.products)}", {"index": 5}
        )

    def article_cycle(self):
        c = self.c
        created = c.post("write: 9.3 article add", "/article/add/0", self._article_form(self.rng.sample(self.tags, 2)))
        rows = created.get("data") or []
        if not rows:
            return
        new = rows[0]["id"]
        c.post("write: 9.4 article update", f"/article/update/{new}", {"title": unique("文章"), "content": "<p>改</p>"})
        c.post("write: 9.5 article delete", f"/article/delete/{new}")

    def tag_cycle(self):
        c = self.c
        created = c.post("write: 10.2 tag add", "/article_tag/add/0", {"tag_name": unique("标签")})
        rows = created.get("data") or []
        if not rows:
            return
        new = rows[0]["tag_id"] if "tag_id" in rows[0] else rows[0].get("id")
        c.post("write: 10.3 tag update", f"/article_tag/update/{new}", {"tag_name": unique("标签")})
        c.post("write: 10.4 tag delete", f"/article_tag/delete/{new}")

    def plugin_cycle(self):
        c = self.c
        kind = self.rng.choice(["mingpian", "goods", "report"])
        if kind == "mingpian":
            form = {"name": "分类", "username": unique("名片"), "position": "销售"}
            update = {"username": unique("名片")}
        elif kind == "goods":
            form = {"title": unique("商品"), "content": json.dumps(GOODS)}
            update = {"title": unique("商品")}
        else:
            form = {"title": unique("活动"), "ad_slogan": "欢迎"}
            update = {"title": unique("活动")}
        created = c.post(f"write: 8.x {kind} add", f"/plugin_{kind}/add/0", form)
        new = (created.get("data") or {}).get("id")
        if new is None:
            return
        c.post(f"write: 8.x {kind} update", f"/plugin_{kind}/update/{new}", update)
        if kind == "report":
            phone = f"139{self.rng.randrange(10**8):08d}"
            form = {"customer_name": "报名人", "phone": phone, "leave_message": "留言"}
            c.post("write: 8.9 sign_up_activity", f"/plugin_report/sign_up_activity/{new}", form)
        c.post(f"write: 8.x {kind} delete", f"/plugin_{kind}/delete/{new}")

    def speech_cycle(self):
        c = self.c
        group = self.rng.choice(self.groups)
        created = c.post(
            "write: 17.5 speech add", "/speechDetailsManageOper/add/0", {"contentWords": "您好", "talkGroupName": group}
        )
        new = (created.get("data") or {}).get("id")
        if new is None:
            return
        form = {"contentWords": unique("话术"), "talkGroupName": group}
        c.post("write: 17.6 speech update", f"/speechDetailsManageOper/update/{new}", form)
        c.get("write: 17.7 speech delete", f"/speechDetailsManageOper/delete/{new}")

    def website_edit(self):
        form = {"website_content": json.dumps(WEBSITE)}
        self.c.post("write: 6.2 website edit", f"/website/edit/{self.c.company_id}", form)

    def operations(self) -> list[tuple[int, object]]:
        """(weight, operation): about 65% of the requests read, 10% statistics, 25% write."""
        return [
            (10, self.product_list),
            (10, self.product_single),
            (8, self.article_list),
            (8, self.article_single),
            (8, self.radar_users),
            (2, self.temp_users),
            (6, self.plugin_lists),
            (8, self.other_lists),
            (3, self.website),
            (3, self.login_rules),
            (4, self.home_page),
            (3, self.account_data),
            (4, self.line_info),
            (2, self.product_cycle),
            (3, self.product_update),
            (1, self.article_cycle),
            (1, self.tag_cycle),
            (1, self.plugin_cycle),
            (1, self.speech_cycle),
            (1, self.website_edit),
        ]


def run_thread(workload: Workload, stop: threading.Event) -> None:
    weights, operations = zip(*[(w, op) for w, op in workload.operations()], strict=True)
    while not stop.is_set():
        workload.rng.choices(operations, weights)[0]()


# --- 4. measuring -----------------------------------------------------------------------------------


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def summarise(samples, seconds: float) -> dict:
    times = sorted(s[1] * 1000 for s in samples)
    return {
        "requests": len(times),
        "rps": round(len(times) / seconds, 1) if seconds else 0,
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "max_ms": round(times[-1], 1) if times else 0,
        "mean_ms": round(statistics.fmean(times), 1) if times else 0,
    }


def run(args) -> dict:
    RESULTS.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(RESULTS / "load_statics", ignore_errors=True)
    for log in ("load_app.log", "load_access.log", "load_gunicorn.log"):  # this run's logs only
        (RESULTS / log).unlink(missing_ok=True)
    prepared = {} if args.no_prepare else prepare(args)
    admins = demo_admins(args.database_url)[: args.companies]
    port = args.port or free_port()
    server = Gunicorn(args, port).start()
    recorder = Recorder()
    rss_series: list[dict] = []
    try:
        sessions = [Client.login(server.base, login) for login in admins]
        for n, session in enumerate(sessions):
            Workload(Client(server.base, session, recorder), random.Random(f"{args.seed}:setup:{n}")).setup()
        workloads = []
        for n in range(args.concurrency):
            workload = Workload(
                Client(server.base, sessions[n % len(sessions)], recorder), random.Random(f"{args.seed}:{n}")
            )
            workload.refresh()
            workloads.append(workload)
        stop = threading.Event()
        threads = [threading.Thread(target=run_thread, args=(w, stop), daemon=True) for w in workloads]
        for thread in threads:
            thread.start()
        time.sleep(args.warmup)
        workers = server.workers()
        load_before = os.getloadavg()
        started = time.monotonic()
        recorder.measuring = True
        while (elapsed := time.monotonic() - started) < args.duration:
            rss_series.append({"t": round(elapsed, 1), **{str(pid): rss_kib(pid) for pid in server.workers()}})
            time.sleep(min(args.sample_every, max(0.0, args.duration - elapsed)))
        recorder.measuring = False
        measured = time.monotonic() - started
        load_after = os.getloadavg()
        rss_series.append({"t": round(measured, 1), **{str(pid): rss_kib(pid) for pid in server.workers()}})
        stop.set()
        for thread in threads:
            thread.join(timeout=70)
        workers_after = server.workers()
    finally:
        server.stop()
    host = {"cpus": os.cpu_count(), "loadavg_start": load_before, "loadavg_end": load_after}
    return report(args, prepared, recorder, measured, workers, workers_after, rss_series, host)


def report(args, prepared, recorder, measured, workers, workers_after, rss_series, host) -> dict:
    samples = recorder.samples
    by_op: dict[str, list] = defaultdict(list)
    by_kind: dict[str, list] = defaultdict(list)
    for sample in samples:
        by_op[sample[0]].append(sample)
        by_kind[sample[0].split(":", 1)[0]].append(sample)
    rss = {}
    for pid in map(str, workers):
        values = [row[pid] for row in rss_series if row.get(pid) is not None]
        if values:
            rss[pid] = {"start_kib": values[0], "end_kib": values[-1], "max_kib": max(values)}
    return {
        "when": datetime.now().isoformat(timespec="seconds"),
        "options": {k: v for k, v in vars(args).items() if k != "database_url"},
        "database": make_url(args.database_url).render_as_string(hide_password=True),
        "prepare": prepared,
        "measured_seconds": round(measured, 1),
        "host": host,
        "total": summarise(samples, measured),
        "errors": sum(recorder.errors.values()),
        "errors_by_kind": dict(recorder.errors),
        "error_examples": recorder.error_examples,
        "by_kind": {kind: summarise(rows, measured) for kind, rows in sorted(by_kind.items())},
        "by_operation": {op: summarise(rows, measured) for op, rows in sorted(by_op.items())},
        "workers": workers,
        "workers_after": workers_after,
        "workers_restarted": workers != workers_after,
        "rss": rss,
        "rss_series": rss_series,
    }


def markdown(result: dict) -> str:
    total = result["total"]
    lines = [
        f"# Load and soak — {result['when']}",
        "",
        f"{result['measured_seconds']} s measured after {result['options']['warmup']} s warm-up; "
        f"{result['options']['concurrency']} client threads; gunicorn {result['options']['workers']} workers; "
        f"{result['database']}; {result['host']['cpus']} CPUs, load average "
        f"{result['host']['loadavg_start'][0]:.2f} at the start, {result['host']['loadavg_end'][0]:.2f} at the end.",
        "",
        f"**{total['requests']} requests, {total['rps']} req/s, p50 {total['p50_ms']} ms, p95 {total['p95_ms']} ms, "
        f"p99 {total['p99_ms']} ms, max {total['max_ms']} ms; errors: {result['errors']}**",
        "",
        "| kind | requests | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, s in result["by_kind"].items():
        lines.append(
            f"| {kind} | {s['requests']} | {s['rps']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | {s['max_ms']} |"
        )
    lines += ["", "| operation | requests | p50 ms | p95 ms | p99 ms |", "| --- | ---: | ---: | ---: | ---: |"]
    for op, s in result["by_operation"].items():
        lines.append(f"| {op} | {s['requests']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} |")
    lines += ["", "| worker pid | RSS start MiB | RSS end MiB | max MiB |", "| --- | ---: | ---: | ---: |"]
    for pid, r in result["rss"].items():
        lines.append(f"| {pid} | {r['start_kib'] / 1024:.1f} | {r['end_kib'] / 1024:.1f} | {r['max_kib'] / 1024:.1f} |")
    lines.append(f"\nWorkers restarted during the run: {'yes' if result['workers_restarted'] else 'no'}.")
    if result["errors"]:
        lines += ["", "Errors:", *[f"- {example}" for example in result["error_examples"]]]
    return "\n".join(lines) + "\n"


def main() -> None:
    args = parse_args()
    result = run(args)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"load-{stamp}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    summary = markdown(result)
    (RESULTS / f"load-{stamp}.md").write_text(summary)
    print(summary)


if __name__ == "__main__":
    main()
