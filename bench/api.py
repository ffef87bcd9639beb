"""Storefront API benchmark: purchase ingest throughput and customer read latency.

Runs the real stack: gunicorn with 2 workers on PostgreSQL (fresh databases
custodian_bench and custodian_bench_keys on 127.0.0.1:5432, user postgres), then
  - ingest: POST /api/v1/purchases/ in batches of 500 lines (2 senders), lines/second;
  - reads: GET /api/v1/customers/<id>/ from 16 concurrent clients, p50/p99 latency.
Usage: .venv/bin/python bench/api.py [--batches 40] [--reads 2000]
"""

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
PG = "postgres://postgres@127.0.0.1:5432"


def key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def fresh_databases() -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        for name in ("custodian_bench", "custodian_bench_keys"):
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {name}")


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True,
    ).stdout  # fmt: skip


def call(method: str, path: str, api_key: str, body=None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        BASE + path, data=data, method=method,
        headers={"Authorization": f"Api-Key {api_key}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.loads(response.read() or b"{}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--customers", type=int, default=200)
    options = parser.parse_args()

    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + key(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAULT_MASTER_KEYS": key(),
        "VAULT_INDEX_KEY": key(),
        "DATABASE_URL": f"{PG}/custodian_bench",
        "KEYS_DATABASE_URL": f"{PG}/custodian_bench_keys",
        "API_RATE_LIMIT": "10000000/min",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    fresh_databases()
    manage(env, "migrate", "--noinput")
    manage(env, "migrate", "--database=keys", "--noinput")
    api_key = manage(env, "create_api_key", "bench").strip().splitlines()[-1]

    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "crm_project.wsgi", "--workers", "2",
         "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                call("GET", "/api/v1/purposes/", api_key)
                break
            except OSError:
                time.sleep(0.1)
        skus = [f"B-{n}" for n in range(100)]
        for sku in skus:
            call("POST", "/api/v1/products/", api_key,
                 {"sku": sku, "name": sku, "category": "books", "price": "9.99"})  # fmt: skip
        customers = [
            call("POST", "/api/v1/customers/", api_key, {
                "external_id": f"bench-{n}", "email": f"bench{n}@example.com",
                "full_name": "Bench Customer", "consents": {"account": True},
            })[1]["id"]
            for n in range(options.customers)
        ]  # fmt: skip

        def batch(number: int) -> int:
            lines = [
                {"customer": customers[(number * 500 + n) % len(customers)],
                 "order_id": f"o-{number}-{n // 5}", "sku": skus[n % 5 + (n // 5) % 90],
                 "quantity": 1, "unit_price": "9.99", "purchased_at": "2026-11-20T10:00:00Z"}
                for n in range(500)
            ]  # fmt: skip
            status, body = call("POST", "/api/v1/purchases/", api_key, lines)
            assert status == 201, body
            return body["created"]

        started = time.perf_counter()
        with ThreadPoolExecutor(2) as pool:
            created = sum(pool.map(batch, range(options.batches)))
        ingest_seconds = time.perf_counter() - started

        def read(number: int) -> float:
            began = time.perf_counter()
            call("GET", f"/api/v1/customers/{customers[number % len(customers)]}/", api_key)
            return (time.perf_counter() - began) * 1000

        with ThreadPoolExecutor(16) as pool:
            latencies = list(pool.map(read, range(options.reads)))
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"ingest: {created} lines in {options.batches} batches of 500, "
          f"{ingest_seconds:.2f}s, {created / ingest_seconds:,.0f} lines/s")  # fmt: skip
    print(f"GET customer, 16 clients, {len(latencies)} requests: "
          f"p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
          f"mean {statistics.mean(latencies):.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
