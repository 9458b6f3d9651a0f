"""Phase (2) of benchmarks/dispatch.py: a citizen's P1 report until the nearest officer hears of it, on the
real server, by WebSocket and by Web Push (to the local push service of tests/support/push_endpoint.py).

One officer rides in the unit nearest to the report point. Each round: wait until the outbox is idle (or, in
the busy rounds, do not), POST a P1 report a few metres from the unit, wait for ``assignment.created`` on the
officer's field socket and for the decrypted push, then acknowledge and clear the assignment through the field
API, which makes the unit available again the way it happens on a real shift (a decline would also free it but
would leave every report open in the dispatch queue). Afterwards the outbox rows of each round give the
server-side stages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import random
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import asyncpg
from _common import summary
from _host import CpuMeter, free_port, start_server, stop_server, wait_healthy
from sereno.core.idempotency import PURGE_TOPIC
from sereno.core.outbox import _LEASE_S  # private, but the claim times below are derived from it
from sereno.settings import load_settings
from websockets.asyncio.client import connect

from tests.support.builders import TEST_CITY, report_body
from tests.support.push_endpoint import Browser, PushService, Received
from tests.support.staff import PASSWORD, StaffMember, create_staff, create_unit

__all__ = ["measure_end_to_end"]

_WAIT_S = 10.0  # a round that hears nothing for this long counts as missed
# The worker is woken by NOTIFY and polls every 5 s otherwise: a pickup this late was not woken.
_LATE_PICKUP_MS = 1000.0
_POSITION_EVERY_S = 15.0  # the field app reports its position every 15-30 s


class Inbox:
    """Arrival times by key, filled from the event loop or (push service) from another thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.items: dict[tuple, tuple[float, dict]] = {}
        self._waiters: dict[tuple, asyncio.Future] = {}

    def put(self, key: tuple, value: tuple[float, dict]) -> None:
        self.items[key] = value
        waiter = self._waiters.pop(key, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(value)

    def put_threadsafe(self, key: tuple, value: tuple[float, dict]) -> None:
        self.loop.call_soon_threadsafe(self.put, key, value)

    async def get(self, key: tuple, timeout: float) -> tuple[float, dict] | None:
        if key in self.items:
            return self.items[key]
        waiter = self._waiters[key] = self.loop.create_future()
        try:
            return await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            return None
        finally:
            self._waiters.pop(key, None)


def time_arrivals(browser: Browser, inbox: Inbox, lock: threading.Lock) -> None:
    """Stamp each push the moment the browser has decrypted it (push_endpoint keeps no arrival time)."""
    accept = browser._accept

    def timed_accept(body: bytes, headers: dict[str, str]) -> None:
        with lock:  # the push service serves each request on its own thread
            accept(body, headers)
            now = time.monotonic()
            received: Received = browser.received[-1]
        assignment_id = int(received.payload["data"]["assignment_id"])
        inbox.put_threadsafe(("push", assignment_id), (now, received.payload))

    browser._accept = timed_accept  # type: ignore[method-assign]


class Officer:
    """The officer's phone: a session, the field socket, a push subscription."""

    def __init__(self, http: aiohttp.ClientSession, member: StaffMember, unit_id: int,
                 spot: tuple[float, float]) -> None:
        self.http, self.member, self.unit_id, self.spot = http, member, unit_id, spot
        self.token = ""
        self.messages: Counter = Counter()
        self.position_sent = 0.0

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def log_in(self) -> None:
        async with self.http.post("/api/v1/auth/login",
                                  json={"username": self.member.username, "password": PASSWORD}) as r:
            body = await _ok(r, 200)
        self.token = body["access_token"]

    async def subscribe_push(self, push: PushService, inbox: Inbox) -> Browser:
        async with self.http.get("/api/v1/push/vapid-public-key") as r:
            key = (await _ok(r, 200))["key"]
        browser = push.new_browser(key)
        time_arrivals(browser, inbox, threading.Lock())
        async with self.http.post("/api/v1/push/subscriptions", json=browser.subscription(),
                                  headers={**self.headers, "Accept-Language": "es"}) as r:
            await _ok(r, 201)
        return browser

    async def report_position(self) -> None:
        lon, lat = self.spot
        body = {"lat": lat, "lon": lon, "accuracy_m": 8.0, "device_at": datetime.now(UTC).isoformat()}
        async with self.http.post("/api/v1/field/position", json=body, headers=self.headers) as r:
            await _ok(r, 204)
        self.position_sent = time.monotonic()

    async def listen(self, ws_url: str, inbox: Inbox, ready: asyncio.Event) -> None:
        async with connect(f"{ws_url}/ws/field?token={self.token}", max_queue=None) as ws:
            ready.set()
            async for raw in ws:
                now = time.monotonic()
                message = json.loads(raw)
                self.messages[message["type"]] += 1
                if message["type"] == "assignment.created":
                    inbox.put(("ws", message["data"]["incident_id"]), (now, message["data"]))

    async def step(self, assignment_id: int, action: str, **extra: str) -> None:
        body = {"action_id": str(uuid.uuid4()), "device_at": datetime.now(UTC).isoformat(), **extra}
        async with self.http.post(f"/api/v1/field/assignments/{assignment_id}/{action}", json=body,
                                  headers=self.headers) as r:
            await _ok(r, 200)


async def _ok(response: aiohttp.ClientResponse, status: int) -> dict:
    text = await response.text()
    if response.status != status:
        raise RuntimeError(f"{response.method} {response.url.path}: {response.status} {text[:300]}")
    return json.loads(text) if text else {}


def _near(spot: tuple[float, float], rng: random.Random, metres: float) -> tuple[float, float]:
    """A point within ``metres`` of ``spot`` (lon, lat)."""
    r, a = metres * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    dlat = r * math.sin(a) / 111_320
    dlon = r * math.cos(a) / (111_320 * math.cos(math.radians(spot[1])))
    return round(spot[0] + dlon, 6), round(spot[1] + dlat, 6)


async def _wait_idle(db: asyncpg.Connection, timeout: float = 10.0) -> bool:
    """True once no event (but the periodic purge) is pending or leased: the worker has nothing to do."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not await db.fetchval("SELECT count(*) FROM outbox_event WHERE done_at IS NULL AND topic <> $1",
                                 PURGE_TOPIC):
            return True
        await asyncio.sleep(0.005)
    return False


async def _round(i: int, officer: Officer, db: asyncpg.Connection, inbox: Inbox, tenant_id: int,
                 rng: random.Random, tag: str) -> dict:
    lon, lat = _near(officer.spot, rng, 3.0)
    data = json.dumps(report_body(location={"lat": lat, "lon": lon, "accuracy_m": 10.0}))
    headers = {"Content-Type": "application/json", "Idempotency-Key": f"bench-dispatch-{tag}-{i}"}
    out: dict = {"round": i}
    sent_wall, sent = time.time(), time.monotonic()
    async with officer.http.post("/api/v1/reports", data=data, headers=headers) as r:
        body = await _ok(r, 201)
    out["post_ms"] = (time.monotonic() - sent) * 1000
    out["sent_at"] = sent_wall
    incident_id = await db.fetchval("SELECT id FROM incident WHERE tenant = $1 AND code = $2",
                                    tenant_id, body["code"])
    out["incident_id"] = incident_id
    ws = await inbox.get(("ws", incident_id), _WAIT_S)
    if ws is None:
        row = await db.fetchrow("SELECT id, unit FROM assignment WHERE incident = $1", incident_id)
        if row is None or row["unit"] != officer.unit_id:
            out["missed"] = f"not assigned to the officer's unit: {row and dict(row)}"
            return out
        out["missed"] = "websocket"
        assignment_id = row["id"]
    else:
        out["ws_ms"] = (ws[0] - sent) * 1000
        assignment_id = ws[1]["id"]
    out["assignment_id"] = assignment_id
    push = await inbox.get(("push", assignment_id), _WAIT_S)
    if push is None:
        out["missed"] = " and ".join(filter(None, (out.get("missed"), "push")))
    else:
        out["push_ms"] = (push[0] - sent) * 1000
    await officer.step(assignment_id, "acknowledge")
    await officer.step(assignment_id, "clear", outcome="resolved_on_scene")
    return out


async def measure_end_to_end(dsn: str, tenant_id: int, *, spot: tuple[float, float], media: Path,
                             rounds: int, busy_rounds: int, warmup: int, rng: random.Random,
                             postmaster: int | None) -> dict:
    """Officer and unit at ``spot``, the push service, the real server; then the timed rounds."""
    db = await asyncpg.connect(dsn)
    push = PushService().start()
    server = ws_task = None
    env = {**os.environ, "DATABASE_URL": dsn, "SERENO_DEFAULT_TENANT": TEST_CITY["slug"],
           "SERENO_RATE_LIMIT_PER_MINUTE": "1000000000", "SERENO_LOG_LEVEL": "warning", "SERENO_WORKERS": "1",
           "SERENO_WORKER_IN_PROCESS": "true", "SERENO_MEDIA_DIR": str(media),
           "SERENO_VAPID_SUBJECT": "mailto:central@sereno.test", "SERENO_PUSH_TTL_S": "900",
           "SERENO_PUSH_EXTRA_HOSTS": "127.0.0.1"}
    try:
        member = await create_staff(db, tenant_id=tenant_id, role="officer", full_name="Agente de Prueba")
        unit_id = await create_unit(db, tenant_id=tenant_id, members=(member,), agency="serenazgo",
                                    position={"lon": spot[0], "lat": spot[1]})
        port, log = free_port(), media / "server.log"
        url = f"http://127.0.0.1:{port}"
        server = await start_server(env, port, 1, log)
        await wait_healthy(url, server, log)
        async with aiohttp.ClientSession(url, timeout=aiohttp.ClientTimeout(total=30)) as http:
            inbox = Inbox(asyncio.get_running_loop())
            officer = Officer(http, member, unit_id, spot)
            await officer.log_in()
            await officer.subscribe_push(push, inbox)
            ready = asyncio.Event()
            ws_task = asyncio.create_task(officer.listen(f"ws://127.0.0.1:{port}", inbox, ready))
            await asyncio.wait_for(ready.wait(), 10)
            meter = CpuMeter(server=server.pid, postgres=postmaster)
            common = {"tenant_id": tenant_id, "rng": rng, "tag": str(os.getpid())}
            cold = await _run_rounds(officer, db, inbox, rounds=warmup, first=0, idle=True, **common)
            result = {"warmup_rounds": cold["rounds_ms"]}
            result["idle"] = await meter.measure(
                _run_rounds(officer, db, inbox, rounds=rounds, first=warmup, idle=True, **common))
            if busy_rounds:
                result["busy"] = await meter.measure(_run_rounds(
                    officer, db, inbox, rounds=busy_rounds, first=warmup + rounds, idle=False, **common))
        result["socket_messages"] = dict(officer.messages)
        result["push_service_rejected"] = push.rejected
        result["server"] = {"workers": 1, "worker_in_process": True,
                            "pool_size": load_settings(env).db.pool_size, "log_tail": log.read_text()[-1500:]}
        return result
    finally:
        if ws_task is not None:
            ws_task.cancel()
            with contextlib.suppress(BaseException):
                await ws_task
        if server is not None:
            await stop_server(server)
        push.stop()
        await db.close()


async def _run_rounds(officer: Officer, db: asyncpg.Connection, inbox: Inbox, *, tenant_id: int, rounds: int,
                      first: int, idle: bool, rng: random.Random, tag: str) -> dict:
    """``idle``: each report waits until the outbox is idle; otherwise it goes out 0-30 ms after the previous
    round's ``clear`` answered, while the worker still publishes that step's events."""
    results, not_idle = [], 0
    for i in range(first, first + rounds):
        if time.monotonic() - officer.position_sent > _POSITION_EVERY_S:
            await officer.report_position()
        if idle:
            not_idle += not await _wait_idle(db)
            await asyncio.sleep(rng.uniform(0, 0.02))  # not in lock-step with the worker's loop
        else:
            await asyncio.sleep(rng.uniform(0, 0.03))
        results.append(await _round(i, officer, db, inbox, tenant_id, rng, tag))
    await _wait_idle(db)
    stages = await _stages(db, results)
    return {
        "rounds": rounds,
        "post_to_201_ms": summary([r["post_ms"] for r in results if "post_ms" in r]),
        "post_to_websocket_ms": summary([r["ws_ms"] for r in results if "ws_ms" in r]),
        "post_to_push_ms": summary([r["push_ms"] for r in results if "push_ms" in r]),
        "missed": [r for r in results if "missed" in r],
        "outbox_not_idle_before_round": not_idle,
        "picked_up_by_poll_not_notify": stages["late_pickups"],
        "stages_ms_after_post": stages["summary"],
        "hops_ms": stages["hops"],
        "slowest_rounds": stages["slowest"],
        "rounds_ms": [{k: round(v, 2) for k, v in r.items() if k.endswith("_ms")} for r in results],
    }


# Per round, the outbox rows on the way to the officer. A claim sets available_at to now() + the lease, so
# the claim time is available_at - lease (only meaningful for rows done at the first attempt).
_ROWS = f"""
SELECT o.topic, o.attempts,
       extract(epoch FROM o.available_at - interval '{_LEASE_S} seconds') AS claimed,
       extract(epoch FROM o.done_at) AS done,
       coalesce(o.payload->>'incident_id', o.payload->'message'->'data'->>'incident_id') AS incident,
       o.payload->'message'->'data'->>'assignment_id' AS assignment
FROM outbox_event o
WHERE (o.topic = 'incident.reported' AND (o.payload->>'incident_id')::bigint = ANY($1::bigint[]))
   OR (o.topic = 'realtime.publish' AND o.payload->'message'->>'type' = 'assignment.created'
       AND (o.payload->'message'->'data'->>'incident_id')::bigint = ANY($1::bigint[]))
   OR (o.topic IN ('notify.push', 'notify.deliver')
       AND o.payload->'message'->'data'->>'assignment_id' = ANY($2::text[]))
"""
_STAGES = (
    ("201 received (report committed)", None, "post_ms"),
    ("worker claims incident.reported", "reported.claimed", None),
    ("auto-dispatch committed", "reported.done", None),
    ("notify.push claimed (fan-out)", "push.claimed", None),
    ("notify.push done (deliver queued)", "push.done", None),
    ("assignment.created claimed", "ws.claimed", None),
    ("assignment.created published (row done)", "ws.done", None),
    ("WebSocket message received", None, "ws_ms"),
    ("notify.deliver claimed", "deliver.claimed", None),
    ("notify.deliver done (push service 201)", "deliver.done", None),
    ("push decrypted at push service", None, "push_ms"),
)

# Durations inside the worker, per round.
_HOPS = (
    ("incident.reported handler (publish + auto-dispatch)", "reported.claimed", "reported.done"),
    ("auto-dispatch committed -> next batch claimed", "reported.done", "push.claimed"),
    ("notify.push fan-out handler", "push.claimed", "push.done"),
    ("batch claimed -> assignment.created published", "ws.claimed", "ws.done"),
    ("fan-out done -> notify.deliver claimed (rest of batch)", "push.done", "deliver.claimed"),
    ("notify.deliver handler (Web Push send)", "deliver.claimed", "deliver.done"),
)


async def _stages(db: asyncpg.Connection, rounds: list[dict]) -> dict:
    done = [r for r in rounds if "assignment_id" in r]
    rows = await db.fetch(_ROWS, [r["incident_id"] for r in done], [str(r["assignment_id"]) for r in done])
    by_incident = {r["incident_id"]: {} for r in done}
    by_assignment = {str(r["assignment_id"]): r["incident_id"] for r in done}
    kind = {"incident.reported": "reported", "realtime.publish": "ws", "notify.push": "push",
            "notify.deliver": "deliver"}
    for row in rows:
        incident = int(row["incident"]) if row["incident"] else by_assignment.get(row["assignment"])
        if incident in by_incident and row["attempts"] == 1:
            for field in ("claimed", "done"):
                by_incident[incident][f"{kind[row['topic']]}.{field}"] = float(row[field])
    table, per_round = [], []
    for r in done:
        stamps = by_incident[r["incident_id"]]
        per_round.append({label: (stamps[key] - r["sent_at"]) * 1000 if key else r.get(client)
                          for label, key, client in _STAGES if (key in stamps if key else client in r)})
    for label, _, _ in _STAGES:
        table.append({"stage": label, **summary([p[label] for p in per_round if label in p], 1)})
    hops = []
    for label, start, end in _HOPS:
        values = [by_incident[r["incident_id"]][end] - by_incident[r["incident_id"]][start] for r in done
                  if {start, end} <= by_incident[r["incident_id"]].keys()]
        hops.append({"hop": label, **summary([v * 1000 for v in values], 1)})
    pickup = "worker claims incident.reported"
    late = [p[pickup] for p in per_round if p.get(pickup, 0) > _LATE_PICKUP_MS]
    slowest = sorted(per_round, key=lambda p: p.get(_STAGES[-1][0], math.inf), reverse=True)[:3]
    return {"summary": table, "hops": hops, "late_pickups": [round(v) for v in late],
            "slowest": [{k: round(v, 1) for k, v in p.items()} for p in slowest]}
