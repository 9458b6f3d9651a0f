"""The load of benchmarks/load.py: one open-loop generator process, run as
``python benchmarks/_mixed.py SPEC.json`` and printing one JSON object (per-operation latencies and statuses).

Two streams of requests, each sent at its scheduled time whatever the server is doing (open loop): the units'
position updates, each unit every ``position_every_s`` (staggered evenly), and the citizens', dispatchers' and
public's requests at a constant ``rate`` per second, the operation of each drawn from the mix. A latency runs
from the scheduled time to the last byte of the answer, so a stall of the server (or of this generator) shows
in it instead of silently delaying the next requests (no coordinated omission); the generator's own lateness is
reported apart (``lag``). Only requests scheduled after the warm-up count.

A citizen's report with a photo is one operation of four requests, timed end to end as the citizen waits for
it: ask for an upload target, send the bytes there, confirm, file the report with the photo.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import uvloop

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from _common import summary
from tests.support.builders import EAST, NORTH, SOUTH, WEST, report_body

__all__ = ["OPERATIONS"]

OPERATIONS = ("report", "report_photo", "position", "console", "public")
_TIMEOUT = aiohttp.ClientTimeout(total=30)


class Failed(Exception):
    def __init__(self, status: str, text: str) -> None:
        super().__init__(status)
        self.status, self.text = status, text


def _point(rng: random.Random) -> dict[str, float]:
    return {"lat": round(SOUTH + rng.random() * (NORTH - SOUTH), 6),
            "lon": round(WEST + rng.random() * (EAST - WEST), 6), "accuracy_m": 12.5}


async def _expect(response: aiohttp.ClientResponse, status: int) -> bytes:
    body = await response.read()
    if response.status != status:
        raise Failed(str(response.status), body[:300].decode(errors="replace"))
    return body


class Client:
    """The requests of each operation."""

    def __init__(self, http: aiohttp.ClientSession, spec: dict, rng: random.Random) -> None:
        self.http, self.spec, self.rng = http, spec, rng
        self.photo = Path(spec["photo"]).read_bytes()
        self.tag = spec["tag"]

    def _report(self, photo_ids: list[str] | None = None) -> tuple[dict, dict]:
        spec, rng = self.spec, self.rng
        category = spec["p1_category"] if rng.random() < spec["p1_share"] else spec["category"]
        body = report_body(category=category, location=_point(rng))
        if photo_ids:
            body["photo_ids"] = photo_ids
        return body, {"Idempotency-Key": f"load-{self.tag}-{uuid.uuid4().hex}"}

    async def report(self) -> None:
        body, headers = self._report()
        async with self.http.post("/api/v1/reports", json=body, headers=headers) as r:
            await _expect(r, 201)

    async def report_photo(self) -> None:
        ask = {"content_type": "image/jpeg", "size_bytes": len(self.photo)}
        async with self.http.post("/api/v1/uploads", json=ask) as r:
            created = json.loads(await _expect(r, 201))
        target = created["upload"]
        async with self.http.request(target["method"], target["url"], data=self.photo,
                                     headers=target["headers"]) as r:
            await _expect(r, 204)
        async with self.http.post(f"/api/v1/uploads/{created['id']}/complete") as r:
            await _expect(r, 200)
        body, headers = self._report([created["id"]])
        async with self.http.post("/api/v1/reports", json=body, headers=headers) as r:
            await _expect(r, 201)

    async def position(self, token: str) -> None:
        body = {**_point(self.rng), "device_at": datetime.now(UTC).isoformat()}
        async with self.http.post("/api/v1/field/position", json=body,
                                  headers={"Authorization": f"Bearer {token}"}) as r:
            await _expect(r, 204)

    async def console(self) -> None:
        token = self.rng.choice(self.spec["dispatcher_tokens"])
        async with self.http.get("/api/v1/incidents", params={"limit": "200"},
                                 headers={"Authorization": f"Bearer {token}"}) as r:
            await _expect(r, 200)

    async def public(self) -> None:
        async with self.http.get("/api/v1/public/incidents") as r:
            await _expect(r, 200)


async def generate(spec: dict) -> dict:
    loop = asyncio.get_running_loop()
    rng = random.Random(spec["seed"])
    latencies: dict[str, list[float]] = {op: [] for op in OPERATIONS}
    statuses: dict[str, Counter] = {op: Counter() for op in OPERATIONS}
    errors: list[str] = []
    lags: list[float] = []
    warmup, seconds = spec["warmup_s"], spec["seconds"]
    connector = aiohttp.TCPConnector(limit=spec["max_connections"])
    async with aiohttp.ClientSession(spec["url"], connector=connector, timeout=_TIMEOUT) as http:
        client = Client(http, spec, rng)
        t0 = loop.time() + max(0.0, spec["start_at"] - time.time())
        measured_from, end = t0 + warmup, t0 + warmup + seconds

        async def one(op: str, due: float, call) -> None:
            lag = loop.time() - due
            try:
                await call
                status = "ok"
            except Failed as exc:
                status = exc.status
                if len(errors) < 8:
                    errors.append(f"{op} {exc.status}: {exc.text}")
            except (TimeoutError, aiohttp.ClientError) as exc:
                status = "exception"
                if len(errors) < 8:
                    errors.append(f"{op}: {exc!r}")
            if due >= measured_from:
                lags.append(lag * 1000)
                statuses[op][status] += 1
                if status == "ok":
                    latencies[op].append((loop.time() - due) * 1000)

        tasks: list[asyncio.Task] = []

        async def at(due: float) -> None:
            if due > loop.time():
                await asyncio.sleep(due - loop.time())

        async def mixed() -> None:
            ops, weights = zip(*spec["mix"].items(), strict=True)
            rate = spec["rate"]
            for i in range(int(rate * (warmup + seconds))):
                due = t0 + spec["offset_s"] + i / rate
                await at(due)
                op = rng.choices(ops, weights)[0]
                tasks.append(asyncio.create_task(one(op, due, getattr(client, op)())))

        async def positions() -> None:
            tokens, every = spec["officer_tokens"], spec["position_every_s"]
            if not tokens:
                return
            # Unit i reports at i * every / n, then every ``every`` seconds.
            schedule = sorted((t0 + (i + k * len(tokens)) * every / len(tokens), i)
                              for i in range(len(tokens)) for k in range(int((warmup + seconds) / every) + 1))
            for due, i in schedule:
                if due >= end:
                    break
                await at(due)
                tasks.append(asyncio.create_task(one("position", due, client.position(tokens[i]))))

        await asyncio.gather(mixed(), positions())
        await asyncio.gather(*tasks)
    return {
        "operations": {op: {**summary(latencies[op]), "statuses": dict(statuses[op])} for op in OPERATIONS},
        "lag_ms": summary(lags),
        "errors": errors,
    }


if __name__ == "__main__":
    print(json.dumps(uvloop.run(generate(json.loads(Path(sys.argv[1]).read_text())))))
