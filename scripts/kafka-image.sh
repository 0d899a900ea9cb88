#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Build kshim/kafka:<version>, a stand-in for the official apache/kafka image (Scala 2.13), from
# Debian packages and Maven Central only (no container registry needed). The default version is
# also tagged kshim/kafka:local.
#
# Usage: [KAFKA_VERSION=X.Y.Z] scripts/kafka-image.sh [--force] [--force-all]
#   (no args)    no-op when the image exists with the same build-input hash (label kshim.inputs)
#   --force      rebuild the image (reuses the cached rootfs tarball and jars)
#   --force-all  also rebuild the cached rootfs tarball and re-fetch the jars
#
# Steps (each cached under /var/cache/kshim):
#   1. rootfs: debootstrap bookworm (minbase + JRE 17 + kcat + iproute2 + procps) -> rootfs/*.tar,
#      imported as kshim/kafka-base:<key>
#   2. jars: mvn dependency:copy-dependencies on a generated pom -> maven/kafka-<ver>-<key>/libs
#   3. docker build (scripts/image/Dockerfile) -> kshim/kafka:<version>, labelled with the input hash
#      and org.opencontainers.image.version; the build records a class-data archive from a training
#      start of the broker (scripts/image/train-cds)
#
# Environment: KAFKA_VERSION (default 4.4.0; 3.9.x or any 4.x), KSHIM_KAFKA_IMAGE (the one tag to
#              build instead of kshim/kafka:<version> [+ kshim/kafka:local]),
#              KSHIM_CACHE (default /var/cache/kshim), KSHIM_DEBIAN_MIRROR (default http://deb.debian.org/debian)
set -euo pipefail

DEFAULT_KAFKA_VERSION=4.4.0 # also launcher/up.c's apache/kafka:<version>
KAFKA_VERSION=${KAFKA_VERSION:-$DEFAULT_KAFKA_VERSION}
SCALA_VERSION=2.13
LOG4J_VERSION=2.25.5 # Kafka 4.x only; 3.x logs through reload4j (log4j 1), its own dependency
SUITE=bookworm # trixie's OpenJDK 21 started a broker with no less CPU (README, Performance)
MIRROR=${KSHIM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
ROOTFS_PKGS=openjdk-17-jre-headless,kcat,iproute2,procps
ROOTFS_RECIPE=3   # bump when the rootfs cleanup below changes
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
CACHE=${KSHIM_CACHE:-/var/cache/kshim}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMGDIR=$HERE/image
ME=kafka-image.sh
. "$HERE/rootfs.sh"
sha() { sha256sum | cut -c1-16; }

[[ $KAFKA_VERSION =~ ^(3\.9|4\.[0-9]+)\.[0-9]+$ ]] ||
  die "unsupported KAFKA_VERSION '$KAFKA_VERSION'" "use 3.9.x or 4.x.y (KRaft images), e.g. KAFKA_VERSION=3.9.1"
if [[ -n ${KSHIM_KAFKA_IMAGE:-} ]]; then
  TAGS=("$KSHIM_KAFKA_IMAGE")
elif [[ $KAFKA_VERSION == "$DEFAULT_KAFKA_VERSION" ]]; then
  TAGS=("kshim/kafka:$KAFKA_VERSION" kshim/kafka:local)
else
  TAGS=("kshim/kafka:$KAFKA_VERSION")
fi
IMAGE=${TAGS[0]}
# Kafka 4.x: log4j 2 with YAML files; 3.x: log4j 1 (reload4j) with properties files.
if [[ $KAFKA_VERSION == 3.* ]]; then
  LOG4J_FILES=(log4j.properties tools-log4j.properties)
else
  LOG4J_FILES=(log4j2.yaml tools-log4j2.yaml)
fi

FORCE=0 FORCE_ALL=0
for a in "$@"; do
  case $a in
    --force) FORCE=1 ;;
    --force-all) FORCE=1 FORCE_ALL=1 ;;
    -h|--help) sed -n '3,21p' "$0"; exit 0 ;;
    *) die "unknown argument: $a" "usage: $0 [--force] [--force-all]" ;;
  esac
done

need_engine

