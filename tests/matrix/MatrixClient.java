// SPDX-License-Identifier: Apache-2.0
// The Java client of the compatibility matrix (tests/matrix-clients.sh): the stock
// org.apache.kafka:kafka-clients 4.1.x from Maven Central, default settings (the JVM's
// dual-stack IPv6 sockets: no java.net.preferIPv4Stack). Knows nothing about kshim.
//
//   java -cp DIR:JARS MatrixClient BOOTSTRAP TOPIC N RUNID SECONDS
//     Same contract as my_client.c: produces N keyed records (key "k<i>", value "<RUNID>:<i>",
//     acks=all), prints "PRODUCED <acked>"; then, unless nothing was delivered, reads every
//     partition from the beginning to its end (assign, no group) and prints
//     "M\t<partition>\t<offset>\t<key>\t<value>" per record, then "DONE".
//   java -cp DIR:JARS MatrixClient create BOOTSTRAP PARTITIONS RF SECONDS TOPIC...
//     Creates the topics and waits until every partition has a leader, RF in-sync replicas and
//     its log on every replica's broker.
// MATRIX_CLIENT_CONFIG, when set, names a .properties file (kshim config --client java) whose
// TLS and SASL settings the producer, the consumer and create take.
import java.io.FileReader;
import java.io.IOException;
import java.io.Reader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeReplicaLogDirsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.TopicPartitionReplica;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class MatrixClient {
    public static void main(String[] a) throws Exception {
        if (a.length >= 6 && a[0].equals("create")) {
            System.exit(create(a[1], Integer.parseInt(a[2]), Short.parseShort(a[3]),
                               Integer.parseInt(a[4]), Arrays.copyOfRange(a, 5, a.length)));
        }
        if (a.length != 5) {
            System.err.println("usage: MatrixClient BOOTSTRAP TOPIC N RUNID SECONDS | "
                               + "create BOOTSTRAP PARTITIONS RF SECONDS TOPIC...");
            System.exit(2);
        }
        System.exit(roundtrip(a[0], a[1], Integer.parseInt(a[2]), a[3], Integer.parseInt(a[4])));
    }

    static int create(String bootstrap, int parts, short rf, int secs, String[] topics)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(secs);
        Properties p = new Properties();
        p.putAll(security());
        p.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(p)) {
            String why;
            while ((why = createMissing(admin, parts, rf, topics)) != null
                   || (why = notReady(admin, parts, rf, topics)) != null) {
                if (System.nanoTime() > deadline) {
                    System.err.println("MatrixClient: topics not ready after " + secs + " s: " + why);
                    return 1;
                }
                Thread.sleep(200);
            }
        }
        System.out.println("CREATED " + topics.length);
        return 0;
    }

    /** Creates the topics that do not exist yet; null once all do, else why not. A request
     *  that timed out may have created some of them, so each round asks again what exists. */
    static String createMissing(Admin admin, int parts, short rf, String[] topics) {
        try {
            Set<String> have = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> nt = new ArrayList<>();
            for (String t : topics)
                if (!have.contains(t)) nt.add(new NewTopic(t, parts, rf));
            if (nt.isEmpty()) return null;
            admin.createTopics(nt).all().get(30, TimeUnit.SECONDS);
            return "created " + nt.size() + ", checking";
        } catch (Exception e) {
            return "create: " + e;
        }
    }

    /** Null when every partition has a leader, RF in-sync replicas, and its log on every
     *  replica's broker (the followers have taken it up, so acks=all does not wait on them). */
    static String notReady(Admin admin, int parts, short rf, String[] topics) {
        try {
            Map<String, TopicDescription> d = admin.describeTopics(Arrays.asList(topics))
                .allTopicNames().get(10, TimeUnit.SECONDS);
            int good = 0;
            List<TopicPartitionReplica> replicas = new ArrayList<>();
            for (TopicDescription td : d.values())
                for (TopicPartitionInfo pi : td.partitions()) {
                    if (pi.leader() != null && pi.isr().size() == rf) good++;
                    for (Node n : pi.replicas())
                        replicas.add(new TopicPartitionReplica(td.name(), pi.partition(), n.id()));
                }
            if (good != parts * topics.length)
                return good + " of " + parts * topics.length + " partitions have a leader and ISR " + rf;
            int logs = 0;
            for (DescribeReplicaLogDirsResult.ReplicaLogDirInfo i :
                 admin.describeReplicaLogDirs(replicas).all().get(10, TimeUnit.SECONDS).values())
                if (i.getCurrentReplicaLogDir() != null) logs++;
            if (logs != replicas.size())
                return logs + " of " + replicas.size() + " replicas have their log";
            return null;
        } catch (Exception e) {
            return "describe: " + e;
        }
    }

    /** MATRIX_CLIENT_CONFIG's settings, less the bootstrap string the command line gives. */
    static Properties security() throws IOException {
        Properties s = new Properties();
        String path = System.getenv("MATRIX_CLIENT_CONFIG");
        if (path != null && !path.isEmpty())
            try (Reader r = new FileReader(path)) {
                s.load(r);
            }
        s.remove("bootstrap.servers");
        return s;
    }

    static int roundtrip(String bootstrap, String topic, int n, String runid, int secs)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(secs);
        int half = secs * 500;
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> firstErr = new AtomicReference<>();

        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        p.put("linger.ms", "5");
        p.put("delivery.timeout.ms", Integer.toString(half));
        p.put("request.timeout.ms", Integer.toString(Math.min(half - 10, 30000)));
        p.put("max.block.ms", Integer.toString(half));
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.putAll(security());
        try (KafkaProducer<String, String> pr = new KafkaProducer<>(p)) {
            for (int i = 0; i < n; i++) {
                pr.send(new ProducerRecord<>(topic, "k" + i, runid + ":" + i), (md, e) -> {
                    if (e == null) acked.incrementAndGet();
                    else firstErr.compareAndSet(null, e);
                });
            }
            pr.flush();
        } catch (Exception e) {
            firstErr.compareAndSet(null, e);
        }
        if (firstErr.get() != null)
            System.err.println("MatrixClient: delivery failed: " + firstErr.get());
        System.out.println("PRODUCED " + acked.get());
        System.out.flush();
        if (acked.get() == 0) {
            System.out.println("DONE");
            return 0;
        }

        Properties c = new Properties();
        c.put("bootstrap.servers", bootstrap);
        c.put("enable.auto.commit", "false");
        c.put("key.deserializer", StringDeserializer.class.getName());
        c.put("value.deserializer", StringDeserializer.class.getName());
        c.putAll(security());
        StringBuilder out = new StringBuilder();
        try (KafkaConsumer<String, String> co = new KafkaConsumer<>(c)) {
            List<PartitionInfo> pis = null;
            while (pis == null || pis.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    System.err.println("MatrixClient: no metadata for " + topic + " before the deadline");
                    return 1;
                }
                try {
                    pis = co.partitionsFor(topic, Duration.ofSeconds(5));
                } catch (Exception e) {
                    pis = null;
                }
            }
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo pi : pis) tps.add(new TopicPartition(topic, pi.partition()));
            co.assign(tps);
            co.seekToBeginning(tps);
            Map<TopicPartition, Long> end = new HashMap<>(co.endOffsets(tps, Duration.ofSeconds(Math.max(1, secs / 2))));
            while (System.nanoTime() < deadline) {
                boolean done = true;
                for (TopicPartition tp : tps)
                    if (co.position(tp) < end.get(tp)) done = false;
                if (done) break;
                for (ConsumerRecord<String, String> r : co.poll(Duration.ofMillis(200)))
                    out.append("M\t").append(r.partition()).append('\t').append(r.offset())
                       .append('\t').append(r.key()).append('\t').append(r.value()).append('\n');
            }
        }
        System.out.print(out);
        System.out.println("DONE");
        return 0;
    }
}
