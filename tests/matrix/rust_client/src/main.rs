// SPDX-License-Identifier: Apache-2.0
//! "rust-client": a plain rdkafka (Rust) application for the compatibility matrix
//! (tests/matrix-clients.sh). It knows nothing about kshim.
//!
//!   rust_client BOOTSTRAP TOPIC N RUNID SECONDS
//!
//! Produces N keyed records (key "k<i>", value "<RUNID>:<i>", acks=all), waits for every
//! delivery report, then reads every partition of TOPIC from the beginning to its end (assign,
//! no group) and prints each record. stdout: "PRODUCED <acked>", then
//! "M\t<partition>\t<offset>\t<key>\t<value>" per record, then "DONE". Exit 0 when the run
//! completed (the caller checks the counts), 1 on an error, 2 on bad usage.
//! MATRIX_CLIENT_CONFIG, when set, names librdkafka properties (kshim config) for TLS and SASL.
use std::process::exit;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::{ClientContext, Message, Offset, TopicPartitionList};

/// Counts delivery reports.
#[derive(Default)]
struct Deliveries {
    acked: AtomicU64,
    failed: AtomicU64,
}

/// librdkafka's log lines (at its default level, info) and errors on stderr, as a C client has
/// them by default: the crate would hand them to the `log` crate, which prints nothing without a
/// logger, and lower librdkafka's level to match.
fn log_line(fac: &str, msg: &str) {
    eprintln!("rust_client: librdkafka {fac}: {msg}");
}

impl ClientContext for Deliveries {
    fn log(&self, _: RDKafkaLogLevel, fac: &str, msg: &str) {
        log_line(fac, msg);
    }
    fn error(&self, e: KafkaError, reason: &str) {
        log_line(&e.to_string(), reason);
    }
}

/// The consumer's context: logs only.
struct Logs;

impl ClientContext for Logs {
    fn log(&self, _: RDKafkaLogLevel, fac: &str, msg: &str) {
        log_line(fac, msg);
    }
    fn error(&self, e: KafkaError, reason: &str) {
        log_line(&e.to_string(), reason);
    }
}

impl ConsumerContext for Logs {}

impl ProducerContext for Deliveries {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => {
                self.acked.fetch_add(1, Ordering::Relaxed);
            }
            Err((e, _)) => {
                if self.failed.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!("rust_client: delivery failed: {e}");
                }
            }
        }
    }
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("rust_client: {what}: {e}");
    exit(1);
}

/// A client configuration with MATRIX_CLIENT_CONFIG's settings, but its bootstrap.servers.
fn with_security() -> ClientConfig {
    let mut config = ClientConfig::new();
    if let Ok(path) = std::env::var("MATRIX_CLIENT_CONFIG") {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| fail(&path, e));
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            if let Some((k, v)) = line.split_once('=') {
                if k != "bootstrap.servers" {
                    config.set(k, v);
                }
            }
        }
    }
    config
}

/// Sends the N records and returns how many were acknowledged.
fn produce(bootstrap: &str, topic: &str, n: u64, run: &str, ms: u64) -> u64 {
    let producer: BaseProducer<Deliveries> = with_security()
        .set("bootstrap.servers", bootstrap)
        .set("acks", "all")
        .set("linger.ms", "5")
        .set("message.timeout.ms", ms.to_string())
        .set_log_level(RDKafkaLogLevel::Info)
        .create_with_context(Deliveries::default())
        .unwrap_or_else(|e| fail("producer", e));
    for i in 0..n {
        let (key, value) = (format!("k{i}"), format!("{run}:{i}"));
        let mut record = BaseRecord::to(topic).key(&key).payload(&value);
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                    producer.poll(Duration::from_millis(50));
                    record = r;
                }
                Err((e, _)) => fail("produce", e),
            }
        }
        producer.poll(Duration::ZERO);
    }
    if let Err(e) = producer.flush(Duration::from_millis(ms + 2000)) {
        eprintln!("rust_client: flush: {e}");
    }
    producer.context().acked.load(Ordering::Relaxed)
}

/// The topic's partition ids, asked until the deadline.
fn partitions(consumer: &BaseConsumer<Logs>, topic: &str, deadline: Instant) -> Vec<i32> {
    while Instant::now() < deadline {
        match consumer.fetch_metadata(Some(topic), Duration::from_secs(5)) {
            Ok(md) => {
                if let Some(t) = md.topics().iter().find(|t| t.name() == topic) {
                    if t.error().is_none() && !t.partitions().is_empty() {
                        return t.partitions().iter().map(|p| p.id()).collect();
                    }
                }
            }
            Err(e) => eprintln!("rust_client: metadata: {e}"),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    fail(
        "metadata",
        format!("no partitions of {topic} before the deadline"),
    );
}

/// Reads every partition from the beginning to its end, printing each record.
fn consume(bootstrap: &str, topic: &str, run: &str, deadline: Instant) {
    let consumer: BaseConsumer<Logs> = with_security()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("{run}-rust-client"))
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "true")
        .set_log_level(RDKafkaLogLevel::Info)
        .create_with_context(Logs)
        .unwrap_or_else(|e| fail("consumer", e));
    let parts = partitions(&consumer, topic, deadline);
    let mut list = TopicPartitionList::new();
    for &p in &parts {
        list.add_partition_offset(topic, p, Offset::Beginning)
            .unwrap_or_else(|e| fail("assign", e));
    }
    consumer.assign(&list).unwrap_or_else(|e| fail("assign", e));
    let mut ended = std::collections::HashSet::new();
    while ended.len() < parts.len() && Instant::now() < deadline {
        match consumer.poll(Duration::from_millis(200)) {
            None => {}
            Some(Err(KafkaError::PartitionEOF(p))) => {
                ended.insert(p);
            }
            Some(Err(e)) => eprintln!("rust_client: consume: {e}"),
            Some(Ok(m)) => println!(
                "M\t{}\t{}\t{}\t{}",
                m.partition(),
                m.offset(),
                String::from_utf8_lossy(m.key().unwrap_or_default()),
                String::from_utf8_lossy(m.payload().unwrap_or_default())
            ),
        }
    }
    if ended.len() < parts.len() {
        eprintln!(
            "rust_client: deadline: end of {} of {} partitions reached",
            ended.len(),
            parts.len()
        );
    }
}

fn main() {
    let start = Instant::now();
    let args: Vec<String> = std::env::args().collect();
    let parsed = match args.as_slice() {
        [_, b, t, n, r, s] => n
            .parse::<u64>()
            .ok()
            .zip(s.parse::<u64>().ok())
            .map(|(n, s)| (b, t, n, r, s)),
        _ => None,
    };
    let (bootstrap, topic, n, run, secs) = match parsed.filter(|p| p.2 > 0 && p.4 > 0) {
        Some(p) => p,
        None => {
            eprintln!("usage: rust_client BOOTSTRAP TOPIC N RUNID SECONDS");
            exit(2);
        }
    };
    let acked = produce(bootstrap, topic, n, run, secs * 500);
    println!("PRODUCED {acked}");
    if acked > 0 {
        consume(bootstrap, topic, run, start + Duration::from_secs(secs));
    }
    println!("DONE");
}
