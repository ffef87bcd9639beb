"""Recommendations benchmark on real purchase data (../shared/datasets, read in place).

Follows the protocols of ../shared/datasets/README.md (groceries: the closest reading):
  - baskets: each basket with 3+ distinct products is a customer; hold out its last
    product, recommend 10 from the rest (trained on every basket without held-out items);
  - customers "new": per customer with 2+ invoices hold out the last invoice; targets are
    its products the customer never bought before; owned products are never recommended;
  - groceries: per member with 3+ distinct items hold out the items of the latest date
    (every item of that date; owned items are never recommended, by any model, as the
    app serves). No variant we tried reproduces the README's popularity HitRate@10 0.619
    (NDCG 0.338): one item of the latest date held out (its last or first line in file
    order; history the earlier dates or every other line; owned items excluded or not)
    gives 0.24-0.41; every item of the latest date gives 0.641 (owned excluded) or 0.714
    (owned allowed); dates compared as DD-MM-YYYY text give 0.582 / 0.643. So the
    protocol is kept as above, the closest reading of the README's sentence;
    `--groceries-variants` prints those popularity figures.
  - customers "all": the whole last invoice is the target, re-buys count, owned items may
    be recommended; compares buy-again, the offers blend (recommendations.blend, what
    `offers_for` serves), the app's model and ALS.
Reports HitRate@10 and NDCG@10 (and paired hits against popularity) for popularity,
this app's model (recommendations.engine, the same code the Django build and serving
use) with the privacy floor it serves with (a pair counts only when 5 distinct
customers bought both, RECS_MIN_SUPPORT's default) and without it, and implicit
0.7.3's ALS and BM25 item-kNN as references (pip install -r requirements-bench.txt),
plus build seconds and peak memory; then serving latency
through the API (Django test client, SQLite, every customer of the customers file with
`personalization` consent).
Non-products (postage, bank charges, fees, manual adjustments, samples, gift vouchers)
are dropped before the protocol is applied: nobody should be recommended postage.
Usage: .venv/bin/python bench/recs.py [--skip-api] [--skip-implicit] [--groceries-variants]
"""

import argparse
import csv
import os
import resource
import sys
import time
import tracemalloc
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy import sparse

ROOT = Path(__file__).resolve().parents[1]
DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
sys.path.insert(0, str(ROOT))

from recommendations import blend as offers_model  # noqa: E402
from recommendations import engine  # noqa: E402

NON_PRODUCTS = {"AMAZONFEE", "BANK CHARGES", "C2", "CRUK", "D", "DOT", "M", "PADS", "POST", "S"}
K = 10


def is_product(code: str) -> bool:
    return code.upper() not in NON_PRODUCTS and not code.lower().startswith("gift_")


@dataclass
class Task:
    """Training histories (each a list of item ids, oldest first) and evaluation cases."""

    name: str
    items: int
    train: list[list[int]]  # one list per training customer, distinct items in order
    histories: list[list[int]]  # per evaluated customer: what they bought before
    ages: list[list[int]]  # per history item: orders (baskets: positions) since bought
    targets: list[set[int]]  # per evaluated customer: the held-out items to find
    exclude_owned: bool = True
    # per evaluated customer: (item, orders since) for every line of the history, for
    # buy-again's frequency (only the re-buys task has them)
    lines: list[list[tuple[int, int]]] | None = None


class Catalogue:
    def __init__(self):
        self.ids: dict[str, int] = {}

    def __call__(self, code: str) -> int:
        return self.ids.setdefault(code, len(self.ids))


def distinct(sequence) -> list:
    return list(dict.fromkeys(sequence))


def latest_last(sequence) -> list:
    """Distinct items ordered by their latest occurrence, as the app orders a history."""
    return list(reversed(distinct(reversed(list(sequence)))))


