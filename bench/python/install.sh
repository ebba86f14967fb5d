#!/usr/bin/env bash
# Installs Debian's PyTorch (CPU, 1.13), numpy and Pillow (image_fixtures.py) for the cross-check scripts in this folder.
# Usage: bash bench/python/install.sh   (as root; idempotent; needs the Debian apt registry only)
# Uses /usr/bin/python3 on purpose: a pyenv/venv python3 earlier on PATH does not see Debian's packages.
set -euo pipefail
PY=/usr/bin/python3
# libopenblas0-pthread: without it Debian's torch falls back to the reference BLAS (about 10x slower matmuls),
# which would make the step-time comparison meaningless.
if "$PY" -c 'import torch, numpy, PIL' 2>/dev/null && [ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  "$PY" -c 'import torch; print("torch", torch.__version__, "already installed")'
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3-torch python3-numpy python3-pil libopenblas0-pthread
"$PY" -c 'import torch; print("torch", torch.__version__)'
