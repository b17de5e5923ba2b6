#!/usr/bin/env bash
# The Puppet module's static checks and unit tests: `puppet parser validate` and puppet-lint on every manifest
# (examples included), then rspec-puppet (every class, the define, the types and providers). Quick (about a
# minute) and changes nothing on the host. Writes rspec's counts to deploy/puppet/jtrove/spec/results.json. Also
# checks that REFERENCE.md is what `puppet strings` makes of the module now; `deploy/tests/unit.sh --update-reference`
# rewrites it.
set -euo pipefail
module="$(cd "$(dirname "${BASH_SOURCE[0]}")/../puppet/jtrove" && pwd)"
cd "$module"
manifests=$(find manifests examples -name '*.pp' | sort)
# shellcheck disable=SC2086
puppet parser validate $(find manifests -name '*.pp' | sort)
puppet parser validate examples/site.pp
# shellcheck disable=SC2086
puppet-lint --fail-on-warnings --no-140chars-check $manifests
ruby -c lib/puppet/type/*.rb lib/puppet/provider/*/*.rb lib/puppet_x/jtrove/*.rb >/dev/null
# The class reference, generated from the doc comments in a copy (puppet strings leaves .yardoc behind).
copy="$(mktemp -d /tmp/jtrove-strings.XXXXXX)"
trap 'rm -rf "$copy"' EXIT
cp -r manifests lib metadata.json "$copy"
(cd "$copy" && puppet strings generate --format markdown --out REFERENCE.md >/dev/null)
if [ "${1:-}" = --update-reference ]; then
  cp "$copy/REFERENCE.md" REFERENCE.md
elif ! diff -u REFERENCE.md "$copy/REFERENCE.md" >&2; then
  echo "unit.sh: deploy/puppet/jtrove/REFERENCE.md is stale; run deploy/tests/unit.sh --update-reference" >&2
  exit 1
fi
rspec --format progress --format json --out spec/results.json