def orders_ago(history: list[int], orders: list[list[int]]) -> list[int]:
    latest = {code: age for age, order in enumerate(reversed(orders)) for code in order[::-1]}
    return [latest[code] for code in history]


def baskets_task() -> Task:
    baskets: dict[int, list[tuple[int, str]]] = defaultdict(list)
    with open(DATASETS / "online_retail_baskets_train.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if is_product(row["sku"]):
                baskets[int(row["basket"])].append((int(row["position"]), row["sku"]))
    item = Catalogue()
    train, histories, targets = [], [], []
    for basket in sorted(baskets):
        codes = distinct(item(code) for _, code in sorted(baskets[basket]))
        if len(codes) >= 3:
            history = codes[:-1]
            histories.append(history)
            targets.append({codes[-1]})
            train.append(history)
        else:
            train.append(codes)
    # A basket is one order, and the app knows no line order inside an order: every
    # item of the history is equally recent, as it would be when served.
    ages = [[0] * len(history) for history in histories]
    return Task("online retail baskets", len(item.ids), train, histories, ages, targets)


def customers_task() -> Task:
    invoices = customer_invoices()
    item = Catalogue()
    train, histories, ages, targets = [], [], [], []
    for customer in sorted(invoices):
        ordered = [
            [item(code) for code in invoices[customer][key]] for key in sorted(invoices[customer])
        ]
        if len(ordered) >= 2:
            history = latest_last(code for invoice in ordered[:-1] for code in invoice)
            train.append(history)
            new = set(ordered[-1]) - set(history)
            if new:
                histories.append(history)
                ages.append(orders_ago(history, ordered[:-1]))
                targets.append(new)
        else:
            train.append(latest_last(ordered[0]))
    return Task("online retail customers, new", len(item.ids), train, histories, ages, targets)


def groceries_task() -> Task:
    members: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    with open(DATASETS / "groceries.csv", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle)):
            members[row["Member_number"]].append((row["Date"], line, row["itemDescription"]))
    item = Catalogue()
    train, histories, ages, targets = [], [], [], []
    for member in sorted(members):
        lines = sorted(members[member])
        codes = distinct(item(code) for _, _, code in lines)
        latest = lines[-1][0]
        if len(codes) >= 3:
            earlier = [(date, item(code)) for date, _, code in lines if date < latest]
            history = latest_last(code for _, code in earlier)
            held = {item(code) for date, _, code in lines if date == latest}
            train.append(history)
            if history:
                days = sorted({date for date, _ in earlier}, reverse=True)
                histories.append(history)
                ages.append(
                    orders_ago(history, [[c for d, c in earlier if d == day] for day in days[::-1]])
                )
                targets.append(held)
        else:
            train.append(codes)
    return Task("groceries", len(item.ids), train, histories, ages, targets)


def groceries_variants() -> None:
    """Popularity HitRate@10 / NDCG@10 under the readings of the groceries protocol that
    were tried to reproduce the datasets README's 0.619 / 0.338."""
    members: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    with open(DATASETS / "groceries.csv", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle)):
            members[row["Member_number"]].append((row["Date"], line, row["itemDescription"]))
    print("\ngroceries popularity under other readings of the protocol")
    print(f"| dates | held out | history | owned | members | HitRate@{K} | NDCG@{K} |")
    print("|---|---|---|---|---|---|---|")

    def day(entry, dates):
        # "DD-MM-YYYY text": as if the dates were kept in the original Kaggle format and
        # compared as strings (the latest "date" is then the latest day of a month).
        return entry[0] if dates == "ISO" else "-".join(entry[0].split("-")[::-1])

    for dates in ("ISO", "DD-MM-YYYY text"):
        for held_out in ("all of the latest date", "last line of it", "first line of it"):
            for kept in ("earlier dates", "every other line"):
                item = Catalogue()
                train, histories, targets = [], [], []
                for member in sorted(members):
                    lines = sorted(members[member], key=lambda entry: (day(entry, dates), entry[1]))
                    codes = distinct(item(code) for _, _, code in lines)
                    if len(codes) < 3:
                        train.append(codes)
                        continue
                    last_day = day(lines[-1], dates)
                    latest = [entry for entry in lines if day(entry, dates) == last_day]
                    if held_out.startswith("all"):
                        held, rest = latest, [e for e in lines if e not in latest]
                    else:
                        one = latest[-1] if held_out.startswith("last") else latest[0]
                        held, rest = [one], [e for e in lines if e is not one]
                    if kept == "earlier dates":
                        rest = [entry for entry in rest if entry not in latest]
                    history = distinct(item(code) for _, _, code in rest)
                    train.append(history)
                    if history:
                        histories.append(history)
                        targets.append({item(code) for _, _, code in held})
                for owned in ("excluded", "allowed"):
                    task = Task("groceries", len(item.ids), train, histories, [], targets)
                    task.exclude_owned = owned == "excluded"
                    result = popularity(task)
                    print(
                        f"| {dates} | {held_out} | {kept} | {owned} | {len(histories)} "
                        f"| {result.hit_rate:.3f} | {result.ndcg:.3f} |"
                    )


