#!/usr/bin/env bash
# Sets up everything the tests need and runs them: clippy, a build of the core alone, the
# Rust tests (core, console, scripts, reliability) and the Python tests (the extension is built into .venv by maturin).
# Needs only Rust and Python 3.10+; installs maturin, the test tools, pandas, Jupyter's notebook
# runner and mkdocs into .venv; builds the docs site (warnings as errors) and runs the example
# notebook among the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
python -m pip install --quiet --disable-pip-version-check "maturin>=1.5,<2" pytest hypothesis mypy networkx pydot \
  pandas matplotlib distributed nbclient nbformat ipykernel mkdocs mkdocs-material "mkdocstrings[python]"

echo "== cargo fmt --check (rustfmt.toml)"
cargo fmt --check

echo "== cargo clippy (warnings are errors; every feature, the Python face included)"
cargo clippy --quiet --all-targets --all-features -- -D warnings

echo "== the core alone: cargo test without the Rhai and Python faces"
cargo test --quiet --no-default-features

echo "== cargo test"
cargo test --quiet

echo "== maturin develop"
maturin develop --quiet

echo "== docs (mkdocs, warnings as errors)"
bash dev/docs.sh --quiet

echo "== pytest"
python -m pytest -q tests/python "$@"
