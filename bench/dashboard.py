"""Dashboard benchmark: the customer list and search at 1,000,000 customers.

Runs against the PostgreSQL databases in DATABASE_URL / KEYS_DATABASE_URL (use your
own or throwaway ones; the script migrates them). It seeds --real customers the normal
way (data keys, encrypted fields, consents, purchases: bench searches find these), then
bulk-inserts filler customers in SQL up to --customers, with consent rows for
`account` and `marketing_email`. Fillers bypass per-row key creation to load a million
rows in about a minute: their encrypted columns hold random bytes and they have no data
key, which the list never needs (it shows no personal values and decrypts nothing).
Fillers are marked by their blind indexes ("fill..."), and deleted at the end unless
--keep (a later run with --keep reuses them).

Then, through the whole Django stack (middleware, sessions, templates) in-process with
the test client, as a signed-in privacy officer, it times:
  list-first   GET /dashboard/customers/                      (newest 50)
  list-deep    following "Next page" keyset links 200 pages deep
  list-filter  consent to marketing_email given + joined in the last 2 years
  search-email POST /dashboard/customers/search/ by exact email (blind index)
  search-phone the same by phone
  view-360     GET the masked 360 page of a found customer
and prints p50 / p95 / max in milliseconds. Target: p95 under 200 ms.

Usage:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> \
  KEYS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db>_keys \
  .venv/bin/python bench/dashboard.py [--customers 1000000] [--real 2000] [--runs 60] [--keep]
"""

import argparse
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DEBUG"] = "false"  # no query log kept in memory; production settings
os.environ.setdefault("ALLOWED_HOSTS", "localhost")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from access.roles import Role  # noqa: E402
from access.staff import save_staff_user  # noqa: E402
from customers import demo  # noqa: E402
from customers.models import Customer  # noqa: E402

FILLER = "fill"  # blind-index prefix of filler rows (real ones are hex: never "l")

FILL_SQL = """
INSERT INTO customers_customer
  (id, external_id, email, full_name, phone, postal_address, email_index,
   external_id_index, phone_index, processing_restricted_at, created_at, updated_at)
SELECT gen_random_uuid(), decode(md5(n::text), 'hex'), decode(md5('e' || n), 'hex'),
       decode(md5('n' || n), 'hex'), NULL, NULL,
       %(tag)s || substr(md5('e' || n) || md5('x' || n), 1, 60),
       %(tag)s || substr(md5('i' || n) || md5('y' || n), 1, 60),
       NULL, NULL, now() - random() * interval '5 years', now()
FROM generate_series(%(start)s, %(stop)s) AS n
"""
# Two plain statements (events, then their state rows), run after ANALYZE so the planner
# knows the fillers exist: one CTE doing both took minutes on stale statistics.
EVENTS_SQL = """
INSERT INTO consent_consentevent
  (customer_id, purpose_id, notice_id, granted, source, actor, occurred_at, subject_pseudonym)
SELECT c.id, n.purpose_id, n.id, n.purpose_id = 'account' OR random() < 0.4, 'import',
       'system:bench', now(), NULL
FROM customers_customer c
CROSS JOIN (
  SELECT DISTINCT ON (purpose_id) id, purpose_id FROM consent_notice
  WHERE purpose_id IN ('account', 'marketing_email') ORDER BY purpose_id, version DESC
) n
WHERE c.email_index LIKE %(like)s
  AND NOT EXISTS (SELECT 1 FROM consent_consentevent e WHERE e.customer_id = c.id)
"""
STATES_SQL = """
INSERT INTO consent_consentstate (customer_id, purpose_id, granted, notice_id, event_id, updated_at)
SELECT e.customer_id, e.purpose_id, e.granted, e.notice_id, e.id, e.occurred_at
FROM consent_consentevent e
WHERE e.actor = 'system:bench'
  AND NOT EXISTS (SELECT 1 FROM consent_consentstate s WHERE s.event_id = e.id)
"""


def fillers() -> int:
    return Customer.objects.filter(email_index__startswith=FILLER).count()


