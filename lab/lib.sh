# lab/lib.sh: sourced by the lab's scripts (not run). Paths, names, logging, PID helpers.
# Environment (all optional):
#   LVS_LAB_STATE   where everything the lab downloads, builds and runs lives (default /var/tmp/lvs-pulse-lab2)
#   LVS_LAB_PREFIX  prefix of every network namespace, bridge and tap the lab creates (default lpl; <= 5 chars)
#   LVS_LAB_MODE    auto (default), host (the host kernel's IPVS in network namespaces) or guest (a qemu VM)
#   LVS_LAB_ACCEL   guest accelerator: auto (default: KVM if a short boot proves it works, else TCG), kvm, tcg
#   LVS_LAB_NICS    guest mode: virtio NICs the guest boots with = the most directors at once (default 3)
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${LVS_LAB_STATE:-/var/tmp/lvs-pulse-lab2}
P=${LVS_LAB_PREFIX:-lpl}
CACHE=$STATE/cache
RUN=$STATE/run
GUEST=$RUN/guest
LAN=$P-lan              # the namespace that holds the bridge (and qemu, whose taps are bridge ports)
BR=br0
export LVS_LAB_STATE=$STATE LVS_LAB_PREFIX=$P

die() { echo "lab: $*" >&2; exit 1; }
say() { echo "lab: $*" >&2; }
need_root() { [ "$(id -u)" = 0 ] || die "needs root"; }
have_ns() { [ -e "/run/netns/$1" ]; }
now_ms() { date +%s%3N; }

# alive FILE: the PID in FILE is running
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pidfile FILE: SIGTERM the PID in FILE, wait up to 5 s, then SIGKILL; removes FILE
stop_pidfile() {
  local f=$1 p i
  [ -s "$f" ] || { rm -f "$f"; return 0; }
  p=$(cat "$f")
  if kill -0 "$p" 2>/dev/null; then
    kill "$p" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  fi
  rm -f "$f"
}

# The lab's mode, decided once by `lab up` and recorded in $RUN/mode.
mode() { cat "$RUN/mode" 2>/dev/null || echo none; }

# host_has_ipvs: the host kernel has IPVS (module loads and ipvsadm talks to it)
host_has_ipvs() {
  { command -v modprobe >/dev/null && modprobe ip_vs 2>/dev/null; } || [ -e /proc/net/ip_vs ] || return 1
  ipvsadm -S -n >/dev/null 2>&1
}

# apt_install PKG...: installs what is missing; no service starts (policy-rc.d guard)
apt_install() {
  local need=() p pol=/usr/sbin/policy-rc.d had=0 rc=0
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
  done
  [ ${#need[@]} -eq 0 ] && return 0
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  [ -n "$(find /var/lib/apt/lists -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ] || apt-get update -q
  [ -e $pol ] && { had=1; cp -a $pol $pol.lvs-pulse-lab; }
  printf '#!/bin/sh\nexit 101\n' > $pol; chmod +x $pol
  apt-get install -y -q --no-install-recommends "${need[@]}" || rc=$?
  if [ $had = 1 ]; then mv -f $pol.lvs-pulse-lab $pol; else rm -f $pol; fi
  return $rc
}

# apt_fetch PKG: the .deb of PKG in $CACHE/debs (downloaded once); prints its path
apt_fetch() {
  local f
  mkdir -p "$CACHE/debs"
  f=$(ls "$CACHE/debs/$1"_*.deb 2>/dev/null | head -1)
  if [ -z "$f" ]; then
    [ -n "$(find /var/lib/apt/lists -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ] || apt-get update -q >&2
    chown _apt "$CACHE/debs" 2>/dev/null || true
    (cd "$CACHE/debs" && apt-get download -q "$1" >&2) || die "apt-get download $1 failed"
    f=$(ls "$CACHE/debs/$1"_*.deb | head -1)
  fi
  echo "$f"
}
