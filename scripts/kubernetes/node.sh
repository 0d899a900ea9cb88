# SPDX-License-Identifier: Apache-2.0
# Run half of scripts/kubernetes.sh (sourced by it): start, check and stop the single-node cluster.
# Everything it makes lives under $STATE (certificates, configuration, etcd's data, the private
# containerd's root and state with the pods' network namespaces, the kubelet's root, logs, pids),
# plus the node bridge, one FORWARD rule, kube-proxy's nftables tables and the kubelet's cgroups,
# which `down` removes again. Traffic stays on loopback, the node bridge and the pods' namespaces.

BRIDGE=kshimk8s0
BRIDGE_MAC=02:6b:73:68:69:01 # fixed: a bridge otherwise takes its lowest port's MAC, which changes
POD_NET=192.168.231        # pods and the node bridge, a /24 the machine does not route
SVC_NET=192.168.232        # Services' cluster IPs
NODE_IP=$POD_NET.1         # the bridge: kubelet address, node InternalIP, cluster DNS
NODE=kshim-node
DOMAIN=cluster.local
API=https://127.0.0.1:6443
ETCD=http://127.0.0.1:22379
PROCS=(containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy coredns)
SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops) # the kubelet sets them
FW_RULE=(FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment kshim-kubernetes -j ACCEPT)
SOCK=$STATE/containerd.sock
LOCK=/run/kshim-kubernetes.lock
ADMIN=$STATE/admin.kubeconfig

kc() { "$STATE/bin/kubectl" --kubeconfig "$ADMIN" "$@"; }
ctr_() { ctr --address "$SOCK" -n k8s.io "$@"; }

