"""HTTP load for benchmarks/intake.py: closed-loop (wrk or aiohttp) and open-loop constant rate (aiohttp).

Each generator runs in its own process, so that the orchestrator's event loop never slows it down. Run as a
script (``python benchmarks/_load.py closed|open ...``) a generator prints one JSON object on stdout.

Two kinds of request: ``healthz`` (GET /healthz, expects 200) and ``report`` (POST /api/v1/reports with a
fresh Idempotency-Key and a random point inside the test city, expects 201).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
import uvloop

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.builders import EAST, NORTH, SOUTH, WEST, report_body

__all__ = ["closed_loop", "ensure_wrk", "open_loop", "random_point"]

_TIMEOUT = aiohttp.ClientTimeout(total=30)
KINDS = {"healthz": ("GET", "/healthz", 200), "report": ("POST", "/api/v1/reports", 201)}


def random_point(rng: random.Random) -> tuple[float, float]:
    """(lon, lat) strictly inside the test city's service area."""
    return WEST + rng.random() * (EAST - WEST), SOUTH + rng.random() * (NORTH - SOUTH)


def _request(kind: str, key: str, rng: random.Random, category: str) -> tuple[dict[str, str], bytes | None]:
    if kind == "healthz":
        return {}, None
    lon, lat = random_point(rng)
    location = {"lat": round(lat, 6), "lon": round(lon, 6), "accuracy_m": 12.5}
    body = report_body(category=category, location=location)
    return {"Content-Type": "application/json", "Idempotency-Key": f"bench-{key}"}, json.dumps(body).encode()


def _summary(statuses: Counter, expected: int, seconds: float, errors: list[str], **extra) -> dict:
    ok = statuses.get(str(expected), 0)
    return {"ok": ok, "seconds": seconds, "rate": ok / seconds if seconds else 0.0,
            "statuses": dict(statuses), "errors": errors[:5], **extra}


# ---------------------------------------------------------------- generators (run in a child process)

async def _closed(url: str, kind: str, concurrency: int, measure_from: float, measure_to: float,
                  tag: str, category: str) -> dict:
    method, path, expected = KINDS[kind]
    statuses: Counter = Counter()
    errors: list[str] = []
    rng = random.Random(tag)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(url, connector=connector, timeout=_TIMEOUT) as session:

        async def user(n: int) -> None:
            i = 0
            while time.time() < measure_to:
                i += 1
                headers, body = _request(kind, f"{tag}-{n}-{i}", rng, category)
                try:
                    async with session.request(method, path, headers=headers, data=body) as resp:
                        text = await resp.read()
                        status = str(resp.status)
                except (TimeoutError, aiohttp.ClientError) as exc:
                    status, text = "exception", repr(exc).encode()
                if measure_from <= time.time() <= measure_to:
                    statuses[status] += 1
                    if status != str(expected) and len(errors) < 5:
                        errors.append(f"{status}: {text[:300].decode(errors='replace')}")

        await asyncio.gather(*(user(n) for n in range(concurrency)))
    return _summary(statuses, expected, measure_to - measure_from, errors)


async def _open(url: str, kind: str, rate: float, start_at: float, seconds: float, max_conn: int,
                tag: str, category: str) -> dict:
    """Requests scheduled at fixed times; latency runs from the scheduled time, so a stall is not hidden."""
    method, path, expected = KINDS[kind]
    loop = asyncio.get_running_loop()
    statuses: Counter = Counter()
    errors: list[str] = []
    latencies: list[float] = []
    lags: list[float] = []
    rng = random.Random(tag)
    connector = aiohttp.TCPConnector(limit=max_conn)
    async with aiohttp.ClientSession(url, connector=connector, timeout=_TIMEOUT) as session:

        async def one(i: int, due: float) -> None:
            lags.append(loop.time() - due)
            headers, body = _request(kind, f"{tag}-{i}", rng, category)
            try:
                async with session.request(method, path, headers=headers, data=body) as resp:
                    text = await resp.read()
                    status = str(resp.status)
            except (TimeoutError, aiohttp.ClientError) as exc:
                status, text = "exception", repr(exc).encode()
            statuses[status] += 1
            if status == str(expected):
                latencies.append((loop.time() - due) * 1000)
            elif len(errors) < 5:
                errors.append(f"{status}: {text[:300].decode(errors='replace')}")

        await asyncio.sleep(max(0.0, start_at - time.time()))
        t0, tasks = loop.time(), []
        for i in range(int(rate * seconds)):
            due = t0 + i / rate
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            tasks.append(asyncio.create_task(one(i, due)))
        await asyncio.gather(*tasks)
    return _summary(statuses, expected, seconds, errors, target_rate=rate,
                    p50_ms=_percentile(latencies, 0.50), p99_ms=_percentile(latencies, 0.99),
                    max_ms=max(latencies, default=None),
                    send_lag_p99_ms=(_percentile(lags, 0.99) or 0) * 1000)


def _percentile(values: list[float], q: float) -> float | None:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else None


def _child_main(argv: list[str]) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["closed", "open"])
    p.add_argument("--url", required=True)
    p.add_argument("--kind", choices=list(KINDS), required=True)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--rate", type=float, default=0)
    p.add_argument("--start-at", type=float, required=True)
    p.add_argument("--until", type=float, default=0)
    p.add_argument("--seconds", type=float, default=0)
    p.add_argument("--tag", required=True)
    p.add_argument("--category", required=True)
    a = p.parse_args(argv)
    if a.mode == "closed":
        coro = _closed(a.url, a.kind, a.concurrency, a.start_at, a.until, a.tag, a.category)
    else:
        coro = _open(a.url, a.kind, a.rate, a.start_at, a.seconds, a.concurrency, a.tag, a.category)
    print(json.dumps(uvloop.run(coro)))


# ---------------------------------------------------------------- orchestrator side

async def _run_children(argvs: list[list[str]]) -> list[dict]:
    procs = [await asyncio.create_subprocess_exec(sys.executable, __file__, *argv, stdout=subprocess.PIPE)
             for argv in argvs]
    try:
        outs = [await p.communicate() for p in procs]
    finally:  # cancelled (Ctrl-C, SIGTERM): stop the load too
        for p in procs:
            if p.returncode is None:
                p.kill()
    for p in procs:
        if p.returncode != 0:
            raise RuntimeError(f"load generator exited with {p.returncode}")
    return [json.loads(out) for out, _ in outs]


def _merge(parts: list[dict], expected: int) -> dict:
    statuses: Counter = Counter()
    for part in parts:
        statuses.update(part["statuses"])
    errors = [e for part in parts for e in part["errors"]]
    return _summary(statuses, expected, parts[0]["seconds"], errors)


