# Shared set-up steps for scripts/run and scripts/test. Sourced, not executed.
# Everything the project needs is installed here, never by hand (fresh-machine rule).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PGBIN="/usr/lib/postgresql/15/bin"
export PATH="$VENV/bin:$PATH"

log() { printf '\033[1;34m[sereno]\033[0m %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Install Debian packages that are missing (checks first, so a second run costs nothing).
ensure_debs() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_python() {
  local py="${PYTHON:-python3}"
  if ! command -v "$py" >/dev/null 2>&1 || ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    ensure_debs python3 python3-venv
    py=/usr/bin/python3
  fi
  local extras="$1" stamp="$VENV/.sereno-stamp"
  local want
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)-$extras"
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtual environment in .venv"
    "$py" -m venv "$VENV"
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing Python packages (${extras:-runtime})"
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    local target="$ROOT"
    [ -n "$extras" ] && target="$ROOT[$extras]"
    "$VENV/bin/python" -m pip install -q -e "$target"
    echo "$want" > "$stamp"
  fi
}

ensure_postgis() {
  ensure_debs postgresql-15 postgresql-15-postgis-3
}

# The postgres OS user must be able to reach the data folder; a clone under /root (mode 700) is not
# reachable, so the cluster then lives under /var/lib/sereno and .local/ holds a link to it.
_cluster_dir() {
  # Two statements: within one `local`, "$name" would still be the caller's (or unset, under set -u).
  local name="$1"
  local dir="$ROOT/.local/pg-$name"
  if [ -L "$dir" ] || [ -d "$dir/data" ]; then echo "$dir"; return; fi
  mkdir -p "$ROOT/.local"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$ROOT/.local"; then
    local real="/var/lib/sereno/$(echo "$ROOT" | sha256sum | cut -c1-12)-$name"
    mkdir -p "$real"
    ln -sfn "$real" "$dir"
  else
    mkdir -p "$dir"
  fi
  echo "$dir"
}

_as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# start_local_cluster NAME PORT [fast]: a project-local PostgreSQL with PostGIS; exports DATABASE_URL.
start_local_cluster() {
  local name="$1" port="$2" mode="${3:-durable}" dir
  dir="$(_cluster_dir "$name")"
  local real; real="$(readlink -f "$dir")"
  if [ ! -f "$real/data/PG_VERSION" ]; then
    log "creating project-local PostgreSQL cluster in .local/pg-$name"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$real"
    _as_pg "$PGBIN/initdb" -D "$real/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  local opts="-p $port -k $real -c listen_addresses=127.0.0.1 -c max_connections=200"
  if [ "$mode" = fast ]; then
    # Test clusters only: no durability, much faster set-up and writes.
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  if ! _as_pg "$PGBIN/pg_ctl" -D "$real/data" status >/dev/null 2>&1; then
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      # Another server (e.g. another checkout's cluster) has the port: say so, rather than pg_ctl's "could not start".
      log "port $port on 127.0.0.1 is taken by another server: stop it, or choose another port" \
          "(SERENO_TEST_PG_PORT for ./scripts/test, SERENO_LOCAL_PG_PORT for ./scripts/run)"
      exit 1
    fi
    log "starting PostgreSQL on 127.0.0.1:$port"
    _as_pg "$PGBIN/pg_ctl" -D "$real/data" -l "$real/postgres.log" -o "$opts" -w start >/dev/null
  fi
  if ! _as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "select 1 from pg_database where datname='sereno'" | grep -q 1; then
    _as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres sereno
  fi
  export DATABASE_URL="postgresql://postgres@127.0.0.1:$port/sereno"
}