def customer_invoices() -> dict[str, dict[tuple[str, str], list[str]]]:
    invoices: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
    with open(DATASETS / "online_retail_customers_train.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if (
                row["InvoiceNo"].startswith("C")
                or not row["CustomerID"]
                or not is_product(row["StockCode"])
                or float(row["Quantity"]) <= 0
                or float(row["UnitPrice"]) <= 0
            ):
                continue
            key = (row["InvoiceDate"], row["InvoiceNo"])
            invoices[row["CustomerID"]][key].append(row["StockCode"])
    return invoices


def customers_rebuy_task() -> Task:
    """The customers file, protocol "all": per customer with 2+ invoices the whole last
    invoice is the target, re-buys count, owned items may be recommended."""
    invoices = customer_invoices()
    item = Catalogue()
    train, histories, ages, targets, lines = [], [], [], [], []
    for customer in sorted(invoices):
        ordered = [
            [item(code) for code in invoices[customer][key]] for key in sorted(invoices[customer])
        ]
        if len(ordered) >= 2:
            earlier = ordered[:-1]
            history = latest_last(code for invoice in earlier for code in invoice)
            train.append(history)
            histories.append(history)
            ages.append(orders_ago(history, earlier))
            targets.append(set(ordered[-1]))
            lines.append(
                [(code, age) for age, invoice in enumerate(reversed(earlier)) for code in invoice]
            )
        else:
            train.append(latest_last(ordered[0]))
    return Task(
        "online retail customers, all (re-buys count)",
        len(item.ids),
        train,
        histories,
        ages,
        targets,
        exclude_owned=False,
        lines=lines,
    )


def matrix_of(histories: list[list[int]], items: int) -> sparse.csr_matrix:
    rows = np.repeat(np.arange(len(histories)), [len(history) for history in histories])
    cols = np.fromiter((code for history in histories for code in history), dtype=np.int64)
    data = np.ones(len(cols), dtype=np.float64)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(histories), items))


def metrics(ranked: list[list[int]], targets: list[set[int]]) -> tuple[float, float]:
    hits, gains = 0, 0.0
    for top, wanted in zip(ranked, targets, strict=True):
        found = [position for position, code in enumerate(top[:K]) if code in wanted]
        hits += bool(found)
        ideal = sum(1 / np.log2(position + 2) for position in range(min(len(wanted), K)))
        gains += sum(1 / np.log2(position + 2) for position in found) / ideal
    return hits / len(targets), gains / len(targets)


@dataclass
class Result:
    model: str
    hit_rate: float
    ndcg: float
    build_seconds: float | None
    peak_mb: float | None
    hits: list[bool] | None = None  # per evaluated customer, for paired comparisons


