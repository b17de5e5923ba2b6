#!/usr/bin/env bash
# The Puppet module's static checks and unit tests: `puppet parser validate` and puppet-lint on every manifest
# (examples included), then rspec-puppet (every class, the define, the types and providers). Quick (about a
# minute) and changes nothing on the host. Writes rspec's counts to deploy/puppet/jtrove/spec/results.json.
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
rspec --format progress --format json --out spec/results.json
