"""Turns bench/run's JSON lines into the README's tables."""
import json
import platform
import subprocess
import sys

path, small, large = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = [json.loads(line) for line in open(path) if line.strip()]


def find(backend, lines, scenario, concurrency=None):
    for r in rows:
        if (r["backend"], r["lines"], r["scenario"]) == (backend, lines, scenario) and (
            concurrency is None or r["concurrency"] == concurrency
        ):
            return r
    return None


cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"Machine: {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, {platform.system()} {platform.release()}.\n")
for backend in ["sqlite", "postgres"]:
    if not find(backend, small, "dispense"):
        continue
    ceiling_name = "ceiling_pgbench" if backend == "postgres" else "ceiling_sqlite"
    print(f"**{backend}** — dispense one unit by FEFO ({small:,} lines)\n")
    print("| concurrency | mipstock req/s | p50 ms | p95 ms | p99 ms | errors | ceiling tx/s | mipstock ÷ ceiling | CPU ms/req | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in [r for r in rows if r["backend"] == backend and r["scenario"] == "dispense"]:
        c = find(backend, small, ceiling_name, r["concurrency"])
        ratio = f"{r['throughput'] / c['throughput']:.0%}" if c and c["throughput"] else "–"
        ceiling = f"{c['throughput']:.0f}" if c else "–"
        print(f"| {r['concurrency']} | {r['throughput']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | {ceiling} | {ratio} | {r['cpu_ms_per_request']:.2f} | {r['peak_rss_mb']:.0f} |")
    print()
    unqueued = [r for r in rows if r["backend"] == backend and r["scenario"] == "dispense_unqueued"]
    if unqueued:
        print(f"**{backend}** — the write tail, before (writers race in SQLite's busy handler) and after (the in-process fair queue)\n")
        print("| concurrency | before req/s | before p50 ms | before p99 ms | after req/s | after p50 ms | after p99 ms |")
        print("|---|---|---|---|---|---|---|")
        for b in unqueued:
            a = find(backend, small, "dispense", b["concurrency"])
            print(f"| {b['concurrency']} | {b['throughput']:.0f} | {b['p50_ms']:.1f} | {b['p99_ms']:.1f} | {a['throughput']:.0f} | {a['p50_ms']:.1f} | {a['p99_ms']:.1f} |")
        one = find(backend, small, "dispense", 1)
        eight = find(backend, small, "dispense", 8)
        if one and eight:
            print(f"\nTarget: p99 at 8 clients ≤ 20 × p50 at 1 client: {eight['p99_ms']:.1f} ms vs {20 * one['p50_ms']:.1f} ms.")
        print()
    print(f"**{backend}** — reads at {small:,} and {large:,} lines (concurrency 8), and the mixed day\n")
    print(f"| scenario | req/s @{small:,} | p99 ms @{small:,} | req/s @{large:,} | p99 ms @{large:,} | p99 ratio | CPU ms/req | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for scenario in ["stock", "usage", "recipients", "forecast", "forecast_c1"]:
        a, b = find(backend, small, scenario), find(backend, large, scenario)
        if not a:
            continue
        if b:
            print(f"| {scenario} | {a['throughput']:.0f} | {a['p99_ms']:.1f} | {b['throughput']:.0f} | {b['p99_ms']:.1f} | {b['p99_ms'] / a['p99_ms']:.2f}× | {b['cpu_ms_per_request']:.2f} | {b['peak_rss_mb']:.0f} |")
    m = find(backend, small, "mixed")
    if m:
        print(f"| mixed day (c=16) | {m['throughput']:.0f} | {m['p99_ms']:.1f} | | | | {m['cpu_ms_per_request']:.2f} | {m['peak_rss_mb']:.0f} |")
    print("\n(`forecast`: every active item, 90 days, 8 clients; `forecast_c1`: the same, one client.)\n")
    pages = [r for r in rows if r["backend"] == backend and r["scenario"].startswith("today_c")]
    if pages:
        print(f"**{backend}** — the web app's Today page (signed in, server-side render of the demo year: stock, forecast, alerts, refills, orders)\n")
        print("| clients | pages/s | p50 ms | p95 ms | p99 ms | errors | CPU ms/page |")
        print("|---|---|---|---|---|---|---|")
        for r in pages:
            print(f"| {r['concurrency']} | {r['throughput']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | {r['cpu_ms_per_request']:.2f} |")
        print("\nTarget: p99 under 30 ms at one client.\n")
    costs = [r for r in rows if r["backend"] == backend and r["scenario"] == "alert_cost"]
    if costs:
        print(f"**{backend}** — what evaluating `projected_stockout` adds to a dispensation (one thread, no HTTP; CPU of mipstock + of the database backend serving it, 0 for embedded SQLite)\n")
        print("| ledger lines | dispense CPU ms (with the evaluation) | evaluation CPU ms | dispense without it, CPU ms | dispense wall ms | evaluation wall ms |")
        print("|---|---|---|---|---|---|")
        for r in costs:
            with_it = r["dispense_cpu_ms"] + r.get("dispense_db_cpu_ms", 0)
            alone = r["evaluation_cpu_ms"] + r.get("evaluation_db_cpu_ms", 0)
            print(f"| {r['lines']:,} | {with_it:.3f} ({r['dispense_cpu_ms']:.3f} + {r.get('dispense_db_cpu_ms', 0):.3f}) | {alone:.3f} ({r['evaluation_cpu_ms']:.3f} + {r.get('evaluation_db_cpu_ms', 0):.3f}) | {with_it - alone:.3f} | {r['dispense_wall_ms']:.3f} | {r['evaluation_wall_ms']:.3f} |")
        print()
