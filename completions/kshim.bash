# SPDX-License-Identifier: Apache-2.0
# Bash completion for kshim: subcommands, their options, and cluster names from the table directory.

# The table directory, as kshim finds it.
_kshim_table_dir() {
	if [ -n "${KSHIM_HOME:-}" ]; then
		printf '%s\n' "$KSHIM_HOME"
	elif [ -n "${XDG_RUNTIME_DIR:-}" ]; then
		printf '%s\n' "$XDG_RUNTIME_DIR/kshim"
	else
		printf '%s\n' "$HOME/.local/state/kshim"
	fi
}

# Cluster names: one per <name>.table, leaving out kshim run's private run.<pid> tables.
_kshim_clusters() {
	local dir f n
	dir=$(_kshim_table_dir)
	for f in "$dir"/*.table; do
		[ -e "$f" ] || continue
		n=${f##*/}
		n=${n%.table}
		case $n in run.[0-9]*) ;; *) printf '%s\n' "$n" ;; esac
	done
}

# The first name of each host in a cluster's table (kafka1, kafka2, ...).
_kshim_nodes() {
	local table
	table="$(_kshim_table_dir)/$1.table"
	[ -r "$table" ] && awk '!/^#/ && NF >= 2 && $1 != "kshim-table" { split($1, n, ","); print n[1] }' "$table"
}

_kshim() {
	local cur prev cmd i name=kshim opts values
	unset values
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	if [ "$COMP_CWORD" = 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W "up down status run env config attach doctor logs debug table watch --help --version" -- "$cur")
		return
	fi
	cmd=${COMP_WORDS[1]}
	for ((i = 2; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--) # run, debug: the rest is a command line of its own
			if [ "$cmd" = run ] && declare -F _command_offset >/dev/null; then
				_command_offset $((i + 1))
			elif [ "$cmd" = run ] || [ "$cmd" = debug ]; then
				mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			fi
			return
			;;
		--name) name=${COMP_WORDS[i + 1]} ;;
		--name=*) name=${COMP_WORDS[i]#--name=} ;;
		esac
	done
	case $prev in # an option's value
	--name) values=$(_kshim_clusters) ;;
	--flavor) values="apache bitnami confluent" ;;
	--advertise) values="internal localhost" ;;
	--via) values="preload seccomp" ;;
	--sasl) values="scram-sha-512 plain" ;;
	--client) values="librdkafka java python node" ;;
	--network) values=$(docker network ls --format '{{.Name}}' 2>/dev/null) ;;
	--compose) values=$(docker ps --format '{{.Label "com.docker.compose.project"}}' 2>/dev/null | sort -u) ;;
	--table) values=$(compgen -f -- "$cur") ;;
	--context) values=$(kubectl config get-contexts -o name 2>/dev/null) ;;
	--namespace) values=$(kubectl get namespaces -o name 2>/dev/null | sed 's|^namespace/||') ;;
	--service) values=$(kubectl get services -o name 2>/dev/null | sed 's|^service/||') ;;
	-n | --image | --timeout | --tail | --map | --tls-san | --publish-address | --cluster-domain) return ;;
	esac
	if [ -n "${values+set}" ]; then
		mapfile -t COMPREPLY < <(compgen -W "$values" -- "$cur")
		return
	fi
	case $cmd in
	up) opts="-n --name --image --flavor --advertise --localhost-listener --tls --tls-san --sasl --timeout --watch --publish-address --help" ;;
	config) opts="--name --client --help" ;;
	down) opts="--name --forget --help" ;;
	status | doctor) opts="--name --json --help" ;;
	run) opts="--name --table --map --via --debug --help --" ;;
	env) opts="--name --table --help" ;;
	attach) opts="--network --compose --kubernetes --service --namespace --context --cluster-domain --foreground --name --publish-address --help" ;;
	logs) opts="--name --tail --follow -f --help" ;;
	debug) opts="--name --image --help --" ;;
	table) opts="--name --help" ;;
	watch) opts="--name --once --help" ;;
	*) return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	elif [ "$cmd" = logs ] || [ "$cmd" = debug ]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_kshim_nodes "$name")" -- "$cur")
	elif [ "$cmd" = table ]; then
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	fi
}
complete -F _kshim kshim
