#!/usr/bin/env bash
# Runs the image made by deploy/image/bouw.sh as a container runtime would start it, without one
# (this machine has no Docker engine): its layers unpacked in order into a root file system, its
# Entrypoint + Cmd run there with its Env, WorkingDir and User (chroot, /proc and /dev mounted),
# configured only by environment variables of contract §6. Checks: the engine starts on its
# embedded PostgreSQL as user 10001, answers /health/ready, takes an afnemer and a message,
# processes it, and on SIGTERM drains and exits 0. Needs root. Not a container runtime: no
# namespaces, cgroups or network of its own; the files, user and command are the image's.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
image="${1:-$root/api/target/berichtenbox-image.tar}"
[ "$(id -u)" = 0 ] || { echo "proef: needs root (chroot)" >&2; exit 2; }
werk="$(mktemp -d)"
rootfs="$werk/rootfs"
port="${PORT:-18090}"
admin="proef-admin-token-0123456789"
opruimen() {
  [ -n "${pid:-}" ] && kill -KILL "$pid" 2>/dev/null || true
  umount -l "$rootfs/dev" 2>/dev/null || true
  umount "$rootfs/proc" 2>/dev/null || true
  if [ -n "${BEWAAR_LOG:-}" ] && [ -f "$werk/engine.log" ]; then cp "$werk/engine.log" "$BEWAAR_LOG"; fi
  rm -rf "$werk"
}
trap opruimen EXIT
python3 - "$image" "$werk" <<'PY'
import json, os, sys, tarfile
image, werk = sys.argv[1], sys.argv[2]
rootfs = os.path.join(werk, "rootfs")
os.makedirs(rootfs)
with tarfile.open(image) as t:
    t.extractall(os.path.join(werk, "oci"))
oci = os.path.join(werk, "oci")
blob = lambda d: os.path.join(oci, "blobs", "sha256", d.split(":")[1])
index = json.load(open(os.path.join(oci, "index.json")))
manifest = json.load(open(blob(index["manifests"][0]["digest"])))
config = json.load(open(blob(manifest["config"]["digest"])))["config"]
for layer in manifest["layers"]:
    with tarfile.open(blob(layer["digest"])) as t:
        for m in t.getmembers():
            naam = os.path.basename(m.name)
            if naam.startswith(".wh."):  # an OCI whiteout: the file below is deleted
                weg = os.path.join(rootfs, os.path.dirname(m.name), naam[4:])
                os.system("rm -rf '%s'" % weg)
                continue
            t.extract(m, rootfs, numeric_owner=True)
with open(os.path.join(werk, "start.env"), "w") as f:
    for e in config.get("Env", []):
        f.write(e + "\n")
json.dump({"cmd": config.get("Entrypoint", []) + config.get("Cmd", []), "user": config.get("User", "0"),
           "workdir": config.get("WorkingDir", "/")}, open(os.path.join(werk, "start.json"), "w"))
print("proef: image unpacked: %d layers; user %s, entrypoint %s" % (len(manifest["layers"]), config.get("User"),
      " ".join(config.get("Entrypoint", []) + config.get("Cmd", []))))
PY
user="$(python3 -c "import json;print(json.load(open('$werk/start.json'))['user'])")"
workdir="$(python3 -c "import json;print(json.load(open('$werk/start.json'))['workdir'])")"
mapfile -t cmd < <(python3 -c "import json;print('\n'.join(json.load(open('$werk/start.json'))['cmd']))")
mapfile -t envs < "$werk/start.env"
mount -t proc proc "$rootfs/proc"
mkdir -p "$rootfs/dev" && mount --rbind /dev "$rootfs/dev"
echo "proef: starting the entrypoint as $user in $workdir, HTTP on $port"
env -i "${envs[@]}" BERICHTENBOX_HTTP_PORT="$port" BERICHTENBOX_ADMIN_TOKEN="$admin" \
  BERICHTENBOX_PORTAL_JWT_SECRET=proef-jwt-secret-0123456789abcdef0123456789 JAVA_TOOL_OPTIONS=-Xmx512m \
  chroot --userspec="$user" "$rootfs" /usr/bin/env -C "$workdir" "${cmd[@]}" > "$werk/engine.log" 2>&1 &
pid=$!
for i in $(seq 1 120); do
  curl -sf "localhost:$port/health/ready" >/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$werk/engine.log" >&2; echo "proef: the engine stopped" >&2; exit 1; }
  sleep 1
done
curl -sf "localhost:$port/health/ready" || { tail -40 "$werk/engine.log" >&2; echo "proef: not ready in 120 s" >&2; exit 1; }
echo
uid="$(stat -c %u /proc/$pid)"
[ "$uid" = "${user%%:*}" ] || { echo "proef: the engine runs as uid $uid, not ${user%%:*}" >&2; exit 1; }
pg_uid="$(stat -c %u "$rootfs/data/pg/PG_VERSION")"
[ "$pg_uid" = "${user%%:*}" ] || { echo "proef: the database files belong to $pg_uid" >&2; exit 1; }
oin=00000001234567890000
sleutel="$(curl -sf -XPOST "localhost:$port/api/v1/beheer/afnemers" -H "Authorization: Bearer $admin" \
  -H 'Content-Type: application/json' -d "{\"oin\":\"$oin\",\"naam\":\"Proef\"}" | python3 -c 'import json,sys;print(json.load(sys.stdin)["apiSleutel"])')"
curl -sf -XPUT "localhost:$port/api/v1/bericht-typen/ALG" -H "Authorization: Bearer $sleutel" \
  -H 'Content-Type: application/json' -d '{"omschrijving":"Algemeen","actief":true}' >/dev/null
id=6f1c2d4e-1111-4a6b-9c1d-000000000001
status="$(curl -s -o /dev/null -w '%{http_code}' -XPOST "localhost:$port/api/v1/berichten" -H "Authorization: Bearer $sleutel" \
  -H 'Content-Type: application/json' -d "{\"berichtId\":\"$id\",\"berichtType\":\"ALG\",\"bsn\":\"999993653\",\"onderwerp\":\"Proef\"}")"
[ "$status" = 202 ] || { echo "proef: a message got $status" >&2; exit 1; }
for i in $(seq 1 30); do
  curl -sf "localhost:$port/api/v1/berichten/$id" -H "Authorization: Bearer $sleutel" | grep -q '"status":"AFGEWEZEN"' && break
  sleep 0.5
done
curl -sf "localhost:$port/api/v1/berichten/$id" -H "Authorization: Bearer $sleutel" | grep -q '"verwerkingsCode":"NietActiefOfGeabonneerd"' \
  || { echo "proef: the message was not processed" >&2; exit 1; }
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
[ "$status" = 0 ] || { tail -20 "$werk/engine.log" >&2; echo "proef: exit status $status after SIGTERM" >&2; exit 1; }
grep -q "berichtenbox: stopped" "$werk/engine.log" || { tail -30 "$werk/engine.log" >&2; echo "proef: no clean stop in the log" >&2; exit 1; }
echo "proef: the image's entrypoint ran as uid $uid on its embedded PostgreSQL (owned by $pg_uid), took and processed a message (NietActiefOfGeabonneerd: no box), and drained on SIGTERM with exit 0"
