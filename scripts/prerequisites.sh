#!/usr/bin/env bash
# Installs what AgentSilo needs on Debian 12 beyond the .NET 10 SDK, only where it is missing.
# TorchSharp's libtorch comes from NuGet and the build patches its one GCC-13-only symbol requirement
# (build/TorchSharpNativeFix.targets). Web tasks need Debian's chromium: Playwright launches it at
# /usr/bin/chromium (its driver ships in the NuGet package; nothing downloads a browser).
set -euo pipefail

if ! command -v dotnet >/dev/null 2>&1; then
  echo "agentsilo: the .NET 10 SDK is required (https://dot.net); 'dotnet' is not on PATH" >&2
  exit 1
fi
if ! dotnet --list-sdks | grep -q '^10\.'; then
  echo "agentsilo: the .NET 10 SDK is required; found: $(dotnet --list-sdks | tr '\n' ' ')" >&2
  exit 1
fi

need=()
# Debian packages features need:
# chromium: web environments drive Debian's Chromium through Playwright (never a downloaded browser).
[ -x /usr/bin/chromium ] || need+=(chromium)
# redis-server: the cluster tests start a real one on a loopback port.
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}"
fi
