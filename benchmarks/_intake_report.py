"""How benchmarks/intake.py reports a run: the table it prints and the JSON file it keeps."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

__all__ = ["NOISE_CORES", "failed", "print_table", "round_phases", "write_results"]

ROOT = Path(__file__).resolve().parents[1]


def round_phases(rounds: list[dict]) -> list[dict]:
    return [r[k] for r in rounds for k in ("raw_inserts", "healthz", "reports")]


def write_results(results: dict) -> Path:
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(exist_ok=True)
    stem = f"intake-{datetime.now().date()}"
    path, n = out_dir / f"{stem}.json", 1
    while path.exists():  # several runs a day: keep them all
        n += 1
        path = out_dir / f"{stem}-{n}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    return path


NOISE_CORES = 0.2


def failed(res: dict) -> int:
    statuses = res.get("statuses")  # none for raw inserts: a failed insert raises
    return sum(statuses.values()) - res["ok"] if statuses else 0


def print_table(r: dict) -> None:
    pg, load, lat = r["postgres"], r["load"], r["latency_at_half_rate"]
    client = load["client"] + (f" x{load['client_procs']} processes" if load["client_procs"] else "")
    server = f"{r['server']['workers']} workers, pool {r['server']['pool_size']}/worker"
    dirty = " + uncommitted backend changes" if r["code"]["backend_dirty"] else ""
    commits = f"fsync={pg['fsync']} synchronous_commit={pg['synchronous_commit']}"
    parts = [
        f"code {r['code']['commit']}{dirty}",
        f"{r['machine']['cpus']} CPUs",
        f"PostgreSQL {pg['server_version'].split()[0]} {commits}",
        f"server: {' '.join([server, *r['server']['env']])}",
        f"load: {client}, concurrency {load['concurrency']}, {load['seconds']:g} s per phase",
        f"category {load.get('category', 'robbery_assault')}",
    ]
    print("\n" + "; ".join(parts))
    columns = ("server", "postgres", "client", "other")
    print(f"{'phase':<36}{'rate/s':>8}{'errors':>8}   cores used:" + "".join(f"{c:>9}" for c in columns))
    phases = [("(2) raw INSERT, incident row only", r["raw_incident_row_only"])]
    for n, rnd in enumerate(r["rounds"], 1):
        phases += [(f"{n}: (2') raw INSERT, a report's 4 rows", rnd["raw_inserts"]),
                   (f"{n}: (4) GET /healthz", rnd["healthz"]),
                   (f"{n}: (5) POST /api/v1/reports", rnd["reports"])]
    phases.append(("(6) open loop at half of (5)", lat))
    for label, res in phases:
        if res:
            used = "".join(f"{res['cores'].get(c, float('nan')):>9.2f}" for c in columns)
            print(f"{label:<36}{res['rate']:>8.0f}{failed(res):>8}   {'':>11}{used}")
            if failed(res):
                print(f"    statuses: {res['statuses']}")
            if "outbox_backlog" in res:
                print(f"    undelivered incident.reported events at the end: {res['outbox_backlog']}")
            ratio = next((rnd["ratio"] for rnd in r["rounds"] if rnd["reports"] is res), None)
            if ratio is not None:
                print(f"    ratio (5) / min((2'), (4)) of this round: {ratio:.2f}")
            for error in res.get("errors", []):
                print(f"    error: {error}")
    if lat:
        print(f"latency at {lat['target_rate']:.0f} reports/s, from the scheduled send time: "
              f"p50 {lat['p50_ms']:.1f} ms, p99 {lat['p99_ms']:.1f} ms, max {lat['max_ms']:.1f} ms "
              f"(generator lag p99 {lat['send_lag_p99_ms']:.1f} ms)")
    if r["disturbed"]:
        print(f"WARNING: other processes used more than {NOISE_CORES} cores during a phase: "
              "these figures are disturbed; rerun on an idle machine")
    ratio = r["ratio"] or 0.0
    note = "" if r["durable"] else "  (durability OFF: not comparable)"
    verdict = "met" if ratio >= 0.5 else "NOT met"
    spread = ", ".join(f"{x:.2f}" for x in r["ratios"])
    print(f"ratio (5) / min((2'), (4)), median of {len(r['ratios'])} rounds ({spread}) = {ratio:.2f}; "
          f"goal >= 0.5: {verdict}{note}")


