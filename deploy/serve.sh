#!/usr/bin/env bash
# Serve GenLab from several Streamlit replicas behind nginx on this machine, with sticky sessions.
#
#   deploy/serve.sh [REPLICAS]      REPLICAS defaults to the number of cores
#
# Participants open http://THIS-HOST:$PORT. Ctrl-C (or SIGTERM) stops nginx and every replica.
# Environment:
#   PORT             nginx's port, on every address (default 8680)
#   REPLICA_PORT     the first replica's port; replicas use consecutive ports on 127.0.0.1 only
#                    (default 8621)
#   RUN_DIR          nginx's configuration, logs and the replicas' logs (default: a new temp dir)
#   GENLAB_WORKERS   training worker processes PER REPLICA (default: cores / replicas, at least
#                    1; docs/engine.md). GENLAB_MAX_JOBS is a per-participant cap, passed as is.
#   GENLAB_DATA_DIR, GENLAB_DATA_MB, GENLAB_IDLE_S, ...  passed to every replica unchanged: they
#                    all share one data directory, so saved runs survive a change of replica.
# Needs nginx (Debian: apt-get install nginx) and the lab's .venv (run ./lab run once).
set -euo pipefail
cd "$(dirname "$0")/.."

cores=$(nproc)
replicas=${1:-$cores}
port=${PORT:-8680}
first_port=${REPLICA_PORT:-8621}
run_dir=${RUN_DIR:-$(mktemp -d -t genlab-serve.XXXXXX)}
python=.venv/bin/python
PATH=$PATH:/usr/sbin  # where Debian puts nginx, not on a normal user's PATH

[ -x "$python" ] || { echo "No .venv here: run ./lab run once to set it up." >&2; exit 1; }
command -v nginx > /dev/null || { echo "nginx is missing (apt-get install nginx)." >&2; exit 1; }
export GENLAB_WORKERS=${GENLAB_WORKERS:-$(( cores / replicas > 0 ? cores / replicas : 1 ))}
mkdir -p "$run_dir"

pids=()
stop() {
    trap - EXIT INT TERM
    kill "${pids[@]}" 2> /dev/null || true
    wait
}
trap stop EXIT
trap 'exit 143' INT TERM

replica() {  # one replica on port $1, started again if it ends (nginx sends its users elsewhere)
    local child=
    trap 'kill "$child" 2> /dev/null; wait "$child"; exit 0' TERM
    while true; do
        "$python" -m streamlit run server.py --server.port "$1" --server.address 127.0.0.1 \
            >> "$run_dir/replica-$1.log" 2>&1 &
        child=$!
        wait "$child" || true
        echo "The replica on port $1 ended: starting it again (see $run_dir/replica-$1.log)" >&2
        sleep 1
    done
}

addresses=()
for ((i = 0; i < replicas; i++)); do
    replica $((first_port + i)) &
    pids+=($!)
    addresses+=(--replica "127.0.0.1:$((first_port + i))")
done

for ((i = 0; i < replicas; i++)); do
    health="http://127.0.0.1:$((first_port + i))/_stcore/health"
    for ((try = 0; ; try++)); do
        "$python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
            "$health" 2> /dev/null && break
        if ((try >= 300)); then
            echo "Replica on port $((first_port + i)) did not start: see $run_dir" >&2
            exit 1
        fi
        sleep 0.2
    done
done

"$python" deploy/nginx_conf.py --listen "$port" "${addresses[@]}" --standalone "$run_dir"
nginx -p "$run_dir" -c nginx.conf -e error.log -g "daemon off;" &
pids+=($!)
echo "GenLab: http://$(hostname):$port/ ($replicas replicas, $GENLAB_WORKERS training workers each;" \
    "logs in $run_dir)"
# Runs until nginx ends or Ctrl-C / SIGTERM; then everything stops.
wait -n