def hit_list(ranked: list[list[int]], targets: list[set[int]]) -> list[bool]:
    return [bool(set(top[:K]) & wanted) for top, wanted in zip(ranked, targets, strict=True)]


def measured(build, repeat: int = 3):
    """(build()'s value, best-of-`repeat` seconds, peak MiB traced by tracemalloc in one
    more run). tracemalloc sees numpy's allocations, not those of implicit's C++ code,
    so implicit's memory figures are lower bounds."""
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        build()
        seconds.append(time.perf_counter() - started)
    tracemalloc.start()
    value = build()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return value, min(seconds), peak


def popularity(task: Task) -> Result:
    counts = np.asarray(matrix_of(task.train, task.items).sum(axis=0)).ravel()
    order = np.argsort(-counts, kind="stable")
    ranked = []
    for history in task.histories:
        owned = set(history) if task.exclude_owned else set()
        ranked.append([int(code) for code in order[: K + len(owned)] if code not in owned][:K])
    hits = hit_list(ranked, task.targets)
    return Result("popularity", *metrics(ranked, task.targets), None, None, hits)


def item_to_item(task: Task, params: engine.Params, label: str = "this app") -> Result:
    matrix = matrix_of(task.train, task.items)

    def build():
        counts = engine.co_counts(matrix, engine.customer_weights(matrix, params))
        support = engine.pair_support(matrix) if params.min_support > 1 else None
        return engine.neighbours(counts, params, support=support)

    similar, seconds, peak = measured(build)
    bought = np.asarray(matrix.sum(axis=0)).ravel()
    popular = np.argsort(-bought, kind="stable")
    # As served: padding only with items enough customers bought (the prior does the same).
    popular = popular[bought[popular] >= params.min_support]
    prior = engine.popularity_prior(bought, params)
    ranked = []
    for history, ages in zip(task.histories, task.ages, strict=True):
        codes = np.asarray(history, dtype=np.int64)
        exclude = codes if task.exclude_owned else None
        weights = engine.recency_weights(np.asarray(ages), params)
        top = engine.rank(similar[codes], codes, weights, K, exclude=exclude, prior=prior)
        ranked.append(fill([hit.item for hit in top], popular, exclude))
    hits = hit_list(ranked, task.targets)
    return Result(label, *metrics(ranked, task.targets), seconds, peak, hits)


def fill(top: list[int], popular: np.ndarray, exclude) -> list[int]:
    """Pad short lists with popular items, as the app does for a thin history."""
    if len(top) >= K:
        return top
    taken = set(top) | set(() if exclude is None else exclude.tolist())
    return (
        top
        + [int(code) for code in popular[: 2 * K + len(taken)] if code not in taken][: K - len(top)]
    )


def buy_again(task: Task) -> Result:
    """The customer's own items by frequency and recency (recommendations.offers)."""
    ranked = []
    for lines in task.lines:
        scores = offers_model.buy_again_scores(lines)
        ranked.append(sorted(scores, key=lambda code: (-scores[code], str(code)))[:K])
    hits = hit_list(ranked, task.targets)
    return Result("buy again (own items, frequency x recency)", *metrics(ranked, task.targets),
                  None, None, hits)  # fmt: skip


