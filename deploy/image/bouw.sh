#!/usr/bin/env bash
# The container image as an OCI tarball, without a Docker daemon: the base (basis.sh), then Jib
# (the api module's profile "image") on it. Result: api/target/berichtenbox-image.tar, to load
# with `docker load -i` or `podman load -i`, or to push with skopeo/crane. Then run
# deploy/image/proef.sh to start its entrypoint here. Needs root for the base (debootstrap).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
deploy/image/basis.sh
./mvnw -B -q -DskipTests -Pimage -pl api -am package
ls -l api/target/berichtenbox-image.tar