# ---- processes -----------------------------------------------------------------------------------
# every process gets $STATE in its command line: a pid is ours only while that still holds
pid_of() {
  local pid
  pid=$(cat "$STATE/pids/$1" 2>/dev/null) || return 1
  [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$STATE" || return 1
  echo "$pid"
}
alive() { pid_of "$1" >/dev/null; }

# proc_state PID: its state letter (R, S, D, Z...), empty when it is gone
proc_state() {
  local st=""
  read -r st 2>/dev/null <"/proc/$1/stat" || true
  st=${st##*) }
  echo "${st%% *}"
}

start() {
  local name=$1
  shift
  # 7>&- 8>&- 9>&-: the daemons must not hold this script's locks or its caller's stderr
  setsid "$@" </dev/null >>"$STATE/logs/$name.log" 2>&1 7>&- 8>&- 9>&- &
  local pid=$! i
  echo "$pid" >"$STATE/pids/$name"
  # until the child has exec'd, its command line is this script's, and alive would say no
  for ((i = 0; i < 200; i++)); do
    alive "$name" && break
    # gone or a zombie before its exec: wait_for tells
    [[ $(proc_state "$pid") =~ ^[RSD]$ ]] || break
    sleep 0.05
  done
}

last_line() { { grep -v '^\s*$' "$1" || true; } | tail -n1 | cut -c1-300; }

# wait_for NAME WHAT CHECK...: until CHECK succeeds, while NAME runs
wait_for() {
  local name=$1 what=$2 t0=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    alive "$name" || die "$name exited: $(last_line "$STATE/logs/$name.log")" "see $SAVED_LOGS/$name.log"
    ((SECONDS - t0 < TIMEOUT)) || die "$name: $what not within ${TIMEOUT}s" "see $SAVED_LOGS/$name.log"
    sleep 0.2
  done
}

stop() {
  local pid i
  pid=$(pid_of "$1") || { rm -f "$STATE/pids/$1"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$STATE/pids/$1"
}

# ---- network -------------------------------------------------------------------------------------
check_subnets() {
  local net routes
  for net in "$POD_NET.0/24" "$SVC_NET.0/24"; do
    routes=$( { ip -4 route show to match "$net"; ip -4 route show to root "$net"; } | grep -v "^default" | grep -v "dev $BRIDGE " || true)
    [[ -z $routes ]] || die "$net is already routed here: ${routes%%$'\n'*}" \
      "remove that network, or change POD_NET/SVC_NET in scripts/kubernetes/node.sh"
  done
}

bridge_up() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  ip link set "$BRIDGE" address "$BRIDGE_MAC"
  ip addr replace "$NODE_IP/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # Docker's FORWARD policy is DROP: let pods on the bridge reach each other
  iptables -C "${FW_RULE[@]}" 2>/dev/null || iptables -I "${FW_RULE[@]}"
}

bridge_down() {
  while iptables -C "${FW_RULE[@]}" 2>/dev/null; do iptables -D "${FW_RULE[@]}"; done
  ip link del "$BRIDGE" 2>/dev/null || true
}

save_sysctls() {
  local s
  [[ -s $STATE/sysctls.saved ]] && return 0
  for s in "${SYSCTLS[@]}"; do echo "$s=$(sysctl -n "$s")"; done >"$STATE/sysctls.saved"
}

restore_sysctls() {
  local kv
  [[ -s $STATE/sysctls.saved ]] || return 0
  while read -r kv; do sysctl -q -w "$kv" || true; done <"$STATE/sysctls.saved"
}

# ---- files ---------------------------------------------------------------------------------------
link_binaries() {
  mkdir -p "$STATE/bin" "$STATE/libexec/cni"
  ln -sfn "$KUBE_DIR/kube" "$STATE/bin/kubectl"
  local p
  for p in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
    ln -sfn "$KUBE_DIR/kube" "$STATE/libexec/$p"
  done
  ln -sfn "$COREDNS_DIR/coredns" "$STATE/libexec/coredns"
  ln -sfn "$DEBS_DIR/bin/etcd" "$STATE/libexec/etcd"
  ln -sfn "$DEBS_DIR/bin/nft" "$STATE/libexec/nft"
  for p in "$DEBS_DIR"/cni/*; do ln -sfn "$p" "$STATE/libexec/cni/"; done
}

write_containerd_config() {
  cat >"$STATE/conf/containerd.toml" <<EOF
# the test cluster's own containerd: its own root, state and socket, next to Docker's
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$SOCK"
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "docker.io/$PAUSE_IMAGE"
  # root here lacks CAP_SYS_RESOURCE: a negative oom_score_adj fails every sandbox
  restrict_oom_score_adj = true
  # the pods' network namespaces under the state directory, removed with it
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$STATE/libexec/cni"
    conf_dir = "$STATE/conf/cni"
    max_conf_num = 1
EOF
  cat >"$STATE/conf/cni/10-kshim.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "kshim-kubernetes",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$STATE/cni/ipam",
        "ranges": [[{ "subnet": "$POD_NET.0/24", "rangeStart": "$POD_NET.10", "gateway": "$NODE_IP" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
}

# ---- certificates and kubeconfigs ----------------------------------------------------------------
make_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=kshim-kubernetes-ca" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign,digitalSignature \
    -keyout "$STATE/pki/ca.key" -out "$STATE/pki/ca.crt" 2>/dev/null
  openssl ecparam -name prime256v1 -genkey -noout -out "$STATE/pki/sa.key" 2>/dev/null
  openssl ec -in "$STATE/pki/sa.key" -pubout -out "$STATE/pki/sa.pub" 2>/dev/null
}

# cert FILE SUBJECT USAGE [SAN]: FILE.key and FILE.crt signed by the cluster CA
cert() {
  local file=$1 subj=$2 usage=$3 san=${4:-}
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$subj" \
    -keyout "$file.key" -out "$file.csr" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [[ -z $san ]] || echo "subjectAltName=$san"
  } >"$file.ext"
  openssl x509 -req -in "$file.csr" -CA "$STATE/pki/ca.crt" -CAkey "$STATE/pki/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 365 -extfile "$file.ext" -out "$file.crt" 2>/dev/null
  rm -f "$file.csr" "$file.ext"
}

# write_kubeconfig FILE USER [CERT | --token TOKEN | --exec COMMAND]
write_kubeconfig() {
  local file=$1 user=$2 kind=${3:-} what=${4:-}
  {
    cat <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kshim-kubernetes
  cluster:
    server: $API
    certificate-authority-data: $(base64 -w0 "$STATE/pki/ca.crt")
contexts:
- name: $user@kshim-kubernetes
  context:
    cluster: kshim-kubernetes
    user: $user
current-context: $user@kshim-kubernetes
users:
- name: $user
  user:
EOF
    case $kind in
      --token) echo "    token: $what" ;;
      --exec) printf '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: %s\n      interactiveMode: Never\n' "$what" ;;
      *) echo "    client-certificate-data: $(base64 -w0 "$kind.crt")"
         echo "    client-key-data: $(base64 -w0 "$kind.key")" ;;
    esac
  } >"$file"
  chmod 0600 "$file"
}

# client NAME SUBJECT: a client certificate and its kubeconfig $STATE/conf/NAME.kubeconfig
client() {
  cert "$STATE/pki/$1" "$2" clientAuth
  write_kubeconfig "$STATE/conf/$1.kubeconfig" "$1" "$STATE/pki/$1"
}

make_pki() {
  make_ca
  cert "$STATE/pki/apiserver" /CN=kube-apiserver serverAuth \
    "IP:127.0.0.1,IP:$NODE_IP,IP:$SVC_NET.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$DOMAIN"
  cert "$STATE/pki/kubelet-serving" "/CN=$NODE" serverAuth "IP:$NODE_IP,DNS:$NODE"
  cert "$STATE/pki/apiserver-kubelet-client" "/CN=kube-apiserver-kubelet-client/O=kubeadm:cluster-admins" clientAuth
  client admin "/CN=kshim-admin/O=system:masters"
  client controller-manager /CN=system:kube-controller-manager
  client scheduler /CN=system:kube-scheduler
  client kubelet "/CN=system:node:$NODE/O=system:nodes"
  client kube-proxy /CN=system:kube-proxy
  client coredns /CN=kshim:coredns
  cp "$STATE/conf/admin.kubeconfig" "$ADMIN"
  # static bearer tokens: the admin's (groups in quotes, as the file's CSV wants)
  printf '%s,kshim-admin,kshim-admin,"system:masters"\n' "$(openssl rand -hex 24)" >"$STATE/pki/tokens.csv"
  chmod 0600 "$STATE/pki"/*.key "$STATE/pki/tokens.csv"
}

# ---- start steps ---------------------------------------------------------------------------------
start_containerd() {
  write_containerd_config
  start containerd containerd --config "$STATE/conf/containerd.toml"
  wait_for containerd "its socket" ctr --address "$SOCK" version
  ctr_ images import "$PAUSE_DIR/pause.tar" >/dev/null
}

start_etcd() {
  start etcd "$STATE/libexec/etcd" --name kshim --data-dir "$STATE/etcd" \
    --listen-client-urls "$ETCD" --advertise-client-urls "$ETCD" \
    --listen-peer-urls http://127.0.0.1:22380 --initial-advertise-peer-urls http://127.0.0.1:22380 \
    --initial-cluster kshim=http://127.0.0.1:22380 --listen-metrics-urls "" \
    --quota-backend-bytes 1073741824 --log-level warn
  wait_for etcd "health" curl -fsS -m 1 "$ETCD/health"
}

start_apiserver() {
  local p=$STATE/pki
  start kube-apiserver "$STATE/libexec/kube-apiserver" --etcd-servers "$ETCD" \
    --bind-address 127.0.0.1 --secure-port 6443 --advertise-address "$NODE_IP" \
    --tls-cert-file "$p/apiserver.crt" --tls-private-key-file "$p/apiserver.key" \
    --client-ca-file "$p/ca.crt" --token-auth-file "$p/tokens.csv" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --service-account-issuer "https://kubernetes.default.svc.$DOMAIN" \
    --service-account-key-file "$p/sa.pub" --service-account-signing-key-file "$p/sa.key" \
    --service-cluster-ip-range "$SVC_NET.0/24" \
    --kubelet-client-certificate "$p/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$p/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$p/ca.crt" --kubelet-preferred-address-types InternalIP \
    --profiling=false --v 1
  wait_for kube-apiserver "/readyz" kc get --raw /readyz
}

start_controllers() {
  local c=$STATE/conf
  start kube-controller-manager "$STATE/libexec/kube-controller-manager" --kubeconfig "$c/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$c/controller-manager.kubeconfig" --authorization-kubeconfig "$c/controller-manager.kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port 0 --use-service-account-credentials \
    --service-account-private-key-file "$STATE/pki/sa.key" --root-ca-file "$STATE/pki/ca.crt" \
    --profiling=false --v 1
  start kube-scheduler "$STATE/libexec/kube-scheduler" --kubeconfig "$c/scheduler.kubeconfig" \
    --authentication-kubeconfig "$c/scheduler.kubeconfig" --authorization-kubeconfig "$c/scheduler.kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port 0 --profiling=false --v 1
  apply_rbac
}

write_kubelet_config() {
  cat >"$STATE/conf/kubelet.yaml" <<EOF
# the test node's kubelet: cgroup v1 with cgroupfs, CRI on the private containerd
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
tlsCertFile: $STATE/pki/kubelet-serving.crt
tlsPrivateKeyFile: $STATE/pki/kubelet-serving.key
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: false }
  x509: { clientCAFile: $STATE/pki/ca.crt }
authorization: { mode: AlwaysAllow }
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$SOCK
clusterDNS: [$NODE_IP]
clusterDomain: $DOMAIN
resolvConf: ""
podLogsDir: $STATE/pod-logs
maxPods: 50
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1% }
evictionPressureTransitionPeriod: 5s
EOF
}

start_kubelet() {
  write_kubelet_config
  save_sysctls
  # PATH without /usr/sbin: with no iptables to find, the kubelet adds no chains of its own
  start kubelet env PATH=/usr/bin:/bin "$STATE/libexec/kubelet" --config "$STATE/conf/kubelet.yaml" \
    --kubeconfig "$STATE/conf/kubelet.kubeconfig" --root-dir "$STATE/kubelet" \
    --hostname-override "$NODE" --node-ip "$NODE_IP" --v 1
  wait_for kubelet "node $NODE Ready" node_ready
}

node_ready() {
  [[ $(kc get node "$NODE" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}') == True ]]
}

start_proxy() {
  cat >"$STATE/conf/kube-proxy.yaml" <<EOF
# the test node's kube-proxy: nftables, and the conntrack sysctls left alone
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: nftables
clientConnection: { kubeconfig: $STATE/conf/kube-proxy.kubeconfig }
hostnameOverride: $NODE
clusterCIDR: $POD_NET.0/24
nodePortAddresses: [$NODE_IP/32]
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
EOF
  start kube-proxy env PATH="$STATE/libexec:/usr/bin:/bin" LD_LIBRARY_PATH="$DEBS_DIR/lib" \
    "$STATE/libexec/kube-proxy" --config "$STATE/conf/kube-proxy.yaml" --v 1
  wait_for kube-proxy "healthz" curl -fsS -m 1 http://127.0.0.1:10256/healthz
}

start_coredns() {
  cat >"$STATE/conf/Corefile" <<EOF
# the cluster's DNS, on the node bridge (the kubelet's clusterDNS); nothing is forwarded
.:53 {
    bind $NODE_IP
    errors
    health 127.0.0.1:18080
    ready 127.0.0.1:18181
    kubernetes $DOMAIN in-addr.arpa {
        kubeconfig $STATE/conf/coredns.kubeconfig coredns@kshim-kubernetes
        pods insecure
    }
    cache 30
}
EOF
  start coredns "$STATE/libexec/coredns" -conf "$STATE/conf/Corefile"
  wait_for coredns "ready" curl -fsS -m 1 http://127.0.0.1:18181/ready
}

# RBAC the cluster's parts and the tests need: CoreDNS's reads, and kshim-attach for the tests
apply_rbac() {
  wait_for kube-apiserver "RBAC bootstrap" kc get clusterrole system:node-proxier
  kc apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: "kshim:coredns" }
rules:
- { apiGroups: [""], resources: [endpoints, services, pods, namespaces], verbs: [list, watch] }
- { apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: "kshim:coredns" }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "kshim:coredns" }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: "kshim:coredns" }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: kshim-attach }
rules:
- { apiGroups: [""], resources: [pods, services, endpoints], verbs: [get, list, watch] }
- { apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [get, list, watch] }
- { apiGroups: [""], resources: [pods/portforward], verbs: [create, get] }
EOF
}

# the Kafka image from Docker, again whenever Docker's image id changed
import_kafka() {
  [[ -n $KAFKA_IMAGE ]] || return 0
  local id
  id=$(docker image inspect -f '{{.Id}}' "$KAFKA_IMAGE" 2>/dev/null) ||
    die "$KAFKA_IMAGE is not in Docker" "make kafka-image (or KSHIM_KAFKA_IMAGE_REF= to start without it)"
  [[ $(cat "$STATE/kafka-image.id" 2>/dev/null) == "$id" ]] && return 0
  log "importing $KAFKA_IMAGE (${id:7:12}) from Docker"
  # ctr gives up dialling containerd after 10 s, which a loaded machine can exceed: three tries
  local try
  for try in 1 2 3; do
    docker save "$KAFKA_IMAGE" | timeout 300 ctr --connect-timeout 10s --address "$SOCK" -n k8s.io images import - >/dev/null && break
    ((try < 3)) || die "importing $KAFKA_IMAGE into the cluster's containerd failed" "see $STATE/logs/containerd.log"
    log "importing $KAFKA_IMAGE failed (try $try of 3); again"
  done
  echo "$id" >"$STATE/kafka-image.id"
}

# ---- up, down, status ----------------------------------------------------------------------------
running() {
  local p
  for p in "${PROCS[@]}"; do alive "$p" || return 1; done
  kc get --raw /readyz >/dev/null 2>&1
}

print_env() {
  [[ -s $ADMIN ]] || die "the cluster is not running" "make kubernetes"
  echo "export KUBECONFIG=$ADMIN"
  # shellcheck disable=SC2016 # $PATH is the caller's, expanded by its eval
  echo "export PATH=$STATE/bin:\$PATH"
}

# env: the two lines once a cluster runs and no up or down is under way (the
# admin kubeconfig exists long before an up in progress has a node to use)
running_env() {
  if [[ -r $LOCK ]]; then
    exec 7<"$LOCK"
    flock -s 7 || true
  fi
  running || die "the cluster is not running" "make kubernetes"
  print_env
}

take_lock() {
  exec 7>"$LOCK"
  flock -n 7 || { log "another kubernetes.sh up/down runs; waiting for it"; flock 7; }
}

up() {
  take_lock
  if running; then
    import_kafka
    log "the cluster runs already"
    print_env
    return 0
  fi
  build
  [[ -d $STATE ]] && { log "removing a stopped or broken cluster's state first"; stop_all; }
  check_subnets
  command -v docker >/dev/null && [[ -n $KAFKA_IMAGE ]] && ! docker image inspect "$KAFKA_IMAGE" >/dev/null 2>&1 &&
    die "$KAFKA_IMAGE is not in Docker" "make kafka-image (or KSHIM_KAFKA_IMAGE_REF= to start without it)"
  local t0=$EPOCHREALTIME
  ROLLBACK=1
  mkdir -p "$STATE"/{conf/cni,pki,logs,pids,users,cni/ipam,pod-logs}
  chmod 0700 "$STATE"
  link_binaries
  bridge_up
  make_pki
  start_containerd
  (ROLLBACK=0; import_kafka) &
  IMPORTER=$!
  start_etcd
  start_apiserver
  start_controllers
  start_kubelet
  start_proxy
  start_coredns
  wait "$IMPORTER" || die "importing $KAFKA_IMAGE failed" "see the message above"
  wait_for kube-controller-manager "the default ServiceAccount" kc get serviceaccount default
  # shellcheck disable=SC2034 # kubernetes.sh, which sources this file, reads it in its traps
  ROLLBACK=0
  log "ready in $(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $t0}")s: node $NODE, API $API, logs $STATE/logs"
  print_env
}

# drain_pods: the pods go while the kubelet still runs, so each sandbox's network is released
drain_pods() {
  alive kube-apiserver && alive kubelet || return 0
  kc delete pods --all-namespaces --all --grace-period 0 --force --wait=false >/dev/null 2>&1 || true
  local t0=$SECONDS
  while ((SECONDS - t0 < 20)) && [[ -n $(ctr_ tasks ls -q 2>/dev/null) ]]; do sleep 0.3; done
}

kill_tasks() {
  local t
  alive containerd || return 0
  for t in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true; done
  sleep 0.5
  for t in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks delete -f "$t" >/dev/null 2>&1 || true; done
}

unmount_state() {
  local m
  # deepest first: pod volumes, container roots, network namespaces
  awk -v s="$STATE/" 'index($2, s) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
}

remove_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/kubepods; do
    [[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

# kill_tree PID: the process and everything it started, children first
kill_tree() {
  local c
  for c in $(pgrep -P "$1"); do kill_tree "$c"; done
  kill "$1" 2>/dev/null || true
}

stop_all() {
  [[ -z ${IMPORTER:-} ]] || { kill_tree "$IMPORTER"; IMPORTER=; }
  stop coredns
  stop kube-proxy
  local fam
  for fam in ip ip6; do
    LD_LIBRARY_PATH=$DEBS_DIR/lib "$STATE/libexec/nft" delete table "$fam" kube-proxy 2>/dev/null || true
  done
  stop kube-controller-manager
  stop kube-scheduler
  drain_pods
  stop kubelet
  stop kube-apiserver
  stop etcd
  kill_tasks
  stop containerd
  unmount_state
  remove_cgroups
  bridge_down
  restore_sysctls
  find /var/log/containers -maxdepth 1 -lname "$STATE/*" -delete 2>/dev/null || true
  rm -f /var/lib/cni/results/kshim-kubernetes-*
  rm -rf --one-file-system "$STATE"
}

down() {
  take_lock
  [[ -d $STATE ]] || ip link show "$BRIDGE" >/dev/null 2>&1 || { log "no cluster to stop"; return 0; }
  # DEBS_DIR for nft: the cached build the state links to
  DEBS_DIR=$(dirname "$(dirname "$(readlink "$STATE/libexec/nft" 2>/dev/null || echo /x/x/x)")")
  local t0=$EPOCHREALTIME
  stop_all
  log "stopped and removed in $(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $t0}")s"
}

status() {
  local p bad=0 pid
  for p in "${PROCS[@]}"; do
    if pid=$(pid_of "$p"); then
      printf '%-24s running  pid %-7s rss %s\n' "$p" "$pid" "$(awk '/^VmRSS/ { printf "%d MB", $2 / 1024 }' "/proc/$pid/status")"
    else
      printf '%-24s stopped\n' "$p"; bad=1
    fi
  done
  if ((bad == 0)) && node_ready; then echo "node $NODE Ready; KUBECONFIG=$ADMIN"; else echo "not running"; return 1; fi
}
