#!/usr/bin/env bash
# Runs the Python hooks package's pytest suite for CI and writes "PASSED FAILED" to the file given
# as $1. Picks a Python that has boto3, jsonschema and pytest, preferring one where Django imports so
# the after-commit tests run on real Django; on Debian it first installs what the system Python lacks
# (python3-boto3, python3-jsonschema, python3-pytest, python3-django).
set -uo pipefail
counts=${1:?usage: run-tests.sh COUNTS_FILE}
cd "$(dirname "$0")"

has() { "$1" -c "import $2" >/dev/null 2>&1; }

if [ -x /usr/bin/python3 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  missing=()
  for module in boto3 jsonschema pytest django; do
    has /usr/bin/python3 "$module" || missing+=("python3-$module")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "pytest: installing ${missing[*]} for /usr/bin/python3"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
      echo "pytest: could not install ${missing[*]}; looking for another Python"
  fi
fi

python=""
for candidate in /usr/bin/python3 "$(command -v python3 || true)"; do
  [ -n "$candidate" ] && [ -x "$candidate" ] || continue
  has "$candidate" boto3 && has "$candidate" jsonschema && has "$candidate" pytest || continue
  if has "$candidate" django; then python=$candidate; break; fi
  [ -n "$python" ] || python=$candidate
done
if [ -z "$python" ]; then
  echo "pytest: no Python with boto3, jsonschema and pytest found; install python3-boto3 python3-jsonschema python3-pytest"
  echo "0 1" >"$counts"
  exit 1
fi
if has "$python" django; then echo "pytest: $python, with real Django"; else
  echo "pytest: $python, WITHOUT Django: the Django-specific tests use the stand-in tests/django_standin.py"; fi

report=$(mktemp -d)/pytest.xml
"$python" -m pytest --junitxml="$report"
code=$?
"$python" - "$report" "$code" "$counts" <<'PY'
import sys
import xml.etree.ElementTree as ElementTree

report, code, counts = sys.argv[1], int(sys.argv[2]), sys.argv[3]
passed = failed = 0
try:
    root = ElementTree.parse(report).getroot()
    for suite in ([root] if root.tag == "testsuite" else root.iter("testsuite")):
        total, skipped = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
        bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        passed, failed = passed + total - skipped - bad, failed + bad
except (OSError, ElementTree.ParseError) as error:
    print(f"pytest: no readable report ({error})")
if code != 0 and failed == 0:
    failed = 1  # exit 5 is "no tests collected"; any other non-zero exit without a failure is a broken run
    print(f"pytest: exited {code} without a failed test: counted as one failure")
print(f"pytest: {passed} passed, {failed} failed")
open(counts, "w").write(f"{passed} {failed}\n")
PY
exit $code