async def closed_loop(url: str, kind: str, *, concurrency: int, seconds: float, warmup: float, client: str,
                      procs: int, tag: str, category: str) -> dict:
    """Closed loop: ``concurrency`` connections each sending its next request when the last one answered."""
    if client == "wrk":
        return await _wrk(url, kind, concurrency=concurrency, seconds=seconds, warmup=warmup, tag=tag,
                          category=category)
    start = time.time() + 1.0 + warmup  # 1 s for the children to start, then the warm-up
    shares = [concurrency // procs + (1 if i < concurrency % procs else 0) for i in range(procs)]
    parts = await _run_children([
        ["closed", "--url", url, "--kind", kind, "--concurrency", str(c), "--start-at", str(start),
         "--until", str(start + seconds), "--tag", f"{tag}-p{i}", "--category", category]
        for i, c in enumerate(shares) if c
    ])
    return _merge(parts, KINDS[kind][2])


async def open_loop(url: str, kind: str, *, rate: float, seconds: float, max_conn: int, tag: str,
                    category: str) -> dict:
    (result,) = await _run_children([[
        "open", "--url", url, "--kind", kind, "--rate", str(rate), "--concurrency", str(max_conn),
        "--start-at", str(time.time() + 1.0), "--seconds", str(seconds), "--tag", tag, "--category", category,
    ]])
    return result


def ensure_wrk() -> bool:
    """wrk from Debian, installed through scripts/lib.sh (apt) only when missing."""
    if shutil.which("wrk"):
        return True
    subprocess.run(["bash", "-c", f'source "{ROOT}/scripts/lib.sh" && ensure_debs wrk'], check=False)
    return shutil.which("wrk") is not None


_LUA = r"""
local threads = {}
function setup(thread) thread:set("tid", #threads + 1); table.insert(threads, thread) end
function init(args)
  prefix = "bench-" .. args[1] .. "-t" .. tid; n = 0; statuses = {}; sample = nil
  math.randomseed(os.time() * 97 + tid)
  plain = args[2] == "healthz" and wrk.format("GET") or nil
end
function request()
  if plain then return plain end
  n = n + 1
  local lon = @WEST@ + math.random() * (@EAST@ - @WEST@)
  local lat = @SOUTH@ + math.random() * (@NORTH@ - @SOUTH@)
  local headers = {["Content-Type"] = "application/json", ["Idempotency-Key"] = prefix .. "-" .. n}
  return wrk.format("POST", nil, headers, string.format([==[@BODY@]==], lat, lon))
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= @EXPECTED@ and sample == nil then sample = body end
end
function done(summary, latency, requests)
  local parts, sample_out = {}, ""
  local agg = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do agg[k] = (agg[k] or 0) + v end
    sample_out = t:get("sample") or sample_out
  end
  for k, v in pairs(agg) do table.insert(parts, string.format('"%d": %d', k, v)) end
  local e = summary.errors
  local line = 'BENCH_JSON {"duration_us": %d, "statuses": {%s}, "socket_errors": %d, "sample": "%s"}\n'
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format(line, summary.duration, table.concat(parts, ", "), socket_errors,
    (sample_out:sub(1, 300):gsub('[%c"\\]', " "))))
end
"""


def _lua(kind: str, category: str) -> str:
    location = {"lat": "@LAT@", "lon": "@LON@", "accuracy_m": 12.5}
    body = json.dumps(report_body(category=category, location=location))
    body = body.replace('"@LAT@"', "%.6f").replace('"@LON@"', "%.6f")
    values = {"WEST": WEST, "EAST": EAST, "SOUTH": SOUTH, "NORTH": NORTH, "BODY": body,
              "EXPECTED": KINDS[kind][2]}
    script = _LUA
    for name, value in values.items():
        script = script.replace(f"@{name}@", str(value))
    return script


async def _wrk(url: str, kind: str, *, concurrency: int, seconds: float, warmup: float, tag: str,
               category: str) -> dict:
    _, path, expected = KINDS[kind]
    threads = max(1, min(os.cpu_count() or 1, concurrency))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_lua(kind, category))
    try:
        result = None
        for phase, duration in (("warm", warmup), ("main", seconds)):
            if duration <= 0:
                continue
            proc = await asyncio.create_subprocess_exec(
                "wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{duration:g}s", "--timeout", "30s",
                "-s", f.name, url + path, "--", f"{tag}-{phase}", kind, stdout=subprocess.PIPE)
            try:
                out, _ = await proc.communicate()
            finally:
                if proc.returncode is None:
                    proc.kill()
            line = next((ln for ln in out.decode().splitlines() if ln.startswith("BENCH_JSON ")), None)
            if proc.returncode != 0 or line is None:
                raise RuntimeError(f"wrk failed ({proc.returncode}): {out.decode()[-500:]}")
            result = json.loads(line.removeprefix("BENCH_JSON "))
        statuses = Counter(result["statuses"])
        if result["socket_errors"]:
            statuses["socket_error"] += result["socket_errors"]
        errors = [f"sample non-{expected} body: {result['sample']}"] if result["sample"] else []
        return _summary(statuses, expected, result["duration_us"] / 1e6, errors, threads=threads)
    finally:
        os.unlink(f.name)


if __name__ == "__main__":
    _child_main(sys.argv[1:])
