#!/usr/bin/env bash
# Issue 7: the main job at smoke scale (every notebook, headless) must pass in CI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/reproduce/run" --scale smoke
