"""After a load run: print locust's figures and prove the database holds exactly what was saved.

    python loadtest/verify.py PLAN.json RESULTS_DIR STATS_PREFIX

Reads the saves the operators recorded (`saves-*.jsonl`, see `locustfile.py`) and compares them,
row by row, with the daily counts the load operators created: nothing missing (lost), nothing
extra or changed twice (duplicated), the same number of rows and the same total; then checks that
the dashboards' rollups still equal the counts. Exits 1 if anything differs or any request failed.
"""

import csv
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ektp_tracker.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count, Sum  # noqa: E402

from recording.models import DailyCount, DailyCountRevision  # noqa: E402
from recording.services.rollups import rollup_differences  # noqa: E402

Row = tuple[str, int, str]  # operator, device pk, day


def saves_read(results_dir: Path) -> dict[str, dict[tuple[str, str], dict]]:
    """status -> {(operator, day): the save's record}, the last word on each save."""
    last: dict[tuple[str, str], dict] = {}
    for path in sorted(results_dir.glob("saves-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            last[(record["op"], record["day"])] = record
    by_status: dict[str, dict] = defaultdict(dict)
    for key, record in last.items():
        by_status[record["status"]][key] = record
    return by_status


def _rows(records) -> dict[Row, int]:
    return {
        (r["op"], int(pk), r["day"]): count
        for r in records.values()
        for pk, count in r["counts"].items()
    }


def database_rows(operators: list[str]) -> dict[Row, int]:
    counts = DailyCount.objects.filter(created_by__username__in=operators)
    return {
        (username, device_id, day.isoformat()): count
        for username, device_id, day, count in counts.values_list(
            "created_by__username", "device_id", "date", "count"
        )
    }


def counts_verify(plan: dict, results_dir: Path) -> bool:
    operators = [op["username"] for op in plan["operators"]]
    saves = saves_read(results_dir)
    sent = _rows(saves.get("saved", {}))
    in_doubt = _rows(saves.get("sent", {}))
    refused = _rows(saves.get("refused", {}))
    stored = database_rows(operators)

    lost = sorted(set(sent) - set(stored))
    extra = sorted(set(stored) - set(sent) - set(in_doubt))
    wrong = sorted(row for row in set(sent) & set(stored) if sent[row] != stored[row])
    written_refused = sorted(set(refused) & set(stored))
    counts = DailyCount.objects.filter(created_by__username__in=operators)
    changed = counts.exclude(version=1).count() + (
        DailyCountRevision.objects.filter(daily_count__in=counts).count()
    )
    by_operator = dict(
        counts.values("created_by__username")
        .annotate(rows=Count("id"), total=Sum("count"))
        .values_list("created_by__username", "total")
        .order_by()
    )
    sent_by_operator: dict[str, int] = defaultdict(int)
    for (op, _pk, _day), count in sent.items():
        sent_by_operator[op] += count
    # Cut-off saves (no outcome recorded) may or may not have been committed: count what landed.
    landed = {row: count for row, count in stored.items() if row in in_doubt}
    for (op, _pk, _day), count in landed.items():
        sent_by_operator[op] += count
    operators_off = sorted(
        op
        for op in set(by_operator) | set(sent_by_operator)
        if by_operator.get(op, 0) != sent_by_operator.get(op, 0)
    )
    differences = rollup_differences()

    expected_rows = len(sent) + len(landed)
    expected_total = sum(sent.values()) + sum(landed.values())
    db_rows, db_total = len(stored), sum(stored.values())
    print("\nVerification (database against what the operators saved):")
    print(
        f"  saves accepted {len(saves.get('saved', {}))}, refused {len(saves.get('refused', {}))}, "
        f"cut off by the end of the run {len(saves.get('sent', {}))} "
        f"({len(landed)} of their rows committed)"
    )
    print(f"  rows:  sent {expected_rows:>8}   in database {db_rows:>8}")
    print(f"  total: sent {expected_total:>8}   in database {db_total:>8}")
    problems = {
        "lost (sent, not in the database)": lost,
        "extra (in the database, never sent)": extra,
        "stored with another count": wrong,
        "written although the save was refused": written_refused,
        "operators whose sum differs": operators_off,
        "rollup rows differing from the counts": differences,
    }
    for what, items in problems.items():
        if items:
            print(f"  {what}: {len(items)}, e.g. {items[:5]}")
    if changed:
        print(f"  counts changed after their first save (duplicated saves): {changed}")
    ok = (
        not any(problems.values())
        and not changed
        and (expected_rows, expected_total) == (db_rows, db_total)
    )
    print(f"  result: {'OK' if ok else 'FAILED'}")
    return ok


def figures_print(results_dir: Path) -> int:
    """The login phase's and the measured window's figures; returns the failed requests."""
    failures = 0
    for file_name, title in (
        ("login_phase.json", "Login phase: {seconds} s until the last user was in"),
        ("window.json", "Measured window, every user logged in and working ({seconds} s):"),
    ):
        path = results_dir / file_name
        if not path.exists():
            print(f"\n{file_name} missing: the run did not get that far (see locust.log).")
            failures += 1
            continue
        figures = json.loads(path.read_text(encoding="utf-8"))
        print("\n" + title.format(**figures))
        print(
            f"{'request':<30}{'count':>7}{'fail':>6}{'req/s':>7}{'median':>8}{'p95':>8}{'max':>8}"
            "  (ms)"
        )
        for name, row in figures["requests"].items():
            print(
                f"{name:<30}{row['count']:>7}{row['failures']:>6}{row['per_second']:>7.1f}"
                f"{row['median_ms']:>8}{row['p95_ms']:>8}{row['max_ms']:>8}"
            )
            failures += row["failures"] if name != "all requests" else 0
    return failures


def failures_print(prefix: str):
    failures_csv = Path(f"{prefix}_failures.csv")
    if not failures_csv.exists():
        return
    with failures_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows:
        print("\nFailures:")
    for row in rows:
        print(f"  {row['Occurrences']}× {row['Method']} {row['Name']}: {row['Error']}")


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    plan = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    results_dir = Path(sys.argv[2])
    failures = figures_print(results_dir)
    failures_print(sys.argv[3])
    ok = counts_verify(plan, results_dir)
    if failures or not ok:
        verdict = "OK" if ok else "FAILED"
        print(f"\nLOAD TEST FAILED: {failures} failed requests, verification {verdict}.")
        sys.exit(1)
    print("\nLoad test passed: no failed request, no lost or duplicated count.")


if __name__ == "__main__":
    main()
