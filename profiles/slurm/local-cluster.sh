#!/usr/bin/env bash
# A single-node SLURM cluster on localhost, for testing the SLURM profile against the real scheduler.
#
#   profiles/slurm/local-cluster.sh start    # munged, slurmctld, slurmd; returns once the node is idle
#   profiles/slurm/local-cluster.sh stop     # stops every daemon this script started
#   profiles/slurm/local-cluster.sh status   # exit 0 when sinfo answers and the node is usable
#
# Needs root and Debian's packages `slurm-wlm` and `munge` (the munge package creates /etc/munge/munge.key).
# Debian ships no slurm.conf, so `start` writes a minimal one to /etc/slurm/slurm.conf: one node
# (`localhost`, with this machine's CPUs and memory), one default partition `debug`, cons_tres, no
# accounting, and MinJobAge long enough for squeue to report finished jobs (the profile's status check).
# A slurm.conf that this script did not write is never touched: `start` stops with an error instead.
# State, spool, logs and pid files live in $ZT_SLURM_STATE (default /var/lib/zhengfa-slurm).
# Both commands are idempotent: `start` on a running cluster only waits for the node, `stop` on a stopped
# one does nothing. Only processes whose pid files this script wrote are signalled.
set -euo pipefail

STATE=${ZT_SLURM_STATE:-/var/lib/zhengfa-slurm}
CONF=/etc/slurm/slurm.conf
MARK="# written by zhengfa-trends profiles/slurm/local-cluster.sh"
WAIT=${ZT_SLURM_WAIT:-60}   # seconds to wait for each daemon and for the node to become idle

die() { echo "local-cluster: $*" >&2; exit 1; }
say() { echo "local-cluster: $*"; }

alive() {  # alive PIDFILE: the process recorded in PIDFILE runs
    [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

wait_for() {  # wait_for DESCRIPTION COMMAND...: retry COMMAND for up to $WAIT seconds
    local what=$1; shift
    local i
    for ((i = 0; i < WAIT * 4; i++)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.25
    done
    die "$what did not come up within ${WAIT}s (logs in $STATE/log)"
}

node_ready() {  # the node answers and takes jobs (idle, or already running some)
    local st
    st=$(sinfo --noheader --nodes=localhost --format=%T 2>/dev/null) || return 1
    [[ $st =~ ^(idle|mixed|allocated|completing)$ ]]
}

write_conf() {
    if [[ -e $CONF ]] && ! grep -qF "$MARK" "$CONF"; then
        die "$CONF exists and was not written by this script; not touching it"
    fi
    # This machine's CPU layout and memory, as slurmd itself sees them (a node configured with more than it
    # has is drained by slurmctld).
    local hw
    hw=$(slurmd -C | head -n 1 | sed -e 's/^NodeName=[^ ]* //' -e 's/ UpTime=.*//')
    [[ $hw == *CPUs=* && $hw == *RealMemory=* ]] || die "could not read this machine's CPUs/memory from 'slurmd -C'"
    mkdir -p "$(dirname "$CONF")"
    cat >"$CONF.tmp" <<CONF
$MARK
# A single-node test cluster; delete it with 'local-cluster.sh stop' and 'rm $CONF'.
ClusterName=zhengfa-local
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/slurmctld
SlurmdSpoolDir=$STATE/slurmd
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# No accounting daemon: sacct has nothing to ask, so the profile checks job status with squeue.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
# squeue keeps finished jobs this long (s); the SLURM executor plugin needs >= 3x its first status interval.
MinJobAge=600
ReturnToService=2
SlurmdTimeout=300
NodeName=localhost NodeAddr=127.0.0.1 $hw State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
    mv "$CONF.tmp" "$CONF"
}

start() {
    [[ $EUID -eq 0 ]] || die "start needs root (it runs munged, slurmctld and slurmd)"
    local tool
    for tool in munged slurmctld slurmd sinfo; do
        command -v "$tool" >/dev/null || die "$tool not found: apt-get install slurm-wlm munge"
    done
    mkdir -p "$STATE/slurmctld" "$STATE/slurmd" "$STATE/log"
    write_conf

    # munged: authentication for every SLURM message. Runs as the munge user, as the package intends.
    if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
        alive "$STATE/munged.pid" || say "munged already running (not started here, will not be stopped)"
    else
        [[ -s /etc/munge/munge.key ]] || die "/etc/munge/munge.key missing (reinstall the munge package)"
        install -d -o munge -g munge -m 0755 /run/munge
        install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
        runuser -u munge -- munged --pid-file=/run/munge/munged.pid
        wait_for munged test -s /run/munge/munged.pid
        cp /run/munge/munged.pid "$STATE/munged.pid"
        wait_for munged sh -c 'munge -n </dev/null | unmunge'
        say "munged started (pid $(cat "$STATE/munged.pid"))"
    fi

    if alive "$STATE/slurmctld.pid"; then
        # a running controller re-reads an edited slurm.conf only when told to
        scontrol reconfigure >/dev/null 2>&1 || true
    else
        slurmctld -i
        wait_for slurmctld scontrol ping
        say "slurmctld started (pid $(cat "$STATE/slurmctld.pid"))"
    fi

    if ! alive "$STATE/slurmd.pid"; then
        slurmd -N localhost
        wait_for slurmd test -s "$STATE/slurmd.pid"
        say "slurmd started (pid $(cat "$STATE/slurmd.pid"))"
    fi

    # A node left DOWN or DRAINED by an earlier, unclean stop is put back into service.
    if sinfo --noheader --nodes=localhost --format=%T 2>/dev/null | grep -qE 'down|drain'; then
        scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true
    fi
    wait_for "node localhost (idle)" node_ready
    say "ready: $(sinfo --noheader --format='partition %P, node %N, %c CPUs, %m MB, %T')"
}

stop_one() {  # stop_one NAME: SIGTERM the daemon of our pid file, wait for it to exit
    local pidfile=$STATE/$1.pid pid i
    if alive "$pidfile"; then
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null || true
        for ((i = 0; i < WAIT * 4; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.25
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        say "$1 stopped (pid $pid)"
    fi
    rm -f "$pidfile"
}

stop() {
    # jobs first (their steps are children of slurmstepd, which slurmd does not take down on exit)
    if alive "$STATE/slurmctld.pid"; then
        scancel --full --quiet --state=RUNNING,PENDING --partition=debug 2>/dev/null || true
    fi
    stop_one slurmd
    stop_one slurmctld
    stop_one munged
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status) node_ready ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
