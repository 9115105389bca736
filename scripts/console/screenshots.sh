#!/usr/bin/env bash
# Runs the console's browser tests (ConsoleIT: all eleven daemons, headless chromium) and copies the screenshots
# they take of every panel into docs/console/, which docs/console.md shows.
#   scripts/console/screenshots.sh            # build, test, copy
# Installs Debian's chromium and chromium-driver first when they are missing (as root, with apt).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "console: chromium and chromedriver are missing; install Debian's chromium and chromium-driver (as root)" >&2
    exit 2
  fi
  apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null
fi
source bin/jdk.sh
./mvnw -B -q install -DskipTests
./mvnw -B verify -pl it -Dit.test=ConsoleIT -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
mkdir -p docs/console
cp it/target/console/*.png docs/console/
echo "console: $(ls it/target/console/*.png | wc -l) screenshots in docs/console/"
