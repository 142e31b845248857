#!/usr/bin/env bash
# What tests/test_export.py, test_load.py and test_serve.py need besides the Python package:
#   - independent strict RDF parsers: rapper (raptor2-utils) and serdi (Debian packages);
#   - an Oxigraph server binary (pip package `oxigraph`) for the load tests;
#   - OpenLink Virtuoso (Debian package virtuoso-opensource-7-bin: virtuoso-t and isql-vt only, no
#     service, no debconf questions) for tests/test_servers.py.
# Idempotent and non-interactive: run as root in CI (no stdin); does nothing when all is there.
# Usage: .ci/install-servers.sh [PYTHON]   (PYTHON: the venv's python; default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v rapper >/dev/null 2>&1 || missing+=(raptor2-utils)
command -v serdi >/dev/null 2>&1 || missing+=(serdi)
{ command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; } || missing+=(virtuoso-opensource-7-bin)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-servers: ${missing[*]} missing and not root: run as root or apt-get install ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q </dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi
rapper --version >/dev/null
serdi -v >/dev/null 2>&1 || true
virtuoso-t -? >/dev/null 2>&1 || true
command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null

PY="${1:-.venv/bin/python}"
if [ -x "$PY" ]; then
    if ! "$PY" -c 'import shutil, sys, pathlib; sys.exit(0 if shutil.which("oxigraph") or pathlib.Path(sys.executable).with_name("oxigraph").exists() else 1)'; then
        "$PY" -m pip install -q --disable-pip-version-check 'oxigraph>=0.5,<0.6' </dev/null
    fi
else
    echo "install-servers: no $PY yet: the oxigraph server (pip install 'oxigraph>=0.5,<0.6') is left to the venv" >&2
fi
