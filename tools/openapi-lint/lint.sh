#!/bin/sh
# lint.sh DOC: Spectral (spectral:oas) and Redocly (recommended) over the
# OpenAPI document; fails on any error or warning from either. The linters
# are installed from the lockfile beside this script into
# ~/.cache/pandian/openapi-lint-<lockfile hash> (once).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
doc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
hash=$(sha256sum "$here/package-lock.json" | cut -c1-12)
dir=$HOME/.cache/pandian/openapi-lint-$hash
if [ ! -x "$dir/node_modules/.bin/spectral" ] || [ ! -x "$dir/node_modules/.bin/redocly" ]; then
	echo "installing Spectral and Redocly (once) into $dir"
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	cp "$here/package.json" "$here/package-lock.json" "$dir.tmp/"
	(cd "$dir.tmp" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
status=0
"$dir/node_modules/.bin/spectral" lint --ruleset "$here/.spectral.yaml" --fail-severity=hint "$doc" || status=1
out=$("$dir/node_modules/.bin/redocly" lint --extends=recommended --format=json "$doc" 2>/dev/null) || true
node -e '
const r = JSON.parse(process.argv[1]);
const t = r.totals;
for (const p of r.problems) console.log(`redocly ${p.severity} ${p.ruleId}: ${p.message} at ${p.location.map(l => l.pointer).join(", ")}`);
console.log(`redocly (recommended): ${t.errors} errors, ${t.warnings} warnings`);
process.exit(t.errors + t.warnings === 0 ? 0 : 1);
' "$out" || status=1
exit $status
