#!/bin/sh
# A fake ipvsadm for IpvsadmBackendTest / IpvsReconcilerFaultTest and the benchmark's local double.
# State: $FAKE_IPVSADM_STATE (the table as `ipvsadm -S -n` lines); behaviour: the word in
# $FAKE_IPVSADM_STATE.mode (default ok):
#   ok      -S -n prints the table in list order (the real ipvsadm sorts it), -L -n --nosort the
#           same in the list format; -R applies -A/-E/-D/-a/-e/-d lines
#           with the kernel's error messages on stderr and exit 0 (as ipvsadm -R does); -a puts the
#           real server at the head of its service's list, as the kernel does;
#           --set/--start-daemon/--stop-daemon ok
#   noipvs  every call fails as on a host without IPVS (exit 2)
#   hang    starts a grandchild `sleep 60` (pid in $FAKE_IPVSADM_STATE.hangpid) and waits for it
#   garbage -S prints garbage, everything else as ok
#   race    the next -R first empties the table (an operator's `ipvsadm -D` racing our batch),
#           then behaves as ok; the mode reverts to ok
# Every call's arguments are appended to $FAKE_IPVSADM_STATE.calls.
state=${FAKE_IPVSADM_STATE:?FAKE_IPVSADM_STATE not set}
mode=$(cat "$state.mode" 2>/dev/null || echo ok)
echo "$*" >> "$state.calls"
touch "$state"
case $mode in
  noipvs)
    echo "modprobe: FATAL: Module ip_vs not found in directory /lib/modules/6.18.44-fc-v782" >&2
    echo "Can't initialize ipvs: Protocol not available" >&2
    echo "Are you sure that IP Virtual Server is built in the kernel or as module?" >&2
    exit 2;;
  hang)
    sleep 60 &
    echo $! > "$state.hangpid"
    wait
    exit 0;;
  race)
    if [ "$1" = "-R" ]; then : > "$state"; echo ok > "$state.mode"; fi;;
  garbage)
    if [ "$1" = "-S" ]; then echo "Segmentation fault? <<garbage>> -A -x"; exit 0; fi;;
esac
case "$1" in
  -S) cat "$state"; exit 0;;
  -L)
    # -L -n --nosort: the list format, real servers in the stored (kernel) order
    echo "IP Virtual Server version 1.2.1 (size=4096)"
    echo "Prot LocalAddress:Port Scheduler Flags"
    echo "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn"
    awk '
      { line[NR] = $0 }
      END {
        for (i = 1; i <= NR; i++) {
          n = split(line[i], f, " ")
          if (f[1] != "-A") continue
          key = f[2] " " f[3]; six = (f[4] == "-6")
          if (f[2] == "-f") printf "FWM  %s%s %s\n", f[3], (six ? " IPv6" : ""), f[six ? 6 : 5]
          else printf "%s  %s %s\n", (f[2] == "-t" ? "TCP" : "UDP"), f[3], f[5]
          for (j = 1; j <= NR; j++) {
            m = split(line[j], g, " ")
            if (g[1] != "-a" || g[2] " " g[3] != key) continue
            for (k = 1; k < m; k++) if (g[k] == "-r") r = g[k+1]
            printf "  -> %-28s %-7s %-6s 0          0\n", r, "Route", g[m]
          }
        }
      }' "$state"
    exit 0;;
  --set|--start-daemon|--stop-daemon) exit 0;;
  -R) ;;
  *) echo "fake-ipvsadm: unsupported: $*" >&2; exit 255;;
esac
# -R: apply stdin line by line with awk (keys never contain spaces: "-f 1", "-f 1 -6", "-t A:P")
awk -v state="$state" '
  function load(   l) { n = 0; while ((getline l < state) > 0) lines[++n] = l; close(state) }
  function save(   i) { printf "" > state; for (i = 1; i <= n; i++) if (lines[i] != "") print lines[i] >> state; close(state) }
  function key(f, nf,   k, i) { k = f[2] " " f[3]; if (nf > 3 && f[4] == "-6") k = k " -6"; return k }
  function findsvc(k,   i) { for (i = 1; i <= n; i++) if (index(lines[i], "-A " k " -s ") == 1) return i; return 0 }
  function finddst(k, r,   i) { for (i = 1; i <= n; i++) if (index(lines[i], "-a " k " -r " r " ") == 1) return i; return 0 }
  function rarg(f, nf,   i) { for (i = 1; i < nf; i++) if (f[i] == "-r") return f[i+1]; return "" }
  BEGIN { load() }
  NF == 0 { next }
  {
    nf = split($0, f, " "); op = f[1]; k = key(f, nf); rest = substr($0, 4)
    if (op == "-A") { if (findsvc(k)) print "Service already exists" > "/dev/stderr"; else lines[++n] = "-A " rest }
    else if (op == "-E") { i = findsvc(k); if (!i) print "No such service" > "/dev/stderr"; else lines[i] = "-A " rest }
    else if (op == "-D") { i = findsvc(k); if (!i) print "No such service" > "/dev/stderr"; else for (j = 1; j <= n; j++) if (index(lines[j], "-A " k " ") == 1 || index(lines[j], "-a " k " ") == 1) lines[j] = "" }
    else if (op == "-a" || op == "-e" || op == "-d") {
      r = rarg(f, nf)
      if (!findsvc(k)) { print "Service not defined" > "/dev/stderr"; next }
      i = finddst(k, r)
      if (op == "-a") { if (i) print "Destination already exists" > "/dev/stderr"; else { s = findsvc(k); for (j = n; j > s; j--) lines[j+1] = lines[j]; lines[s+1] = "-a " rest; n++ } }
      else if (!i) print "No such destination" > "/dev/stderr"
      else if (op == "-e") lines[i] = "-a " rest
      else lines[i] = ""
    }
    else print "Try `ipvsadm -h'"'"' or '"'"'ipvsadm --help'"'"' for more information." > "/dev/stderr"
  }
  END { save() }
'
exit 0