def offers(task: Task, params: engine.Params) -> Result:
    """What `offers_for` serves: buy-again blended with this app's model, which never
    recommends owned items (recommendations.offers.blend)."""
    matrix = matrix_of(task.train, task.items)
    started = time.perf_counter()
    counts = engine.co_counts(matrix, engine.customer_weights(matrix, params))
    similar = engine.neighbours(counts, params)
    seconds = time.perf_counter() - started
    bought = np.asarray(matrix.sum(axis=0)).ravel()
    popular = np.argsort(-bought, kind="stable")
    prior = engine.popularity_prior(bought, params)
    buyers = dict(enumerate(bought.tolist()))  # customers per item, as ItemCounts
    ranked = []
    for history, ages, lines in zip(task.histories, task.ages, task.lines, strict=True):
        codes = np.asarray(history, dtype=np.int64)
        weights = engine.recency_weights(np.asarray(ages), params)
        top = engine.rank(similar[codes], codes, weights, K, exclude=codes, prior=prior)
        blended = offers_model.blend(
            offers_model.buy_again_scores(lines),
            [(hit.item, hit.score) for hit in top],
            K,
            popularity=buyers,
        )
        ranked.append(fill([code for code, _, _ in blended], popular, codes))
    hits = hit_list(ranked, task.targets)
    return Result("offers (buy again + this app's model)", *metrics(ranked, task.targets),
                  seconds, None, hits)  # fmt: skip


def implicit_model(task: Task, name: str) -> Result:
    from implicit.als import AlternatingLeastSquares
    from implicit.nearest_neighbours import BM25Recommender

    matrix = matrix_of(task.train, task.items)
    factors = 64 if task.name.endswith("baskets") else 100

    def fitted():  # a fresh model each run: no warm start from the previous fit
        if name == "ALS":
            model = AlternatingLeastSquares(
                factors=factors, iterations=15, random_state=42, calculate_training_loss=False
            )
        else:
            model = BM25Recommender(K=100)
        model.fit(matrix, show_progress=False)
        return model

    label = (
        f"implicit ALS ({factors} factors, 15 iterations)"
        if name == "ALS"
        else "implicit BM25 item-kNN (K=100)"
    )
    model, seconds, peak = measured(fitted)
    users = matrix_of(task.histories, task.items)
    codes, _ = model.recommend(
        np.arange(len(task.histories)),
        users,
        N=K,
        filter_already_liked_items=task.exclude_owned,
        recalculate_user=name == "ALS",
    )
    ranked = [[int(code) for code in row if code >= 0] for row in codes]
    return Result(label, *metrics(ranked, task.targets), seconds, peak)


# The app's defaults (tuned by bench/recs_tune.py on a validation split): cosine with
# shrinkage, squared similarities, heavy buyers down-weighted, recent orders weighted up;
# served with the privacy floor (RECS_MIN_SUPPORT's default): a pair counts only when
# 5 distinct customers bought both. NO_FLOOR measures what that floor costs.
DEFAULTS = engine.Params(min_support=5)
NO_FLOOR = replace(DEFAULTS, min_support=1)


