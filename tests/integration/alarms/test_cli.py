"""``sereno alarms ...`` as an administrator runs it: keys are printed once, rotation stops at two valid keys,
and a revoked key is marked in the listing."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys

from tests.integration.alarms.conftest import CITY, SHOP


async def sereno(*args: str) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "sereno", "alarms", *args], env=dict(os.environ),
        capture_output=True, text=True, timeout=60, check=False)


async def test_partner_keys_and_devices_from_the_command_line(alarm_city):
    created = await sereno("partner", "create", "--tenant", CITY["slug"], "--name", "Alarmas del Norte")
    assert created.returncode == 0, created.stderr
    partner = re.search(r"^partner (\d+)", created.stdout, re.MULTILINE).group(1)
    first_key = created.stdout.strip().splitlines()[-1]
    assert first_key.startswith("ask_")

    rotated = await sereno("key", "rotate", "--partner", partner)
    third = await sereno("key", "rotate", "--partner", partner)
    listed = await sereno("key", "list", "--partner", partner)

    assert rotated.returncode == 0 and rotated.stdout.strip().splitlines()[-1] not in (first_key, "")
    assert third.returncode == 1 and "alarm_partner_has_two_keys" in third.stderr
    old_id = listed.stdout.splitlines()[0].split("\t")[0]
    assert (await sereno("key", "revoke", "--partner", partner, "--key-id", old_id)).returncode == 0
    assert "revoked" in (await sereno("key", "list", "--partner", partner)).stdout.splitlines()[0]
    assert first_key not in listed.stdout  # only fingerprints are ever listed

    added = await sereno("device", "add", "--partner", partner, "--device-id", "PANEL-1", "--name", "Farmacia",
                         "--lat", str(SHOP["lat"]), "--lon", str(SHOP["lon"]), "--heartbeat-s", "900")
    outside = await sereno("device", "add", "--partner", partner, "--device-id", "PANEL-2", "--name", "Lejos",
                           "--lat", "-12.12", "--lon", "-77.03")
    assert added.returncode == 0, added.stderr
    assert outside.returncode == 1 and "alarm_device_outside_area" in outside.stderr
    assert f"tenant={CITY['name']}" in outside.stderr  # the refusal names the city whose area it is
