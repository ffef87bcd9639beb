"""Where a storefront request spends its time: pyinstrument over GET customer (and GET
purposes, the control touching no personal data) on PostgreSQL with persistent
connections, through Django's whole middleware stack, in one process.

  make profile                       1,000 customers, 300 requests per endpoint

Prints, per endpoint, the mean time per request and the share of it spent in each hot
path (API-key check, throttle, key-store read, decryption, audit insert, database
round trips, serialization), then pyinstrument's call tree for GET customer. Uses the
bench's throwaway databases (custodian_bench*) and Redis db 12.
"""

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from suite import ROOT, Stack, machine

PROFILE_SCRIPT = r"""
import os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")
django.setup()
from django.test import Client
from pyinstrument import Profiler
from customers.models import Customer

requests_total, api_key = int(sys.argv[1]), sys.argv[2]
ids = [str(pk) for pk in Customer.objects.values_list("pk", flat=True)[:1000]]
client = Client(HTTP_AUTHORIZATION=f"Api-Key {api_key}", HTTP_HOST="127.0.0.1")
# Hot paths by the function that does the work (outermost match counts once).
PATHS = {
    "API-key check": ("authenticate",),
    "throttle": ("allow_request",),
    "key-store read (data key)": ("data_cipher", "preload"),
    # A field read opens its value with ciphers.open_with (the descriptor inlines the
    # rest); so does a batch of key unwraps, which "preload" above counts as well.
    "decryption (AES-GCM)": ("open_with", "open_text"),
    "audit insert": ("record_access", "record_event"),
    "consents read": ("granted_by_customer",),
    "idempotency/rate headers": ("finalize_response",),
}


def shares(frame, totals, inside=frozenset()):
    for name, functions in PATHS.items():
        if name not in inside and frame.function in functions:
            totals[name] = totals.get(name, 0.0) + frame.time
            inside = inside | {name}
    if frame.function in ("execute", "_execute_with_wrappers") and "db" not in inside:
        totals["SQL round trips (all)"] = totals.get("SQL round trips (all)", 0.0) + frame.time
        inside = inside | {"db"}
    for child in frame.children:
        shares(child, totals, inside)


def profile(label, path_of):
    for number in range(50):  # warm: connections open, code paths loaded
        assert client.get(path_of(number)).status_code == 200
    profiler = Profiler(interval=0.001)
    started = time.perf_counter()
    profiler.start()
    for number in range(requests_total):
        response = client.get(path_of(number))
        assert response.status_code == 200, response.status_code
    profiler.stop()
    seconds = time.perf_counter() - started
    totals = {}
    root = profiler.last_session.root_frame()
    shares(root, totals)
    mean = seconds / requests_total * 1000
    print(f"\n{label}: {requests_total:,} requests, {mean:.2f} ms per request (profiled)")
    for name, spent in sorted(totals.items(), key=lambda item: -item[1]):
        share, each = spent / root.time * 100, spent / requests_total * 1000
        print(f"  {name:<28} {share:5.1f}%  {each:6.3f} ms")
    return profiler


profile("GET /api/v1/purposes/ (control)", lambda n: "/api/v1/purposes/")
profiler = profile(
    "GET /api/v1/customers/<id>/", lambda n: f"/api/v1/customers/{ids[n % len(ids)]}/"
)
print("\npyinstrument, GET customer (frames over 2% of the time):")
print(profiler.output_text(unicode=False, color=False, show_all=False, time="percent_of_total",
                           flat=False, processor_options={"filter_threshold": 0.02}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    options = parser.parse_args()
    print(f"Custodian API profile on {machine()}")
    stack = Stack()
    stack.fresh()
    stack.manage("generate_dataset", "--customers", str(options.customers), "--products",
                 "500", "--purchases", str(options.customers * 5))  # fmt: skip
    subprocess.run(
        [sys.executable, "-c", PROFILE_SCRIPT, str(options.requests), stack.api_key],
        cwd=ROOT, env=stack.env, check=True,
    )  # fmt: skip


if __name__ == "__main__":
    main()
