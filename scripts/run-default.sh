#!/usr/bin/env bash
# The main job: the default example experiment on the embedded default (one in-process silo, SQLite state).
# Extra arguments go to 'agentsilo run' (for example --out DIR, --resume).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prerequisites.sh
dotnet build src/AgentSilo.Cli -c Release -nologo -v quiet
exec dotnet src/AgentSilo.Cli/bin/Release/net10.0/linux-x64/agentsilo.dll run examples/star-addition.yaml "$@"
