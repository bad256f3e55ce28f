#!/usr/bin/env bash
# Developer entry point, run from the repository root:
#   ./dev/run.sh          install what is missing, then start the whole system (embedded default)
#   ./dev/run.sh test     install what is missing, then type-check, lint and run the whole test suite
set -euo pipefail

if [ ! -f package.json ] || [ ! -f dev/run.sh ]; then
  echo "error: run this script from the repository root, e.g. ./dev/run.sh" >&2
  exit 2
fi

./dev/install_requirements.sh
if [ -x .tools/node/bin/node ]; then
  export PATH="$PWD/.tools/node/bin:$PATH"
fi

command="${1:-start}"
case "$command" in
  start)
    exec npm start
    ;;
  test)
    npm run typecheck
    npm run lint
    exec npm test
    ;;
  *)
    echo "error: unknown command '$command'; use one of: start, test" >&2
    exit 2
    ;;
esac
