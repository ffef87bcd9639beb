"""The fault suite, as deployed: gunicorn (gunicorn.conf.py, 2 workers) + PostgreSQL + a
Celery worker and beat on Redis, under a steady storefront load, with four faults
injected one after another, each at a chosen moment:

  worker-kill   SIGKILL the Celery worker while an erasure is running; restarted 2 s
                later, as a supervisor (docker's restart policy) would
  pg-restart    restart PostgreSQL (pg_ctl restart -m fast) while an erasure is running
  redis-down    stop Redis for 60 s (--redis-seconds), then start it again, empty
  web-kill      SIGKILL one gunicorn worker (its master starts another)

The suite runs its own PostgreSQL cluster and Redis server on spare ports (initdb in a
temporary folder, as the `postgres` user), so restarting them disturbs nothing else on
the machine. The load: --clients storefronts, each creating a customer with two
purchase lines about once a second and asking every fourth one to be erased, each
request with an Idempotency-Key and retried with the same key on a 5xx or a dropped
connection, as a careful storefront does. Every erasure is held for a moment before
its second step (ERASURE_TEST_PAUSE), so that "while an erasure is running" exists.

Per fault it prints what clients saw (statuses, slowest request) and the seconds from
the fault's end until every job was finished (no erasure pending, running or failed,
no job waiting in the outbox). At the end it checks that nothing acknowledged was lost
or doubled: every acknowledged customer exists once (or was erased on request), every
acknowledged purchase line once, every erasure certified exactly once.
Targets: every job finished within 120 s of the fault's end; no request slower than 3 s
during a fault, except while the database itself is down.

  make faults            (about 8 minutes)
"""

import argparse
import base64
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
WEB_PORT, PG_PORT, REDIS_PORT = 8790, 5440, 6390
BASE = f"http://127.0.0.1:{WEB_PORT}"
PG = f"postgres://postgres@127.0.0.1:{PG_PORT}"
PG_BIN = next(Path("/usr/lib/postgresql").glob("*/bin"), Path("/usr/bin"))
JOBS_DONE_TARGET, SLOW_TARGET = 120.0, 3.0


