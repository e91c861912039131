#!/bin/sh
# install.sh: installs axe-core from the lockfile beside this script, once,
# into ~/.cache/pandian/axe-<lockfile hash>, and prints the path of
# axe.min.js (the review pages' browser test injects it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
hash=$(sha256sum "$here/package-lock.json" | cut -c1-12)
dir=$HOME/.cache/pandian/axe-$hash
if [ ! -f "$dir/node_modules/axe-core/axe.min.js" ]; then
	echo "installing axe-core (once) into $dir" >&2
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	cp "$here/package.json" "$here/package-lock.json" "$dir.tmp/"
	(cd "$dir.tmp" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
echo "$dir/node_modules/axe-core/axe.min.js"
