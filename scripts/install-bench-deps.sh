#!/usr/bin/env bash
# Debian packages the load benchmarks need (bench/load_api.py): wrk, a closed-loop HTTP load
# generator. Fixed-rate (open-loop) load comes from bench/_openloop.py, in Python.
set -euo pipefail
command -v wrk >/dev/null 2>&1 && exit 0
echo "installing Debian packages: wrk"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk
