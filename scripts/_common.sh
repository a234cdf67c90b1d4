# Shared by the scripts in this folder; source it, don't run it.
# Every script sets the project up on its own when needed, so `scripts/setup` is optional.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$REPO_ROOT/.venv"
PY="$VENV/bin/python"
export PATH="$VENV/bin:$PATH"
export PYTHONPATH="$REPO_ROOT${PYTHONPATH:+:$PYTHONPATH}"

# Sets the project up when .venv is missing or older than the pins.
ensure_setup() {
  local stamp="$VENV/.pins.sha256" want
  want=$(sha256sum "$REPO_ROOT/requirements/dev.txt" | cut -d' ' -f1)
  if [ ! -x "$PY" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$REPO_ROOT/scripts/setup"
  fi
}

# Prints which Home Assistant is installed, and on which Python.
announce_homeassistant() {
  local ha py
  ha=$("$PY" -c 'from homeassistant.const import __version__; print(__version__)')
  py=$("$PY" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
  echo "Home Assistant $ha on Python $py"
}
