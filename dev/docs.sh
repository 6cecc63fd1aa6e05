#!/usr/bin/env bash
# Builds the documentation site into site/ with warnings as errors: the tables that come from
# the core are regenerated first. Needs the package built into .venv (bash dev/test.sh) and
# the docs extra: pip install mkdocs mkdocs-material "mkdocstrings[python]".
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
. .venv/bin/activate
python docs/gen_tables.py
mkdocs build --strict --site-dir site "$@"