# ---- build-input hash: this script + every file under scripts/image + versions ------------------
INPUTS=$( {
  echo "$KAFKA_VERSION $SCALA_VERSION $LOG4J_VERSION $SUITE $ROOTFS_PKGS $ROOTFS_RECIPE $DEP_PLUGIN"
  cat "$HERE/kafka-image.sh" "$HERE/rootfs.sh"
  (cd "$IMGDIR" && find . -type f | LC_ALL=C sort | while read -r f; do
     echo "== $f $([[ -x $f ]] && echo x)"; cat "$f"; done)
} | sha)

up_to_date() {
  local have
  local have t
  for t in "${TAGS[@]}"; do
    have=$(docker image inspect -f '{{ index .Config.Labels "kshim.inputs" }}' "$t" 2>/dev/null || true)
    [[ $have == "$INPUTS" ]] && continue
    [[ -n $have && ${1:-} == verbose ]] && log "$t exists with inputs $have, want $INPUTS: rebuilding"
    return 1
  done
}
if (( ! FORCE )) && up_to_date verbose; then
  log "$IMAGE is up to date (inputs $INPUTS)"
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "building the image needs root (debootstrap)" "run: sudo $0"
for t in debootstrap mvn java javac jar tar flock; do
  command -v "$t" >/dev/null || die "$t not found" "run scripts/deps.sh"
done
mkdir -p "$CACHE"
build_lock "$CACHE/.kafka-image.lock"
mkdir -p "$CACHE"/{rootfs,maven,build}

# ---- 1. base rootfs ------------------------------------------------------------------------------
ROOTFS_KEY=$(echo "$SUITE $MIRROR $ROOTFS_PKGS $ROOTFS_RECIPE" | sha)
ROOTFS_TAR=$CACHE/rootfs/$SUITE-minbase-$ROOTFS_KEY.tar
BASE_IMAGE=kshim/kafka-base:$ROOTFS_KEY

if (( FORCE_ALL )); then
  rm -f "$ROOTFS_TAR"
  docker image rm "$BASE_IMAGE" >/dev/null 2>&1 || true
fi

# the broker's java, where the image's scripts look for it
has_java() { [[ -L $1/usr/bin/java ]] && compgen -G "$1/usr/lib/jvm/java-17-openjdk-*/bin/java" >/dev/null; }
[[ -s $ROOTFS_TAR ]] || rootfs_tar "$SUITE" "$ROOTFS_PKGS" "$MIRROR" "$ROOTFS_TAR" has_java

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "docker import $ROOTFS_TAR -> $BASE_IMAGE"
  docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["/bin/bash"]' --message "kshim $SUITE minbase + $ROOTFS_PKGS" \
      "$ROOTFS_TAR" "$BASE_IMAGE" >/dev/null \
    || die "docker import of $ROOTFS_TAR failed" "delete it and rerun with --force-all"
fi

# ---- 2. Kafka jars from Maven Central -----------------------------------------------------------
POM=$(cat <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kshim</groupId><artifactId>kafka-image-libs</artifactId><version>1</version>
  <packaging>pom</packaging>
  <!-- what the broker, the storage tool, the CLI tools and their logging need at runtime -->
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_$SCALA_VERSION</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>$(
    [[ $KAFKA_VERSION == 3.* ]] || cat <<EOL

    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    <!-- Kafka 4.x uses slf4j-api 1.7.x, so the log4j2 binding is log4j-slf4j-impl (not -slf4j2-) -->
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-1.2-api</artifactId><version>$LOG4J_VERSION</version></dependency>
EOL
)
  </dependencies>
</project>
EOF
)
LIBS_KEY=$(printf '%s %s' "$POM" "$DEP_PLUGIN" | sha)
LIBS_DIR=$CACHE/maven/kafka-$KAFKA_VERSION-$LIBS_KEY/libs
(( FORCE_ALL )) && rm -rf "$(dirname "$LIBS_DIR")"
if [[ ! -s $LIBS_DIR/kafka_$SCALA_VERSION-$KAFKA_VERSION.jar ]]; then
  log "fetching Kafka $KAFKA_VERSION jars with mvn"
  mdir=$(dirname "$LIBS_DIR")
  rm -rf "$mdir"; mkdir -p "$mdir"
  printf '%s\n' "$POM" >"$mdir/pom.xml"
  if ! mvn -B -q -f "$mdir/pom.xml" -Dmaven.repo.local="$CACHE/m2" \
        "$DEP_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory="$LIBS_DIR.tmp" \
        >"$mdir/mvn.log" 2>&1; then
    die "mvn dependency:copy-dependencies failed: $(grep -m1 ERROR "$mdir/mvn.log" || tail -1 "$mdir/mvn.log")" \
        "see $mdir/mvn.log (is Maven Central reachable?)"
  fi
  mv "$LIBS_DIR.tmp" "$LIBS_DIR"
  log "jars cached: $LIBS_DIR ($(ls "$LIBS_DIR" | wc -l) jars, $(du -sh "$LIBS_DIR" | cut -f1))"
