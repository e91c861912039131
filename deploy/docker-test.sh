#!/usr/bin/env bash
# make docker-test: build the project's Dockerfile and run it for real, then
# the topology of compose.yaml (deploy/docker_test.go does the checking).
#
# No image registry is reachable here, so this script
#   1. installs Debian's docker.io, debootstrap and docker-compose when missing;
#   2. starts a private dockerd (its own data root under
#      ~/.cache/pandian/docker, its own socket, pid file and exec root in a
#      temporary directory, no bridge, no iptables: containers use the host's
#      network) and stops it on exit;
#   3. makes stand-in base images once and keeps them in that data root:
#      debian:bookworm-slim (debootstrap --variant=minbase + docker import,
#      with the official image's apt and dpkg settings), golang:1.26-bookworm
#      (deploy/images/golang: the machine's Go toolchain and CA bundle), and
#      the images compose.yaml names for PostgreSQL, MinIO and HAProxy
#      (deploy/images/{postgres,minio,haproxy}, from Debian's packages and the
#      MinIO binary the object-store tests use);
#   4. runs go test ./deploy with DOCKER_HOST pointing at that daemon.
#
# Outside CI it skips (exit 0, with the reason) when docker.io cannot be
# installed or dockerd cannot start; with CI=true it fails.
#
# Environment: PANDIAN_DOCKER_CACHE (~/.cache/pandian/docker),
# PANDIAN_DOCKER_NICE (0: niceness of dockerd and so of builds and
# containers), PANDIAN_MINIO_BIN, GO, DEBIAN_MIRROR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
GO=${GO:-go}
CACHE=${PANDIAN_DOCKER_CACHE:-$HOME/.cache/pandian/docker}
NICE=${PANDIAN_DOCKER_NICE:-0}
MINIO_BIN=${PANDIAN_MINIO_BIN:-$HOME/.cache/pandian/bin/minio}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
start=$(date +%s)

say() { echo "docker-test: $*"; }
skip() {
	if [ "${CI:-}" = true ]; then
		say "FAIL: $*"
		exit 1
	fi
	say "SKIP: $*"
	exit 0
}
elapsed() { echo "$(($(date +%s) - start))s"; }

# 1. Debian's docker.io (dockerd, containerd, runc), debootstrap, docker-compose.
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v docker-compose >/dev/null || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		skip "${missing[*]} missing and cannot be installed (needs root and apt-get)"
	fi
	say "installing ${missing[*]}"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
		skip "apt-get install ${missing[*]} failed"
fi
command -v docker >/dev/null || skip "no docker CLI"
test -x "$MINIO_BIN" || skip "no MinIO binary at $MINIO_BIN (make minio builds it)"

# One run at a time per data root.
mkdir -p "$CACHE/root"
exec 9>"$CACHE/lock"
if ! flock -w 900 9; then
	skip "another docker-test holds $CACHE/lock"
fi