def api_latency(requests: int) -> None:
    """Serve the real API (Django test client, SQLite in a temporary folder) with a model
    built by `build_model` from the customers file, and time GET recommendations."""
    import base64
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="recs-bench-"))

    def key() -> str:
        return base64.urlsafe_b64encode(os.urandom(32)).decode()

    os.environ.update(
        DJANGO_SETTINGS_MODULE="crm_project.settings", DEBUG="false", SECRET_KEY="bench-" + key(),
        ALLOWED_HOSTS="testserver", VAULT_MASTER_KEYS=key(), VAULT_INDEX_KEY=key(),
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        KEYS_DATABASE_URL=f"sqlite:///{folder / 'keys.sqlite3'}",
        API_RATE_LIMIT="100000000/min", LOG_LEVEL="WARNING",
    )  # fmt: skip
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from api.models import StorefrontKey
    from customers.models import Product, Purchase
    from customers.services import create_customer
    from recommendations.services import build_model

    call_command("migrate", verbosity=0)
    call_command("migrate", database="keys", verbosity=0)
    lines: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    with open(DATASETS / "online_retail_customers_train.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if (
                not row["InvoiceNo"].startswith("C")
                and row["CustomerID"]
                and is_product(row["StockCode"])
                and float(row["Quantity"]) > 0
                and float(row["UnitPrice"]) > 0
            ):
                lines[row["CustomerID"]][(row["InvoiceNo"], row["StockCode"])] = row["InvoiceDate"]
    skus = sorted({sku for bought in lines.values() for _, sku in bought})
    Product.objects.bulk_create(
        [Product(sku=sku, name=sku, category="gifts", price=1) for sku in skus], batch_size=2000
    )
    product_ids = dict(Product.objects.values_list("sku", "pk"))
    customers = []
    for number, customer in enumerate(sorted(lines)):
        created = create_customer(
            external_id=f"retail-{customer}", email=f"retail{number}@example.com",
            consents={"account": True, "personalization": True}, actor="system",
        )  # fmt: skip
        customers.append(created.pk)
        Purchase.objects.bulk_create(
            Purchase(
                customer_id=created.pk, order_id=invoice, product_id=product_ids[sku],
                quantity=1, unit_price=1, purchased_at=f"{date.replace(' ', 'T')}:00Z",
            )
            for (invoice, sku), date in lines[customer].items()
        )  # fmt: skip
    started = time.perf_counter()
    build = build_model(progress=lambda message: None)
    print(
        f"\nbuild_model on SQLite: {build.customers} customers, {build.products} products, "
        f"{time.perf_counter() - started:.1f} s (read, compute, write {build.products} count "
        "rows and their neighbours, swap)"
    )
    _, secret = StorefrontKey.objects.create_key(name="bench", scopes=["recommendations"])
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    timings, personal = [], 0
    for number in range(requests):
        path = f"/api/v1/customers/{customers[number * 7 % len(customers)]}/recommendations/"
        began = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (response.status_code, response.content[:300])
        personal += response.json()["personalized"]
    timings.sort()
    p50, p99 = timings[len(timings) // 2], timings[int(len(timings) * 0.99)]
    print(
        f"GET /api/v1/customers/<id>/recommendations/ (test client, one process, "
        f"{requests} requests, RECS_MIN_SUPPORT 5): p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
        f"{personal} personalized"
    )


def report(task: Task, results: list[Result]) -> None:
    print(f"\n{task.name}: {len(task.histories)} customers evaluated, {task.items} products")
    print(f"| model | HitRate@{K} | NDCG@{K} | build | peak memory |")
    print("|---|---|---|---|---|")
    for result in results:
        build = "—" if result.build_seconds is None else f"{result.build_seconds:.2f} s"
        peak = "—" if result.peak_mb is None else f"{result.peak_mb:.0f} MiB"
        print(f"| {result.model} | {result.hit_rate:.3f} | {result.ndcg:.3f} | {build} | {peak} |")
    popular, ours = results[0], results[1]
    only_ours = sum(a and not b for a, b in zip(ours.hits, popular.hits, strict=True))
    only_popular = sum(b and not a for a, b in zip(ours.hits, popular.hits, strict=True))
    print(
        f"paired hits, {ours.model} vs popularity: {only_ours} customers found only by "
        f"{ours.model}, {only_popular} only by popularity"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--skip-implicit", action="store_true")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--groceries-variants", action="store_true")
    options = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if options.groceries_variants:
        groceries_variants()
        return
    for task in (baskets_task(), customers_task(), groceries_task()):
        results = [
            popularity(task),
            item_to_item(task, DEFAULTS, "this app (min support 5, as served)"),
            item_to_item(task, NO_FLOOR, "this app without the floor (min support 1)"),
        ]
        if not options.skip_implicit:
            results += [implicit_model(task, "ALS"), implicit_model(task, "BM25")]
        report(task, results)
    rebuys = customers_rebuy_task()
    results = [popularity(rebuys), buy_again(rebuys), offers(rebuys, DEFAULTS)]
    results.append(item_to_item(rebuys, DEFAULTS))
    if not options.skip_implicit:
        results.append(implicit_model(rebuys, "ALS"))
    report(rebuys, results)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS after the offline runs: {rss:.0f} MiB")
    if not options.skip_api:
        api_latency(options.requests)


if __name__ == "__main__":
    main()
