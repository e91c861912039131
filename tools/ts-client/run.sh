#!/bin/sh
# run.sh BASE_URL EMPLOYEE_CODE PIN: generate TypeScript types from
# BASE_URL/v1/openapi.json, compile client.ts against them with tsc (any
# type error fails), run it against BASE_URL and print its JSON line.
# The tools come from the lockfile beside this script, installed once into
# ~/.cache/pandian/ts-client-<lockfile hash>.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
hash=$(sha256sum "$here/package-lock.json" | cut -c1-12)
dir=$HOME/.cache/pandian/ts-client-$hash
if [ ! -x "$dir/node_modules/.bin/tsc" ] || [ ! -x "$dir/node_modules/.bin/openapi-typescript" ]; then
	echo "installing openapi-typescript, openapi-fetch and TypeScript (once) into $dir" >&2
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	cp "$here/package.json" "$here/package-lock.json" "$dir.tmp/"
	(cd "$dir.tmp" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/client.ts" "$here/tsconfig.json" "$here/package.json" "$work/"
ln -s "$dir/node_modules" "$work/node_modules"
cd "$work"
# Properties with a default are optional in requests, as the server reads
# them (openapi-typescript would otherwise make them required).
"$dir/node_modules/.bin/openapi-typescript" "$1/v1/openapi.json" --default-non-nullable=false -o api.d.ts >&2
"$dir/node_modules/.bin/tsc" -p tsconfig.json >&2
node build/client.js "$1" "$2" "$3"
