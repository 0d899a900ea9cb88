// SPDX-License-Identifier: Apache-2.0
// A Kafka client in Go (franz-go), pure Go: it resolves names and connects with
// raw system calls, so kshim run serves it through the seccomp supervisor.
//
// BOOTSTRAP is one host:port or a comma-separated list.
//
//	goclient -b BOOTSTRAP                          lists the brokers
//	goclient roundtrip BOOTSTRAP TOPIC N RUNID SECONDS
//	    the compatibility matrix's contract (tests/matrix-clients.sh): N keyed records
//	    (key "k<i>", value "<RUNID>:<i>", acks=all), then every partition read from the
//	    beginning to its end; stdout "PRODUCED <acked>", "M\t<partition>\t<offset>\t<key>\t<value>"
//	    per record, "DONE"
//	goclient produce BOOTSTRAP TOPIC PARTITIONS RATE
//	    tests/helpers/seqclient.c's contract for the restart test: values 1, 2, 3, ... (i to
//	    partition i % PARTITIONS) at RATE per second, idempotent with acks=all, until
//	    SIGTERM; then flushes and prints "sent N acked A failed F"; progress on stderr
//	goclient consume BOOTSTRAP TOPIC PARTITIONS
//	    reads every partition from the beginning until SIGTERM, printing
//	    "VALUE PARTITION EPOCH_MS" per record
//
// MATRIX_CLIENT_CONFIG, when set, names librdkafka properties (kshim config) whose TLS (CA,
// host name verified) and SASL PLAIN settings every client of the run takes.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"
)

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "goclient: %s: %v\n", what, err)
	os.Exit(1)
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: goclient -b BOOTSTRAP | roundtrip BOOTSTRAP TOPIC N RUNID SECONDS |"+
		" produce BOOTSTRAP TOPIC PARTITIONS RATE | consume BOOTSTRAP TOPIC PARTITIONS")
	os.Exit(2)
}

// ints parses positive integers or exits with the usage.
func ints(args ...string) []int {
	var v []int
	for _, a := range args {
		n, err := strconv.Atoi(a)
		if err != nil || n <= 0 {
			usage()
		}
		v = append(v, n)
	}
	return v
}

// security turns MATRIX_CLIENT_CONFIG's key=value lines into client options.
func security() []kgo.Opt {
	path := os.Getenv("MATRIX_CLIENT_CONFIG")
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		fail("MATRIX_CLIENT_CONFIG", err)
	}
	conf := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			conf[k] = v
		}
	}
	var opts []kgo.Opt
	if ca := conf["ssl.ca.location"]; ca != "" {
		pem, err := os.ReadFile(ca)
		pool := x509.NewCertPool()
		if err != nil || !pool.AppendCertsFromPEM(pem) {
			fail("ssl.ca.location", fmt.Errorf("no certificate in %s (%v)", ca, err))
		}
		// ServerName is left empty: franz-go sets it to each broker's host, and verifies it.
		opts = append(opts, kgo.DialTLSConfig(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}))
	}
	if conf["sasl.mechanism"] == "PLAIN" {
		opts = append(opts, kgo.SASL(plain.Auth{User: conf["sasl.username"], Pass: conf["sasl.password"]}.AsMechanism()))
	}
	return opts
}

func newClient(bootstrap string, opts ...kgo.Opt) *kgo.Client {
	opts = append(opts, security()...)
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(strings.Split(bootstrap, ",")...)}, opts...)...)
	if err != nil {
		fail("client", err)
	}
	return cl
}

// warnings logs the client's warnings and errors (failed dials, for one) on stderr.
func warnings() kgo.Opt {
	return kgo.WithLogger(kgo.BasicLogger(os.Stderr, kgo.LogLevelWarn, nil))
}

func listBrokers(bootstrap string) {
	cl := newClient(bootstrap)
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, cl)
	if err != nil {
		fail("metadata", err)
	}
	for _, b := range resp.Brokers {
		fmt.Printf("broker %d at %s:%d\n", b.NodeID, b.Host, b.Port)
	}
}

// sendKeyed produces the N keyed records and returns how many were acknowledged.
func sendKeyed(ctx context.Context, cl *kgo.Client, topic string, n int, run string) int64 {
	var acked, failed atomic.Int64
	for i := 0; i < n; i++ {
		r := &kgo.Record{Topic: topic, Key: []byte(fmt.Sprintf("k%d", i)), Value: []byte(fmt.Sprintf("%s:%d", run, i))}
		cl.Produce(ctx, r, func(_ *kgo.Record, err error) {
			if err == nil {
				acked.Add(1)
			} else if failed.Add(1) == 1 {
				fmt.Fprintf(os.Stderr, "goclient: delivery failed: %v\n", err)
			}
		})
	}
	if err := cl.Flush(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "goclient: flush: %v\n", err)
	}
	return acked.Load()
}

// endOffsets returns the topic's partitions and each one's end offset.
func endOffsets(ctx context.Context, cl *kgo.Client, topic string) map[int32]int64 {
	listed, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err == nil {
		err = listed.Error()
	}
	if err != nil {
		fail("list end offsets", err)
	}
	end := map[int32]int64{}
	listed.Each(func(o kadm.ListedOffset) { end[o.Partition] = o.Offset })
	if len(end) == 0 {
		fail("list end offsets", fmt.Errorf("no partitions of %s", topic))
	}
	return end
}

