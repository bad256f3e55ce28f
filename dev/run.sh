#!/usr/bin/env bash
# Developer entry point, run from the repository root:
#   ./dev/run.sh            start the whole system: the API at http://localhost:5000/api/v1
#   ./dev/run.sh test       type-check, lint and run the whole test suite
#   ./dev/run.sh api-test   run the test suite with a coverage report in coverage/report.txt and
#                           coverage/html/index.html (extra arguments go to vitest)
#   ./dev/run.sh db         start only the database and print its DATABASE_URL
#
# Where a Docker engine with Compose runs, `./dev/run.sh` and `db` use docker/compose.yaml;
# elsewhere they run local processes (`npm start`, an embedded PostgreSQL server). Set
# VIDEOAG_USE_DOCKER=0 to run local processes anyway, or 1 to require Docker. The tests always
# run locally, because the test run starts its own PostgreSQL server.
set -euo pipefail

if [ ! -f package.json ] || [ ! -f dev/run.sh ]; then
  echo "error: run this script from the repository root, e.g. ./dev/run.sh" >&2
  exit 2
fi

usage() {
  sed -n '2,12p' dev/run.sh | sed 's/^# \{0,1\}//'
}

docker_available() {
  command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 &&
    docker compose version >/dev/null 2>&1
}

use_docker() {
  case "${VIDEOAG_USE_DOCKER:-auto}" in
    0 | false | no) return 1 ;;
    1 | true | yes)
      if ! docker_available; then
        echo "error: VIDEOAG_USE_DOCKER=${VIDEOAG_USE_DOCKER} but no Docker engine with Compose responds; start Docker or unset VIDEOAG_USE_DOCKER" >&2
        exit 1
      fi
      return 0
      ;;
    auto) docker_available ;;
    *)
      echo "error: VIDEOAG_USE_DOCKER must be 0, 1 or unset, not '${VIDEOAG_USE_DOCKER}'" >&2
      exit 2
      ;;
  esac
}

prepare_local() {
  ./dev/install_requirements.sh
  if [ -x .tools/node/bin/node ]; then
    export PATH="$PWD/.tools/node/bin:$PATH"
  fi
}

command="${1:-start}"
if [ $# -gt 0 ]; then
  shift
fi
case "$command" in
  start)
    if use_docker; then
      echo "Starting the stack of docker/compose.yaml (VIDEOAG_USE_DOCKER=0 runs npm start instead)"
      exec docker compose -f docker/compose.yaml up --build
    fi
    prepare_local
    exec npm start
    ;;
  test)
    prepare_local
    npm run typecheck
    npm run lint
    npm run pipeline -- --check
    exec npm test
    ;;
  api-test)
    prepare_local
    rm -rf coverage
    npx vitest run --coverage.enabled "$@"
    echo "Coverage report: coverage/report.txt and coverage/html/index.html"
    ;;
  db)
    if use_docker; then
      echo "Starting PostgreSQL of docker/compose.yaml; connect with"
      echo "  DATABASE_URL=postgres://videoag:videoag@localhost:5432/videoag"
      exec docker compose -f docker/compose.yaml up database
    fi
    prepare_local
    exec node --import tsx dev/database.ts
    ;;
  help | -h | --help)
    usage
    ;;
  *)
    echo "error: unknown command '$command'; use one of: start, test, api-test, db, help" >&2
    exit 2
    ;;
esac