# 2. A private dockerd.
RUN=$(mktemp -d /tmp/pandian-docker.XXXXXX)
export DOCKER_HOST=unix://$RUN/docker.sock DOCKER_BUILDKIT=0
stop_dockerd() {
	local pid
	pid=$(cat "$RUN/dockerd.pid" 2>/dev/null || true)
	if [ -n "$pid" ]; then
		# Containers left by a failed test, then the daemon (it stops its containerd).
		ids=$(docker ps -aq 2>/dev/null || true)
		[ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	# dockerd leaves its network namespace mounted under the exec root.
	awk -v run="$RUN" 'index($2, run) == 1 {print $2}' /proc/mounts | sort -r | xargs -r umount 2>/dev/null || true
	rm -rf "$RUN" 2>/dev/null || true
}
trap stop_dockerd EXIT
nice -n "$NICE" dockerd --bridge none --iptables=false --ip6tables=false \
	--data-root "$CACHE/root" --exec-root "$RUN/exec" --pidfile "$RUN/dockerd.pid" \
	-H "$DOCKER_HOST" >"$RUN/dockerd.log" 2>&1 &
for i in $(seq 1 120); do
	docker version >/dev/null 2>&1 && break
	if ! kill -0 $! 2>/dev/null || [ "$i" = 120 ]; then
		tail -20 "$RUN/dockerd.log"
		skip "dockerd did not start (log above)"
	fi
	sleep 0.5
done
say "dockerd $(docker version -f '{{.Server.Version}}') up at $DOCKER_HOST ($(elapsed))"

has() { docker image inspect "$1" >/dev/null 2>&1; }
label() { docker image inspect -f "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true; }

# 3a. debian:bookworm-slim
if ! has debian:bookworm-slim; then
	say "debian:bookworm-slim: debootstrap --variant=minbase bookworm (once, a few minutes)"
	rootfs=$RUN/rootfs
	nice -n "$NICE" debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$RUN/debootstrap.log" 2>&1 ||
		{ tail -20 "$RUN/debootstrap.log"; exit 1; }
	# What the official image has besides the packages: the deb822 sources
	# with updates and security, apt's docker-* settings, and (slim) no docs,
	# man pages or locales.
	rm -f "$rootfs/etc/apt/sources.list"
	cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	echo 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";' >"$rootfs/etc/apt/apt.conf.d/docker-clean"
	echo 'Acquire::GzipIndexes "true";' >"$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
	echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
	echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
	printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
		'path-exclude /usr/share/man/*' 'path-exclude /usr/share/groff/*' 'path-exclude /usr/share/info/*' \
		'path-exclude /usr/share/lintian/*' 'path-exclude /usr/share/linda/*' \
		'path-exclude /usr/share/locale/*' 'path-include /usr/share/locale/locale.alias' \
		>"$rootfs/etc/dpkg/dpkg.cfg.d/docker"
	rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
		"$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log
	tar -C "$rootfs" --numeric-owner -c . |
		docker import --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
			- debian:bookworm-slim >/dev/null
	rm -rf "$rootfs"
	say "debian:bookworm-slim imported ($(elapsed))"
fi

# 3b. golang:1.26-bookworm, remade when the machine's Go changes.
gover=$($GO env GOVERSION)
goroot=$($GO env GOROOT)
if [ "$(label golang:1.26-bookworm org.pandian.go)" != "$gover" ]; then
	say "golang:1.26-bookworm: $gover from $goroot"
	ctx=$RUN/golang-ctx
	mkdir -p "$ctx/etc/ssl/certs" "$ctx/usr/local"
	cp deploy/images/golang/Dockerfile "$ctx/"
	cp /etc/ssl/certs/ca-certificates.crt "$ctx/etc/ssl/certs/"
	ln -s "$goroot" "$ctx/usr/local/go"
	# -h follows the link: the context carries the toolchain itself.
	tar -C "$ctx" -ch . | docker build --network host --label org.pandian.go="$gover" \
		--build-arg GOLANG_VERSION="${gover#go}" -t golang:1.26-bookworm - >"$RUN/build.log" 2>&1 ||
		{ tail -30 "$RUN/build.log"; exit 1; }
	rm -rf "$ctx"
	say "golang:1.26-bookworm built ($(elapsed))"
fi

# 3c. Stand-ins for the official images compose.yaml names.
build_standin() { # tag dir [extra file]
	local tag=$1 dir=$2 extra=${3:-} sum
	sum=$(cat "$dir"/* ${extra:+"$extra"} | sha256sum | cut -c1-16)
	[ "$(label "$tag" org.pandian.sum)" = "$sum" ] && return 0
	say "$tag: stand-in from $dir"
	local ctx=$RUN/ctx-${tag//[:\/]/-}
	mkdir -p "$ctx"
	cp -r "$dir"/. "$ctx/"
	[ -z "$extra" ] || cp "$extra" "$ctx/"
	docker build --network host --label org.pandian.sum="$sum" -t "$tag" "$ctx" >"$RUN/build.log" 2>&1 ||
		{ tail -30 "$RUN/build.log"; exit 1; }
	rm -rf "$ctx"
}
build_standin postgres:15-bookworm deploy/images/postgres
build_standin minio/minio:latest deploy/images/minio "$MINIO_BIN"
build_standin haproxy:2.6 deploy/images/haproxy
say "base images ready ($(elapsed))"

# 4. The checks.
set +e
PANDIAN_DOCKER_TEST=1 $GO test -count=1 -v -timeout 30m ./deploy/ "$@"
status=$?
set -e
say "done in $(elapsed) (exit $status)"
exit $status
