#!/usr/bin/env bash
# The container image's base, made without a Docker daemon or a registry (this machine reaches
# neither): Debian bookworm (minbase) with its security updates, OpenJDK 17 (the JRE, headless)
# and the CA certificates, a user berichtenbox (uid 10001) that owns /data. Written as a
# `docker save` tarball, deploy/target/basis.tar, which Jib takes as its base (`tar://`).
# Needs root and debootstrap (apt-get install debootstrap); about a minute. Made again only when
# this script is newer than the tarball (or with OPNIEUW=1).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
doel="$root/deploy/target"
tar="$doel/basis.tar"
if [ -f "$tar" ] && [ "$tar" -nt "$0" ] && [ "${OPNIEUW:-0}" != 1 ]; then
  echo "basis: $tar is up to date"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "basis: debootstrap is needed (apt-get install debootstrap)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "basis: debootstrap needs root" >&2; exit 2; }
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
werk="$doel/basis-werk"
rm -rf "$werk"
mkdir -p "$werk"
rootfs="$werk/rootfs"
echo "basis: debootstrap bookworm (minbase, openjdk-17-jre-headless, ca-certificates) from $mirror"
debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates bookworm "$rootfs" "$mirror" \
  > "$werk/debootstrap.log" 2>&1 || { tail -20 "$werk/debootstrap.log" >&2; exit 1; }
cat > "$rootfs/etc/apt/sources.list" <<SRC
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security} bookworm-security main
SRC
echo "basis: security updates"
mount -t proc proc "$rootfs/proc" # the JRE's configuration runs java, which wants /proc
trap 'umount "$rootfs/proc" 2>/dev/null || true' EXIT
chroot "$rootfs" /bin/sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get -y -q upgrade' \
  > "$werk/upgrade.log" 2>&1 || { tail -20 "$werk/upgrade.log" >&2; exit 1; }
umount "$rootfs/proc"
chroot "$rootfs" /bin/sh -c 'groupadd --gid 10001 berichtenbox && useradd --uid 10001 --gid 10001 --no-create-home \
  --home-dir /data --shell /usr/sbin/nologin berichtenbox && mkdir -p /data && chown 10001:10001 /data && chmod 0750 /data'
# what an image does not need: package caches and lists, documentation
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* "$rootfs"/var/cache/apt/*.bin \
  "$rootfs"/var/log/*.log "$rootfs"/tmp/* "$rootfs"/dev/*
chmod 1777 "$rootfs/tmp"
echo "basis: $(du -sh "$rootfs" | cut -f1) of files; packing"
python3 - "$rootfs" "$tar" <<'PY'
import hashlib, io, json, os, sys, tarfile, time
rootfs, uit = sys.argv[1], sys.argv[2]
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as t:
    for naam in sorted(os.listdir(rootfs)):
        t.add(os.path.join(rootfs, naam), arcname=naam, recursive=True)
data = layer.getvalue()
diff_id = "sha256:" + hashlib.sha256(data).hexdigest()
config = {
    "architecture": "amd64", "os": "linux",
    "created": "1970-01-01T00:00:00Z",
    "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                       "JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64", "LANG=C.UTF-8"]},
    "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "deploy/image/basis.sh (debootstrap bookworm)"}],
}
cfg = json.dumps(config, sort_keys=True).encode()
cfg_naam = hashlib.sha256(cfg).hexdigest() + ".json"
manifest = json.dumps([{"Config": cfg_naam, "RepoTags": ["berichtenbox-basis:bookworm"], "Layers": ["layer.tar"]}]).encode()
tmp = uit + ".onvolledig"
with tarfile.open(tmp, "w") as t:
    for naam, inhoud in (("layer.tar", data), (cfg_naam, cfg), ("manifest.json", manifest)):
        info = tarfile.TarInfo(naam)
        info.size = len(inhoud)
        info.mtime = 0
        t.addfile(info, io.BytesIO(inhoud))
os.replace(tmp, uit)
print("basis: %s, %d MB, layer %s" % (uit, os.path.getsize(uit) >> 20, diff_id[:19]))
PY
rm -rf "$werk"
