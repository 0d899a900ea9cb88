#!/usr/bin/env bash
# kafka-run-class.sh for kshim/kafka:local: run a Java main class with Kafka's jars.
# Usage: kafka-run-class.sh CLASS [ARGS...]
# Honours: JAVA_HOME, KAFKA_HEAP_OPTS (default -Xmx400m -Xms400m for kafka.Kafka, else -Xmx256M),
#   KAFKA_JVM_PERFORMANCE_OPTS (default: G1 server flags for the broker and the perf tools,
#   C1-only + serial GC for short-lived tools),
#   KAFKA_LOG4J_OPTS (default: -Dlog4j2.configurationFile=$KSHIM_LOG4J_CONFIG if set, else
#   /opt/kafka/config/log4j2.yaml for kafka.Kafka and tools-log4j2.yaml for everything else),
#   KAFKA_JMX_OPTS, KAFKA_JMX_PORT, KAFKA_OPTS, CLASSPATH (prepended).
set -euo pipefail
set -f  # option strings are split on spaces, never globbed

if [[ $# -lt 1 ]]; then
  echo "usage: $0 CLASS [ARGS...]" >&2
  exit 1
fi

base=/opt/kafka
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

if [[ $1 == kafka.Kafka ]]; then
  # the broker (also via kafka-server-start.sh): its own log4j2 file, and a heap sized so that
  # three brokers fit on a small machine
  log4j_conf=${KSHIM_LOG4J_CONFIG:-$base/config/log4j2.yaml}
  [[ -r $log4j_conf ]] || log4j_conf=/etc/kafka/docker/log4j2.yaml
  heap=${KAFKA_HEAP_OPTS:--Xmx400m -Xms400m}
else
  log4j_conf=${KSHIM_LOG4J_CONFIG:-$base/config/tools-log4j2.yaml}
  [[ -r $log4j_conf ]] || log4j_conf=/etc/kafka/docker/tools-log4j2.yaml
  heap=${KAFKA_HEAP_OPTS:--Xmx256M}
fi
case $1 in
  # long-running or throughput-sensitive: Kafka's usual server flags
  kafka.Kafka|org.apache.kafka.tools.ProducerPerformance|org.apache.kafka.tools.ConsumerPerformance)
    perf_default="-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true" ;;
  # short-lived tools (and the start-up setup step): C1 only + serial GC start ~2.5x faster here
  *) perf_default="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true" ;;
esac
perf=${KAFKA_JVM_PERFORMANCE_OPTS:-$perf_default}
log4j=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$log4j_conf}
jmx=""
if [[ -n ${KAFKA_JMX_PORT:-} ]]; then
  jmx=${KAFKA_JMX_OPTS:--Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false}
  jmx="$jmx -Dcom.sun.management.jmxremote.port=$KAFKA_JMX_PORT"
  [[ $jmx == *jmxremote.rmi.port* ]] || jmx="$jmx -Dcom.sun.management.jmxremote.rmi.port=$KAFKA_JMX_PORT"
elif [[ -n ${KAFKA_JMX_OPTS:-} ]]; then
  jmx=$KAFKA_JMX_OPTS
fi
cp="$base/libs/*"
[[ -n ${CLASSPATH:-} ]] && cp="$CLASSPATH:$cp"

# shellcheck disable=SC2086
exec "$java" $heap $perf $jmx $log4j -Dkafka.logs.dir="$base/logs" ${KAFKA_OPTS:-} -cp "$cp" "$@"