// readToEnd prints every record of the topic from the beginning to the end offsets.
func readToEnd(ctx context.Context, bootstrap, topic string, end map[int32]int64) {
	start, left := map[int32]kgo.Offset{}, 0
	for p, e := range end {
		start[p] = kgo.NewOffset().AtStart()
		if e > 0 {
			left++
		}
	}
	cl := newClient(bootstrap, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: start}), warnings())
	defer cl.Close()
	for left > 0 {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			fmt.Fprintf(os.Stderr, "goclient: deadline: %d partitions not read to the end\n", left)
			return
		}
		fetches.EachError(func(t string, p int32, err error) {
			fmt.Fprintf(os.Stderr, "goclient: fetch %s/%d: %v\n", t, p, err)
		})
		fetches.EachRecord(func(r *kgo.Record) {
			fmt.Printf("M\t%d\t%d\t%s\t%s\n", r.Partition, r.Offset, r.Key, r.Value)
			if r.Offset+1 == end[r.Partition] {
				left--
			}
		})
	}
}

func roundtrip(bootstrap, topic string, n int, run string, secs int) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(secs)*time.Second)
	defer cancel()
	cl := newClient(bootstrap, kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(5*time.Millisecond),
		kgo.RecordDeliveryTimeout(time.Duration(secs)*time.Second/2), warnings())
	defer cl.Close()
	acked := sendKeyed(ctx, cl, topic, n, run)
	fmt.Printf("PRODUCED %d\n", acked)
	if acked > 0 {
		readToEnd(ctx, bootstrap, topic, endOffsets(ctx, cl, topic))
	}
	fmt.Println("DONE")
}

// stopped is done on SIGTERM or SIGINT.
func stopped() context.Context {
	ctx, _ := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	return ctx
}

func produceSeq(bootstrap, topic string, parts, rate int) {
	stop := stopped()
	cl := newClient(bootstrap, kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(5*time.Millisecond),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.RecordDeliveryTimeout(300*time.Second))
	defer cl.Close()
	var sent, acked, failed atomic.Int64
	var first atomic.Value
	t0 := time.Now()
	tick := time.NewTicker(5 * time.Millisecond)
	report := time.NewTicker(time.Second)
	for stop.Err() == nil {
		select {
		case <-stop.Done():
		case <-report.C:
			fmt.Fprintf(os.Stderr, "progress %d sent %d acked %d failed %d\n",
				time.Now().UnixMilli(), sent.Load(), acked.Load(), failed.Load())
		case <-tick.C:
			for due := int64(time.Since(t0).Seconds() * float64(rate)); sent.Load() < due; {
				i := sent.Add(1)
				r := &kgo.Record{Topic: topic, Partition: int32(i % int64(parts)), Value: []byte(strconv.FormatInt(i, 10))}
				cl.Produce(context.Background(), r, func(_ *kgo.Record, err error) {
					if err == nil {
						acked.Add(1)
					} else if failed.Add(1) == 1 {
						first.Store(err.Error())
					}
				})
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cl.Flush(ctx)
	line := fmt.Sprintf("sent %d acked %d failed %d", sent.Load(), acked.Load(), failed.Load())
	if e, ok := first.Load().(string); ok {
		line += " first " + e
	}
	fmt.Println(line)
	if failed.Load() != 0 || acked.Load() != sent.Load() {
		os.Exit(1)
	}
}

func consumeSeq(bootstrap, topic string, parts int) {
	stop := stopped()
	start := map[int32]kgo.Offset{}
	for p := 0; p < parts; p++ {
		start[int32(p)] = kgo.NewOffset().AtStart()
	}
	cl := newClient(bootstrap, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: start}))
	defer cl.Close()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for stop.Err() == nil {
		fetches := cl.PollFetches(stop)
		fetches.EachError(func(t string, p int32, err error) {
			if stop.Err() == nil {
				fmt.Fprintf(os.Stderr, "%d consumer: %s/%d: %v\n", time.Now().UnixMilli(), t, p, err)
			}
		})
		now := time.Now().UnixMilli()
		fetches.EachRecord(func(r *kgo.Record) { fmt.Fprintf(out, "%s %d %d\n", r.Value, r.Partition, now) })
		out.Flush()
	}
}

func main() {
	if len(os.Args) > 1 && os.Args[1][0] == '-' {
		bootstrap := flag.String("b", "kafka1:9092", "bootstrap broker")
		flag.Parse()
		listBrokers(*bootstrap)
		return
	}
	a := os.Args[1:]
	switch {
	case len(a) == 6 && a[0] == "roundtrip":
		v := ints(a[3], a[5])
		roundtrip(a[1], a[2], v[0], a[4], v[1])
	case len(a) == 5 && a[0] == "produce":
		v := ints(a[3], a[4])
		produceSeq(a[1], a[2], v[0], v[1])
	case len(a) == 4 && a[0] == "consume":
		consumeSeq(a[1], a[2], ints(a[3])[0])
	default:
		usage()
	}
}