def key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Services:
    """A private PostgreSQL cluster and Redis server, and the product's processes."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.pgdata = workdir / "pgdata"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"{PG}/faults",
            "KEYS_DATABASE_URL": f"{PG}/faults_keys",
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "VAULT_MASTER_KEYS": key(),
            "VAULT_INDEX_KEY": key(),
            "SECRET_KEY": "faults-" + key(),
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_FORMAT": "text",
            "ERASURE_TEST_PAUSE": "forgotten:0.5",
            "API_RATE_LIMIT": "100000/min",
        }
        self.web = self.worker = self.beat = None

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def start_postgres(self) -> None:
        if not self.pgdata.exists():
            self.pgdata.mkdir(parents=True)
            subprocess.run(["chown", "-R", "postgres", str(self.workdir)], check=True)
            self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.pgdata), "-A", "trust",
                              "-U", "postgres")  # fmt: skip
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata), "-w", "-l",
                          str(self.workdir / "pg.log"), "-o",
                          f"-p {PG_PORT} -k {self.workdir} -c listen_addresses=127.0.0.1",
                          "start")  # fmt: skip

    def restart_postgres(self) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata), "-w", "-m", "fast",
                          "restart")  # fmt: skip

    def stop_postgres(self) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata), "-m", "immediate",
                          "stop")  # fmt: skip

    def start_redis(self) -> None:
        subprocess.run(
            ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port",
             str(REDIS_PORT), "--save", "", "--appendonly", "no", "--dir", str(self.workdir),
             "--logfile", str(self.workdir / "redis.log")],
            check=True,
        )  # fmt: skip
        wait_for(lambda: self.redis_up(), 10)

    def stop_redis(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def redis_up(self) -> bool:
        answer = subprocess.run(
            ["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True, text=True
        )
        return answer.stdout.strip() == "PONG"

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=self.env, check=True,
            capture_output=True, text=True,
        ).stdout  # fmt: skip

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        out = (self.workdir / f"{name}.log").open("ab")
        return subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=out, stderr=out, start_new_session=True
        )

    def start_web(self) -> None:
        self.web = self._spawn("web", [PY, "-m", "gunicorn", "crm_project.wsgi", "-c",
                                       "gunicorn.conf.py", "--bind", f"127.0.0.1:{WEB_PORT}",
                                       "--workers", "2"])  # fmt: skip
        wait_for(lambda: get_ok(f"{BASE}/healthz"), 30)

    def start_worker(self) -> None:
        self.worker = self._spawn("worker", [PY, "-m", "celery", "-A", "crm_project", "worker",
                                             "--concurrency=2", "--loglevel=INFO"])  # fmt: skip

    def start_beat(self) -> None:
        self.beat = self._spawn("beat", [PY, "-m", "celery", "-A", "crm_project", "beat",
                                         "--loglevel=INFO", "--schedule",
                                         str(self.workdir / "beat-schedule")])  # fmt: skip

    def kill_worker(self) -> None:
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)

    def kill_one_web_worker(self) -> None:
        children = subprocess.run(
            ["pgrep", "-P", str(self.web.pid)], capture_output=True, text=True
        ).stdout.split()
        os.kill(int(children[0]), signal.SIGKILL)

    def stop_all(self) -> None:
        for process in (self.web, self.worker, self.beat):
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        self.stop_redis()
        self.stop_postgres()


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except Exception:  # noqa: S110 (a service coming back answers errors first)
            pass
        time.sleep(0.2)
    return False


def get_ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@dataclass
class Observed:
    """One request as a client saw it."""

    at: float
    seconds: float
    status: int  # 0: no answer (connection refused or dropped)


@dataclass
class Ledger:
    """What the storefronts were told was stored."""

    customers: dict[str, str] = field(default_factory=dict)  # external id -> customer id
    lines: set[tuple[str, str]] = field(default_factory=set)  # (order id, sku)
    erasures: dict[str, str] = field(default_factory=dict)  # customer id -> request id
    seen: list[Observed] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Storefront:
    def __init__(self, api_key: str, ledger: Ledger, stop: threading.Event):
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Api-Key {api_key}"
        self.ledger, self.stop = ledger, stop

    def post(self, path: str, body=None) -> requests.Response | None:
        """POST with an Idempotency-Key, retried with the same key until answered."""
        idempotency_key = uuid.uuid4().hex
        for _attempt in range(120):
            started = time.monotonic()
            try:
                answer = self.session.post(
                    f"{BASE}{path}", json=body,
                    headers={"Idempotency-Key": idempotency_key}, timeout=30,
                )  # fmt: skip
                status = answer.status_code
            except requests.RequestException:
                answer, status = None, 0
            with self.ledger.lock:
                self.ledger.seen.append(Observed(started, time.monotonic() - started, status))
            if answer is not None and answer.status_code < 500:
                return answer
            time.sleep(1)
        return None

    def run(self, number: int) -> None:
        made = 0
        while not self.stop.is_set():
            started = time.monotonic()
            external_id = f"fault-{number}-{made}"
            created = self.post("/api/v1/customers/", {
                "external_id": external_id, "email": f"{external_id}@example.com",
                "full_name": "Fault Suite", "consents": {"account": True},
            })  # fmt: skip
            if created is not None and created.status_code == 201:
                customer_id = created.json()["id"]
                with self.ledger.lock:
                    self.ledger.customers[external_id] = customer_id
                order = f"o-{external_id}"
                lines = [{"customer": customer_id, "order_id": order, "sku": sku,
                          "quantity": 1, "unit_price": "5.00",
                          "purchased_at": "2026-11-20T10:00:00Z"}
                         for sku in ("FS-1", "FS-2")]  # fmt: skip
                bought = self.post("/api/v1/purchases/", lines)
                if bought is not None and bought.status_code == 201:
                    with self.ledger.lock:
                        self.ledger.lines.update((order, line["sku"]) for line in lines)
                if made % 4 == 0:
                    erased = self.post(f"/api/v1/customers/{customer_id}/erasure/")
                    if erased is not None and erased.status_code in (200, 202):
                        with self.ledger.lock:
                            self.ledger.erasures[customer_id] = erased.json()["id"]
            made += 1
            time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))


def query(sql: str, params=()) -> list[tuple]:
    with psycopg.connect(f"{PG}/faults", connect_timeout=3) as connection:
        return connection.execute(sql, params).fetchall()


def jobs_left() -> int:
    """Erasures not finished, and jobs due but not handed to the broker."""
    erasures = query("SELECT count(*) FROM disposal_erasurerequest WHERE status <> 'done'")[0][0]
    waiting = query(
        "SELECT count(*) FROM outbox_job WHERE dispatched_at IS NULL AND available_at <= now()"
    )[0][0]
    return erasures + waiting


def erasure_running() -> bool:
    return bool(query("SELECT 1 FROM disposal_erasurerequest WHERE status = 'running' LIMIT 1"))


@dataclass
class Outcome:
    name: str
    started: float
    ended: float
    finished_after: float | None = None


def inject(name: str, services: Services, redis_seconds: float) -> Outcome:
    if name in ("worker-kill", "pg-restart"):
        wait_for(erasure_running, 30)
    started = time.monotonic()
    if name == "worker-kill":
        services.kill_worker()
        time.sleep(2)
        services.start_worker()
    elif name == "pg-restart":
        services.restart_postgres()
    elif name == "redis-down":
        services.stop_redis()
        time.sleep(redis_seconds)
        services.start_redis()
    elif name == "web-kill":
        services.kill_one_web_worker()
    outcome = Outcome(name, started, time.monotonic())
    log(f"{name}: injected, {outcome.ended - started:.1f} s")
    return outcome


def report(outcomes: list[Outcome], ledger: Ledger) -> bool:
    ok = True
    print("\n| fault | requests during the fault | statuses | slowest | jobs finished after |")
    print("|---|---|---|---|---|")
    for outcome in outcomes:
        window = [o for o in ledger.seen if outcome.started - 1 <= o.at <= outcome.ended + 5]
        statuses = Counter("no answer" if o.status == 0 else str(o.status) for o in window)
        slowest = max((o.seconds for o in window), default=0.0)
        finished = outcome.finished_after
        shown = f"{finished:.0f} s" if finished is not None else "NOT within the wait"
        print(f"| {outcome.name} | {len(window)} | "
              f"{', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))} | "
              f"{slowest:.2f} s | {shown} |")  # fmt: skip
        if finished is None or finished > JOBS_DONE_TARGET:
            ok = False
        if slowest > SLOW_TARGET and outcome.name != "pg-restart":
            ok = False
    return ok


def check_ledger(ledger: Ledger, api_key: str) -> bool:
    """Nothing acknowledged lost or doubled; every erasure certified once."""
    session = requests.Session()
    session.headers["Authorization"] = f"Api-Key {api_key}"
    lost = doubled = 0
    for customer_id in ledger.customers.values():
        status = session.get(f"{BASE}/api/v1/customers/{customer_id}/", timeout=30).status_code
        expected = 404 if customer_id in ledger.erasures else 200
        lost += status != expected
    alive = len(ledger.customers) - len(ledger.erasures)
    stored = query("SELECT count(*) FROM customers_customer")[0][0]
    doubled += max(0, stored - alive)
    lines = query(
        "SELECT l.order_id, p.sku, count(*) FROM customers_purchase l "
        "JOIN customers_product p ON p.id = l.product_id GROUP BY 1, 2"
    )
    by_line = {(order, sku): count for order, sku, count in lines}
    erased_orders = {f"o-{ext}" for ext, cid in ledger.customers.items() if cid in ledger.erasures}
    kept_lines = {line for line in ledger.lines if line[0] not in erased_orders}
    lines_lost = sum(1 for line in kept_lines if by_line.get(line, 0) == 0)
    lines_doubled = sum(1 for count in by_line.values() if count > 1)
    certificates = dict(
        query(
            "SELECT r.id::text, count(d.id) FROM disposal_erasurerequest r "
            "LEFT JOIN disposal_disposalrecord d ON d.erasure_request_id = r.id GROUP BY r.id"
        )
    )
    uncertified = sum(1 for rid in ledger.erasures.values() if certificates.get(rid) != 1)
    extra_requests = len(certificates) - len(set(ledger.erasures.values()))
    print(f"\nacknowledged: {len(ledger.customers)} customers, {len(ledger.lines)} purchase lines, "
          f"{len(ledger.erasures)} erasures; requests made: {len(ledger.seen)}")  # fmt: skip
    print(f"customers lost or wrongly present: {lost}; customers doubled: {doubled}")
    print(f"purchase lines lost: {lines_lost}; doubled: {lines_doubled}")
    print(f"erasures not certified exactly once: {uncertified}; "
          f"erasure requests nobody acknowledged: {extra_requests}")  # fmt: skip
    return not (lost or doubled or lines_lost or lines_doubled or uncertified or extra_requests)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--redis-seconds", type=float, default=60.0)
    parser.add_argument("--settle", type=float, default=20.0, help="load between faults (s)")
    parser.add_argument("--faults", default="worker-kill,pg-restart,redis-down,web-kill")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("make faults: runs its own PostgreSQL as the postgres user; run it as root.")
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="custodian-faults-"))
    services = Services(workdir)
    ledger, stop = Ledger(), threading.Event()
    try:
        log(f"private PostgreSQL on {PG_PORT}, Redis on {REDIS_PORT}, logs in {workdir}")
        services.start_postgres()
        services.start_redis()
        for name in ("faults", "faults_keys"):
            subprocess.run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(PG_PORT),
                            "-U", "postgres", name], check=True)  # fmt: skip
        services.manage("migrate", "--noinput")
        services.manage("migrate", "--database=keys", "--noinput")
        # The command prints a heading line, then the key, then a reminder.
        api_key = services.manage("create_api_key", "faults", "--scopes", "all").splitlines()[1]
        api_key = api_key.strip()
        services.start_web()
        services.start_worker()
        services.start_beat()
        shop = requests.Session()
        shop.headers["Authorization"] = f"Api-Key {api_key}"
        for sku in ("FS-1", "FS-2"):
            shop.post(f"{BASE}/api/v1/products/", json={"sku": sku, "name": sku,
                      "category": "books", "price": "5.00"}, timeout=10)  # fmt: skip

        clients = ThreadPoolExecutor(max_workers=args.clients)
        for number in range(args.clients):
            clients.submit(Storefront(api_key, ledger, stop).run, number)
        time.sleep(args.settle)

        outcomes = []
        for name in args.faults.split(","):
            outcome = inject(name, services, args.redis_seconds)
            if wait_for(lambda: jobs_left() == 0, 180):
                outcome.finished_after = time.monotonic() - outcome.ended
            log(f"{name}: jobs finished after {outcome.finished_after}")
            outcomes.append(outcome)
            time.sleep(args.settle)

        stop.set()
        clients.shutdown(wait=True)
        wait_for(lambda: jobs_left() == 0, 180)
        print(f"\nfault suite: {args.clients} storefronts, gunicorn 2 workers, one Celery "
              f"worker (concurrency 2) and beat, PostgreSQL and Redis of its own")  # fmt: skip
        timely = report(outcomes, ledger)
        whole = check_ledger(ledger, api_key)
        worker_log = (workdir / "worker.log").read_text(errors="replace")
        web_log = (workdir / "web.log").read_text(errors="replace")
        restarts = sum("must be restarted" in text for text in (worker_log, web_log))
        print(f"'must be restarted' lines in the logs: {restarts}")
        passed = timely and whole and not restarts
        print("\nRESULT:", "all targets met" if passed else "a target was MISSED (see above)")
        return 0 if passed else 1
    finally:
        stop.set()
        services.stop_all()


if __name__ == "__main__":
    sys.exit(main())
