// SPDX-License-Identifier: Apache-2.0
// "kafka-go client": a plain segmentio/kafka-go (pure Go) application for the compatibility
// matrix (tests/matrix-clients.sh). It knows nothing about kshim.
//
//	kafkago_client BOOTSTRAP TOPIC N RUNID SECONDS
//
// Produces N keyed records (key "k<i>", value "<RUNID>:<i>", acks=all), then reads every
// partition of TOPIC from the beginning to its end offset and prints each record. stdout:
// "PRODUCED <acked>", then "M\t<partition>\t<offset>\t<key>\t<value>" per record, then "DONE".
// BOOTSTRAP is one host:port or a comma-separated list.
// Exit 0 when the run completed (the caller checks the counts), 1 on an error, 2 on bad usage.
// MATRIX_CLIENT_CONFIG, when set, names librdkafka properties (kshim config): the writer, the
// client and the readers then take its CA (host names verified) and SASL PLAIN settings.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
)

// The settings of MATRIX_CLIENT_CONFIG (nil: plaintext, no SASL); see loadSecurity.
var (
	secTLS  *tls.Config
	secSASL sasl.Mechanism
)

// loadSecurity reads MATRIX_CLIENT_CONFIG. kafka-go fills in ServerName with the
// host it dials, so certificates are checked against kafka1..N.
func loadSecurity() {
	path := os.Getenv("MATRIX_CLIENT_CONFIG")
	if path == "" {
		return
	}
	text, err := os.ReadFile(path)
	if err != nil {
		fail("MATRIX_CLIENT_CONFIG", err)
	}
	props := map[string]string{}
	for _, l := range strings.Split(string(text), "\n") {
		if !strings.HasPrefix(l, "#") && strings.Contains(l, "=") {
			kv := strings.SplitN(l, "=", 2)
			props[kv[0]] = kv[1]
		}
	}
	if path := props["ssl.ca.location"]; path != "" {
		roots := x509.NewCertPool()
		if pem, err := os.ReadFile(path); err != nil || !roots.AppendCertsFromPEM(pem) {
			fail("ssl.ca.location", fmt.Errorf("%s holds no certificate (%v)", path, err))
		}
		secTLS = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	}
	if props["sasl.mechanism"] == "PLAIN" {
		secSASL = plain.Mechanism{Username: props["sasl.username"], Password: props["sasl.password"]}
	}
}

// transport is the writer's and the client's connection settings.
func transport() kafka.RoundTripper {
	if secTLS == nil && secSASL == nil {
		return nil
	}
	return &kafka.Transport{TLS: secTLS, SASL: secSASL}
}

// errorLog puts the library's errors (failed dials, for one) on stderr.
var errorLog = kafka.LoggerFunc(func(msg string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "kafkago_client: "+msg+"\n", args...)
})

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "kafkago_client: %s: %v\n", what, err)
	os.Exit(1)
}

// produce sends the records and returns how many were acknowledged. kafka-go
// hands failures back to the application (a failed dial, a partition whose
// batch failed): the records not acknowledged are sent again, until ctx ends.
// A partition's batch fails or succeeds whole, so a retry keeps its order.
func produce(ctx context.Context, bootstrap, topic string, n int, run string) int {
	w := &kafka.Writer{
		Addr:         kafka.TCP(strings.Split(bootstrap, ",")...),
		Topic:        topic,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 5 * time.Millisecond,
		BatchSize:    n,
		ErrorLogger:  errorLog,
		Transport:    transport(),
	}
	defer w.Close()
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		msgs[i] = kafka.Message{Key: []byte(fmt.Sprintf("k%d", i)), Value: []byte(fmt.Sprintf("%s:%d", run, i))}
	}
	acked := 0
	for len(msgs) > 0 && ctx.Err() == nil {
		err := w.WriteMessages(ctx, msgs...)
		if err == nil {
			acked += len(msgs)
			msgs = nil
			break
		}
		var each kafka.WriteErrors
		if !errors.As(err, &each) {
			fmt.Fprintf(os.Stderr, "kafkago_client: produce: %v\n", err)
		} else {
			var again []kafka.Message
			for i, e := range each {
				if e == nil {
					acked++
				} else {
					again = append(again, msgs[i])
					err = e
				}
			}
			fmt.Fprintf(os.Stderr, "kafkago_client: produce: %d of %d failed: %v\n", len(again), len(msgs), err)
			msgs = again
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(msgs) > 0 {
		fmt.Fprintf(os.Stderr, "kafkago_client: delivery failed: %d records not acknowledged\n", len(msgs))
	}
	return acked
}

// ends returns each partition's end offset (the offset the next record would get).
func ends(ctx context.Context, bootstrap, topic string) map[int]int64 {
	cl := &kafka.Client{Addr: kafka.TCP(strings.Split(bootstrap, ",")...), Timeout: 10 * time.Second,
		Transport: transport()}
	md, err := cl.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		fail("metadata", err)
	}
	if len(md.Topics) != 1 || md.Topics[0].Error != nil || len(md.Topics[0].Partitions) == 0 {
		fail("metadata", fmt.Errorf("no partitions of %s", topic))
	}
	var reqs []kafka.OffsetRequest
	for _, p := range md.Topics[0].Partitions {
		reqs = append(reqs, kafka.LastOffsetOf(p.ID))
	}
	lo, err := cl.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		fail("list offsets", err)
	}
	end := map[int]int64{}
	for _, p := range lo.Topics[topic] {
		if p.Error != nil {
			fail("list offsets", p.Error)
		}
		end[p.Partition] = p.LastOffset
	}
	return end
}

// consume reads partition p from the beginning up to end.
func consume(ctx context.Context, bootstrap, topic string, p int, end int64) {
	// MaxWait bounds each fetch; with the default (10 s) every partition's read takes
	// about that long even when all its records are there.
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: strings.Split(bootstrap, ","), Topic: topic, Partition: p,
		MaxBytes: 1 << 20, MaxWait: 500 * time.Millisecond, ErrorLogger: errorLog,
		Dialer: &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true, TLS: secTLS, SASLMechanism: secSASL}})
	defer r.Close()
	if err := r.SetOffset(kafka.FirstOffset); err != nil {
		fail("set offset", err)
	}
	for next := int64(0); next < end; {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			fmt.Fprintf(os.Stderr, "kafkago_client: deadline: partition %d read to %d of %d: %v\n", p, next, end, err)
			return
		}
		fmt.Printf("M\t%d\t%d\t%s\t%s\n", m.Partition, m.Offset, m.Key, m.Value)
		next = m.Offset + 1
	}
}

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: kafkago_client BOOTSTRAP TOPIC N RUNID SECONDS")
		os.Exit(2)
	}
	bootstrap, topic, run := os.Args[1], os.Args[2], os.Args[4]
	n, err1 := strconv.Atoi(os.Args[3])
	secs, err2 := strconv.Atoi(os.Args[5])
	if err1 != nil || err2 != nil || n <= 0 || secs <= 0 {
		fmt.Fprintln(os.Stderr, "usage: kafkago_client BOOTSTRAP TOPIC N RUNID SECONDS")
		os.Exit(2)
	}
	loadSecurity()
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(secs)*time.Second)
	defer cancel()
	pctx, pcancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second/2)
	acked := produce(pctx, bootstrap, topic, n, run)
	pcancel()
	fmt.Printf("PRODUCED %d\n", acked)
	if acked > 0 {
		for p, end := range ends(ctx, bootstrap, topic) {
			consume(ctx, bootstrap, topic, p, end)
		}
	}
	fmt.Println("DONE")
}
