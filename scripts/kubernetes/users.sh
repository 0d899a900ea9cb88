# SPDX-License-Identifier: Apache-2.0
# Users half of scripts/kubernetes.sh (sourced by it): kubeconfigs for test users of the running
# cluster, written to $STATE/users/NAME-AUTH.kubeconfig.
#   cert   a client certificate for user NAME (groups from --group) signed by the cluster CA
#   token  a bearer token: the token of ServiceAccount NAME in namespace kshim-users (the API server
#          takes it as user system:serviceaccount:kshim-users:NAME), valid for 24 hours
#   exec   the same token, returned by an exec credential plugin ($STATE/users/NAME-credential, a
#          script printing an ExecCredential), as EKS, GKE and AKS kubeconfigs sign in
# --role attach binds the ClusterRole kshim-attach to that user, in --namespace NS or cluster-wide.

USERS_NS=kshim-users

mint_usage() {
  die "usage: kubeconfig --user NAME [--group G]... [--auth cert|token|exec] [--role attach [--namespace NS]]" \
    "e.g. scripts/kubernetes.sh kubeconfig --user kshim-test --role attach --namespace kafka"
}

# sa_token NAME: the ServiceAccount and a token for it
sa_token() {
  kc create namespace "$USERS_NS" --dry-run=client -o yaml | kc apply -f - >/dev/null
  kc -n "$USERS_NS" create serviceaccount "$1" --dry-run=client -o yaml | kc apply -f - >/dev/null
  kc -n "$USERS_NS" create token "$1" --duration 24h
}

# write_credential_plugin FILE TOKEN: an exec credential plugin that returns TOKEN
write_credential_plugin() {
  cat >"$1" <<EOF
#!/bin/sh
# exec credential plugin for a kshim test user: prints its bearer token as an ExecCredential
cat <<'JSON'
{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"$2"}}
JSON
EOF
  chmod 0700 "$1"
}

# bind_role ROLE NAME KIND NS: a (Cluster)RoleBinding of the ClusterRole kshim-ROLE to the user
bind_role() {
  local role=kshim-$1 name=$2 kind=$3 ns=$4 subject binding
  # one binding per subject: a user and a ServiceAccount of the same name keep theirs
  if [[ $kind == ServiceAccount ]]; then
    subject="--serviceaccount=$USERS_NS:$name" binding=$role-sa-$name
  else
    subject="--user=$name" binding=$role-$name
  fi
  if [[ -n $ns ]]; then
    kc create namespace "$ns" --dry-run=client -o yaml | kc apply -f - >/dev/null
    kc -n "$ns" create rolebinding "$binding" --clusterrole "$role" "$subject" --dry-run=client -o yaml | kc apply -f - >/dev/null
  else
    kc create clusterrolebinding "$binding" --clusterrole "$role" "$subject" --dry-run=client -o yaml | kc apply -f - >/dev/null
  fi
}

mint_kubeconfig() {
  local name="" auth=cert role="" ns="" subj groups=() file token
  while (($#)); do
    case $1 in
      --user) name=${2:-}; shift 2 || mint_usage ;;
      --group) groups+=("${2:-}"); shift 2 || mint_usage ;;
      --auth) auth=${2:-}; shift 2 || mint_usage ;;
      --role) role=${2:-}; shift 2 || mint_usage ;;
      --namespace) ns=${2:-}; shift 2 || mint_usage ;;
      *) mint_usage ;;
    esac
  done
  [[ $name =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ ]] || mint_usage
  [[ -z $role || $role == attach ]] || die "unknown role '$role'" "the one role is attach (ClusterRole kshim-attach)"
  running || die "the cluster is not running" "make kubernetes"
  file=$STATE/users/$name-$auth.kubeconfig
  case $auth in
    cert)
      subj="/CN=$name"
      for g in "${groups[@]}"; do subj+="/O=$g"; done
      cert "$STATE/users/$name" "$subj" clientAuth
      write_kubeconfig "$file" "$name" "$STATE/users/$name"
      [[ -z $role ]] || bind_role "$role" "$name" User "$ns" ;;
    token|exec)
      ((${#groups[@]} == 0)) || die "--group works with --auth cert only" "a ServiceAccount's groups are fixed; drop --group"
      token=$(sa_token "$name")
      if [[ $auth == token ]]; then
        write_kubeconfig "$file" "$name" --token "$token"
      else
        write_credential_plugin "$STATE/users/$name-credential" "$token"
        write_kubeconfig "$file" "$name" --exec "$STATE/users/$name-credential"
      fi
      [[ -z $role ]] || bind_role "$role" "$name" ServiceAccount "$ns" ;;
    *) die "unknown --auth '$auth'" "use cert, token or exec" ;;
  esac
  echo "$file"
}
