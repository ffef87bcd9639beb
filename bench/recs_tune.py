"""Parameter search for the item-to-item model, on a validation split only.

The validation split is cut from the training side of each protocol: every evaluated
history loses its own latest order (baskets: its last item), whose new items become the
validation targets, so the held-out items the benchmark scores are never looked at
while tuning. The objective is HitRate + NDCG summed over both online-retail files.
Coordinate search from the plain-cosine start, one parameter at a time, twice over.
The `popularity` default (0.01) came from a separate sweep of that parameter alone on
the validation splits of all three files (groceries too), the others fixed.
Usage: .venv/bin/python bench/recs_tune.py
"""

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import recs

from recommendations import engine

GRID = {
    "alpha": [0.5, 0.6, 0.7, 0.8, 0.9],
    "shrink": [0.0, 2.0, 10.0, 50.0],
    "exponent": [1.0, 1.5, 2.0, 3.0],
    "customer_power": [0.0, 0.25, 0.5, 1.0],
    "neighbours": [30, 50, 100, 200],
    "recency": [1.0, 0.95, 0.9, 0.8, 0.7, 0.5],
    "popularity": [0.0, 0.005, 0.01, 0.02, 0.03],
}


def validation(task: recs.Task) -> recs.Task:
    """Each evaluated history loses its latest order (age 0), whose new items become the
    validation targets; training keeps only the shortened history."""
    shortened: dict[int, tuple[list[int], list[int], set[int]]] = {}
    for history, ages in zip(task.histories, task.ages, strict=True):
        older = [(code, age - 1) for code, age in zip(history, ages, strict=True) if age > 0]
        wanted = {code for code, age in zip(history, ages, strict=True) if age == 0}
        if older and wanted:
            shortened[id(history)] = ([c for c, _ in older], [a for _, a in older], wanted)
    train, histories, ages, targets = [], [], [], []
    for history in task.train:
        if id(history) in shortened:
            codes, code_ages, wanted = shortened[id(history)]
            train.append(codes)
            histories.append(codes)
            ages.append(code_ages)
            targets.append(wanted)
        else:
            train.append(history)
    return replace(task, train=train, histories=histories, ages=ages, targets=targets)


def objective(results: list[recs.Result]) -> float:
    return sum(result.hit_rate + result.ndcg for result in results)


def main() -> None:
    tasks = [validation(recs.baskets_task()), validation(recs.customers_task())]
    if "--customers" in sys.argv:
        tasks = tasks[1:]
    for task in tasks:
        print(task.name, len(task.histories), "validation customers")
    best = engine.Params()
    score = [recs.item_to_item(task, best) for task in tasks]
    print("start", best, show(score))
    for _ in range(2):
        for name, values in GRID.items():
            for value in values:
                candidate = replace(best, **{name: value})
                results = [recs.item_to_item(task, candidate) for task in tasks]
                if objective(results) > objective(score) + 1e-4:
                    best, score = candidate, results
                    print(name, value, show(score), flush=True)
    print("best", best)


def show(results: list[recs.Result]) -> str:
    return "  ".join(f"{result.hit_rate:.4f}/{result.ndcg:.4f}" for result in results)


if __name__ == "__main__":
    main()