def load(total: int, real: int) -> None:
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("migrate", database="keys", verbosity=0)
    result = demo.seed(customers=real, batch_size=1000)
    print(f"real customers: {result.created} added, {result.skipped} there already")
    wanted = total - Customer.objects.count()
    with connection.cursor() as cursor:
        if wanted > 0:
            start = fillers() + 1
            for chunk in range(start, start + wanted, 200_000):
                stop = min(chunk + 199_999, start + wanted - 1)
                cursor.execute(FILL_SQL, {"tag": FILLER, "start": chunk, "stop": stop})
                print(f"  fillers {stop - start + 1:,}/{wanted:,}")
        cursor.execute("ANALYZE")
        cursor.execute(EVENTS_SQL, {"like": FILLER + "%"})
        print(f"  consent events for fillers: {cursor.rowcount:,}")
        cursor.execute(STATES_SQL)
        cursor.execute("ANALYZE")
    print(f"{Customer.objects.count():,} customers ready in {time.monotonic() - started:.0f}s")


def remove_fillers() -> None:
    with connection.cursor() as cursor:
        like = {"like": FILLER + "%"}
        cursor.execute(
            "DELETE FROM consent_consentstate s USING consent_consentevent e "
            "WHERE s.event_id = e.id AND e.actor = 'system:bench'"
        )
        cursor.execute("DELETE FROM consent_consentevent WHERE actor = 'system:bench'")
        cursor.execute("DELETE FROM customers_customer WHERE email_index LIKE %(like)s", like)
    print("fillers removed")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(label: str, runs: int, request) -> list[float]:
    request()  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = request()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), (label, response.status_code)
    print(
        f"{label:13} p50 {percentile(times, 0.5):6.1f} ms   p95 {percentile(times, 0.95):6.1f} ms"
        f"   max {max(times):6.1f} ms   ({runs} runs)"
    )
    return times


def measure(runs: int) -> None:
    officer, _created = save_staff_user(
        username="bench-officer", role=Role.PRIVACY_OFFICER, password=None
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    rng = random.Random(7)
    real = list(
        Customer.objects.exclude(email_index__startswith=FILLER)
        .exclude(phone__isnull=True)
        .values_list("pk", flat=True)[:500]
    )
    people = [Customer.objects.get(pk=pk) for pk in rng.sample(real, min(len(real), 100))]
    emails = [person.email for person in people]
    phones = [person.phone for person in people]

    timed("list-first", runs, lambda: client.get("/dashboard/customers/"))
    pages = ["/dashboard/customers/"]
    for _ in range(200):
        html = client.get(pages[-1]).content.decode()
        found = re.search(r'href="\?([^"]+)" rel="next"', html)
        if not found:
            break
        pages.append("/dashboard/customers/?" + found.group(1).replace("&amp;", "&"))
    deep = iter(pages[1:] * (runs // max(len(pages) - 1, 1) + 1))
    timed(f"list-deep{len(pages) - 1}", runs, lambda: client.get(next(deep)))
    joined = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 2 * 365 * 86400))
    timed(
        "list-filter",
        runs,
        lambda: client.get(
            "/dashboard/customers/?consent_purpose=marketing_email&consent_granted=yes"
            f"&joined_from={joined}"
        ),
    )
    timed(
        "search-email",
        runs,
        lambda: client.post("/dashboard/customers/search/", {"query": rng.choice(emails)}),
    )
    timed(
        "search-phone",
        runs,
        lambda: client.post("/dashboard/customers/search/", {"query": rng.choice(phones)}),
    )
    timed("view-360", runs, lambda: client.get(f"/dashboard/customers/{rng.choice(people).pk}/"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--real", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the filler rows")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/dashboard.py measures PostgreSQL: set DATABASE_URL and KEYS_DATABASE_URL.")
    load(args.customers, args.real)
    try:
        measure(args.runs)
    finally:
        if not args.keep:
            remove_fillers()


if __name__ == "__main__":
    main()