fi
if [[ $KAFKA_VERSION == 3.* ]]; then LOG_JARS=(reload4j slf4j-reload4j); else LOG_JARS=(log4j-core log4j-slf4j-impl jackson-dataformat-yaml); fi
for j in kafka_$SCALA_VERSION kafka-tools kafka-clients "${LOG_JARS[@]}"; do
  ls "$LIBS_DIR/$j"-[0-9]*.jar >/dev/null 2>&1 || die "jar $j missing from $LIBS_DIR" "rerun with --force-all"
done

# ---- 3. docker build ----------------------------------------------------------------------------
CTX=$(mktemp -d "$CACHE/build/ctx.XXXXXX")
# shellcheck disable=SC2064
trap "rm -rf '$CTX'" EXIT
mkdir -p "$CTX/bin" "$CTX/docker"
cp -al "$LIBS_DIR" "$CTX/libs" 2>/dev/null || cp -a "$LIBS_DIR" "$CTX/libs"
cp "$IMGDIR/Dockerfile" "$CTX/Dockerfile"
install -m 0755 "$IMGDIR/run" "$CTX/docker/run"
install -m 0755 "$IMGDIR/train-cds" "$CTX/train-cds"
install -m 0644 "$IMGDIR/server.properties" "${LOG4J_FILES[@]/#/$IMGDIR/}" "$CTX/docker/"
install -m 0755 "$IMGDIR/kafka-run-class.sh" "$CTX/bin/kafka-run-class.sh"
# kshim.KshimStart: setup and broker in one JVM (reflection only, so no Kafka jars to compile with)
mkdir "$CTX/classes"
javac --release 17 -d "$CTX/classes" "$IMGDIR/KshimStart.java" ||
  die "javac of KshimStart.java failed" "see the compiler's message above"
jar cf "$CTX/libs/kshim-start.jar" -C "$CTX/classes" . && rm -rf "$CTX/classes"
# a tool's class moved between versions: the first of its classes that the jars hold
for j in "$LIBS_DIR"/kafka*.jar; do unzip -Z1 "$j"; done | sed -n 's/\.class$//p' | tr / . | LC_ALL=C sort -u >"$CTX/classes.txt"
while read -r name classes; do
  [[ -z $name || $name == \#* ]] && continue
  class=""
  for c in $classes; do grep -qxF "$c" "$CTX/classes.txt" && { class=$c; break; }; done
  [[ -n $class ]] || die "$name: none of $classes in the Kafka $KAFKA_VERSION jars" "add its class to scripts/image/tools.list"
  printf '#!/usr/bin/env bash\n# %s (Kafka %s): runs %s\nexec "$(dirname "$0")/kafka-run-class.sh" %s "$@"\n' \
    "$name" "$KAFKA_VERSION" "$class" "$class" >"$CTX/bin/$name"
  chmod 0755 "$CTX/bin/$name"
done <"$IMGDIR/tools.list"
rm "$CTX/classes.txt"

log "docker build -> ${TAGS[*]} (with a training start of the broker)"
if ! DOCKER_BUILDKIT=0 docker build -q --build-arg BASE="$BASE_IMAGE" \
      --label kshim.inputs="$INPUTS" --label kshim.image=kafka \
      --label org.opencontainers.image.version="$KAFKA_VERSION" \
      --label org.opencontainers.image.title="kshim local stand-in for apache/kafka" \
      "${TAGS[@]/#/-t}" "$CTX" >"$CACHE/build/build.log" 2>&1; then
  die "docker build failed: $(grep -v '^\s*$' "$CACHE/build/build.log" | tail -1)" "see $CACHE/build/build.log"
fi
rm -rf "$CTX"
# drop superseded builds of this image (untagged, ours only)
docker image prune -f --filter label=kshim.image=kafka >/dev/null 2>&1 || true

log "built ${TAGS[*]} ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')), inputs $INPUTS"
