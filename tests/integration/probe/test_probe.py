from tests.support.staff import *
from tests.support.fixtures import decode


async def test_probe(client, db, city, app):
    disp = await login(client, await create_staff(db, tenant_id=city, role="dispatcher"))
    sup = await login(client, await create_staff(db, tenant_id=city, role="supervisor"))
    off = await create_staff(db, tenant_id=city, role="officer")
    unit = await create_unit(db, tenant_id=city, members=(off,))
    offs = await login(client, off)
    print(offs.user)
    inc = await create_incident(client, disp)
    [a] = await assign_units(client, disp, inc["id"], unit)
    for step in ("acknowledge", "on_scene"):
        r = await field_action(client, offs, a["id"], step)
        print(step, r.status_code)
    r = await field_action(client, offs, a["id"], "clear", outcome="resolved_on_scene")
    print("clear", r.status_code)
    d = decode(await client.get(f"/api/v1/incidents/{inc['id']}", headers=disp.headers))
    print(d["status"], d["version"])
    r = await client.post(f"/api/v1/incidents/{inc['id']}/reopen", json={"version": d["version"], "reason": "vuelve"}, headers=sup.headers)
    print("reopen", r.status_code, decode(r)["status"])
    [b] = await assign_units(client, disp, inc["id"], unit)
    r = await field_action(client, offs, b["id"], "decline")
    print("decline", r.status_code)
    d = decode(await client.get(f"/api/v1/incidents/{inc['id']}", headers=disp.headers))
    print("after decline", d["status"])
    for path in ["/api/v1/incidents/987654321/duplicates", "/api/v1/incidents/987654321/recommendations", "/api/v1/units/987654321/clear-emergency"]:
        r = await (client.get if "clear" not in path else client.post)(path, headers=disp.headers)
        print(path, r.status_code)
    r = await client.post("/api/v1/incidents/987654321/triage", json={}, headers={})
    print("anon triage", r.status_code, r.text)
    r = await client.post("/api/v1/auth/login", json={"username": "nobody", "password": "x"})
    print(r.status_code, r.text, r.headers)
