#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kafka-run-class.sh for kshim/kafka images: run a Java main class with Kafka's jars.
# Usage: kafka-run-class.sh CLASS [ARGS...]
# The broker classes are kafka.Kafka and kshim.KshimStart (setup and broker in one JVM, see
# /etc/kafka/docker/run). Honours: JAVA_HOME,
#   KAFKA_HEAP_OPTS (default -Xmx400m -Xms400m for the broker, else -Xmx256M),
#   KAFKA_JVM_PERFORMANCE_OPTS (default: C1 only + serial GC, which suit a short-lived development
#     broker and the tools; Kafka's G1 server flags for the perf-test tools),
#   KAFKA_LOG4J_OPTS (default: the image's log4j 2 YAML files with Kafka 4.x, log4j 1 properties
#     files with 3.x: $KSHIM_LOG4J_CONFIG if set, else /opt/kafka/config/log4j2.yaml for the broker
#     and tools-log4j2.yaml for everything else),
#   KAFKA_JMX_OPTS, KAFKA_JMX_PORT, KAFKA_OPTS, CLASSPATH (prepended),
#   KSHIM_CDS=0 (do not use the class-data archive /opt/kafka/kshim.jsa that the image build
#     recorded from a training start), KSHIM_CDS_DUMP=FILE (record one at the broker's exit).
set -euo pipefail
set -f  # option strings are split on spaces, never globbed

if [[ $# -lt 1 ]]; then
  echo "usage: $0 CLASS [ARGS...]" >&2
  exit 1
fi

base=/opt/kafka
defaults=/etc/kafka/docker
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
archive=$base/kshim.jsa

# Kafka 4.x logs through log4j 2 (YAML files), 3.x through log4j 1 (properties files).
if [[ -e $defaults/log4j2.yaml ]]; then
  broker_log4j=log4j2.yaml tools_log4j=tools-log4j2.yaml
  log4j_opt() { echo "-Dlog4j2.configurationFile=$1"; }
else
  broker_log4j=log4j.properties tools_log4j=tools-log4j.properties
  log4j_opt() { echo "-Dlog4j.configuration=file:$1"; }
fi
first_readable() { [[ -r $1 ]] && echo "$1" || echo "$2"; }

broker=0 log4j_after=""
case $1 in
  kafka.Kafka)
    broker=1
    log4j_conf=$(first_readable "${KSHIM_LOG4J_CONFIG:-$base/config/$broker_log4j}" "$defaults/$broker_log4j") ;;
  kshim.KshimStart)
    # setup logs like a tool; KshimStart switches to the broker's file (written by setup) after it
    broker=1
    log4j_conf=$defaults/$tools_log4j
    log4j_after="-Dkshim.log4j.broker=$base/config/$broker_log4j -Dkshim.log4j.default=$defaults/$broker_log4j" ;;
  *)
    log4j_conf=$(first_readable "${KSHIM_LOG4J_CONFIG:-$base/config/$tools_log4j}" "$defaults/$tools_log4j") ;;
esac
if (( broker )); then
  # sized so that three brokers fit on a small machine
  heap=${KAFKA_HEAP_OPTS:--Xmx400m -Xms400m}
else
  heap=${KAFKA_HEAP_OPTS:--Xmx256M}
fi
case $1 in
  # throughput tools: Kafka's usual server flags
  org.apache.kafka.tools.ProducerPerformance|org.apache.kafka.tools.ConsumerPerformance)
    perf_default="-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true" ;;
  # the broker and the tools: C1 only + serial GC start with far less CPU (see README, Performance)
  *) perf_default="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true" ;;
esac
perf=${KAFKA_JVM_PERFORMANCE_OPTS:-$perf_default}
if [[ -n ${KAFKA_LOG4J_OPTS:-} ]]; then
  log4j=$KAFKA_LOG4J_OPTS log4j_after=""
else
  log4j=$(log4j_opt "$log4j_conf")
fi
jmx=""
if [[ -n ${KAFKA_JMX_PORT:-} ]]; then
  jmx=${KAFKA_JMX_OPTS:--Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false}
  jmx="$jmx -Dcom.sun.management.jmxremote.port=$KAFKA_JMX_PORT"
  [[ $jmx == *jmxremote.rmi.port* ]] || jmx="$jmx -Dcom.sun.management.jmxremote.rmi.port=$KAFKA_JMX_PORT"
elif [[ -n ${KAFKA_JMX_OPTS:-} ]]; then
  jmx=$KAFKA_JMX_OPTS
fi
# The jars in name order, spelled out: a class-data archive holds only for the class path it was
# recorded with.
set +f
jars=("$base"/libs/*.jar)
set -f
cp=$(IFS=:; echo "${jars[*]}")
[[ -n ${CLASSPATH:-} ]] && cp="$CLASSPATH:$cp"
cds=""
if (( broker )) && [[ -n ${KSHIM_CDS_DUMP:-} ]]; then
  cds="-XX:ArchiveClassesAtExit=$KSHIM_CDS_DUMP"
elif [[ ${KSHIM_CDS:-1} != 0 && -r $archive && -z ${CLASSPATH:-} ]]; then
  # -Xlog: a mismatch (another JVM, changed jars) means starting without it, silently
  cds="-XX:SharedArchiveFile=$archive -Xlog:cds=off -Xlog:cds+dynamic=off"
fi

# shellcheck disable=SC2086
exec "$java" $heap $perf $cds $jmx $log4j $log4j_after -Dkafka.logs.dir="$base/logs" ${KAFKA_OPTS:-} -cp "$cp" "$@"
