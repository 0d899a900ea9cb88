// SPDX-License-Identifier: Apache-2.0
// goperf: data-path throughput of a franz-go client, for make bench (the
// seccomp section). Prints one line of key=value fields, like bench/kperf.c:
//
//	goperf produce -b BROKERS -t TOPIC -n COUNT -s SIZE   acks=all (franz-go's default, idempotent)
//	goperf consume -b BROKERS -t TOPIC -n COUNT           from the start, no group
//
// -map NAME:PORT=HOST:PORT,... makes the client's own dialer connect there instead
// (what the supervisor does, done in the process: the bench's baseline for it).
//
// Exits 1 unless exactly COUNT records were acknowledged (produce) or read
// (consume). The clock runs from the client's creation, so its connections count;
// cpu_s is the process's own CPU time (user + system) over its whole life.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

type opts struct {
	brokers, topic, remap string
	count, size           int
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "goperf: "+format+"\n", args...)
	os.Exit(1)
}

// cpuSeconds is this process's user + system time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func report(what string, o opts, bytes int64, start time.Time) {
	secs := time.Since(start).Seconds()
	fmt.Printf("%s topic=%s n=%d secs=%.3f msgs_per_s=%.0f mb_per_s=%.2f cpu_s=%.3f\n", what, o.topic,
		o.count, secs, float64(o.count)/secs, float64(bytes)/secs/1e6, cpuSeconds())
}

// dialer connects to the address -map gives for a broker's host:port, or to it.
func dialer(remap string) func(ctx context.Context, network, host string) (net.Conn, error) {
	to := map[string]string{}
	for _, m := range strings.Split(remap, ",") {
		if from, dst, ok := strings.Cut(m, "="); ok {
			to[from] = dst
		} else if m != "" {
			fail("-map %s: expected NAME:PORT=HOST:PORT", m)
		}
	}
	var d net.Dialer
	return func(ctx context.Context, network, host string) (net.Conn, error) {
		if dst, ok := to[host]; ok {
			host = dst
		}
		return d.DialContext(ctx, network, host)
	}
}

func client(o opts, extra ...kgo.Opt) *kgo.Client {
	base := []kgo.Opt{kgo.SeedBrokers(strings.Split(o.brokers, ",")...)}
	if o.remap != "" {
		base = append(base, kgo.Dialer(dialer(o.remap)))
	}
	cl, err := kgo.NewClient(append(base, extra...)...)
	if err != nil {
		fail("%v", err)
	}
	return cl
}

func produce(ctx context.Context, o opts) {
	value := make([]byte, o.size)
	for i := range value {
		value[i] = byte('a' + i%26)
	}
	start := time.Now()
	cl := client(o, kgo.DefaultProduceTopic(o.topic), kgo.RequiredAcks(kgo.AllISRAcks()))
	defer cl.Close()
	var acked, failed atomic.Int64
	var firstErr atomic.Value
	for i := 0; i < o.count; i++ {
		cl.Produce(ctx, &kgo.Record{Value: value}, func(_ *kgo.Record, err error) {
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
				return
			}
			acked.Add(1)
		})
	}
	if err := cl.Flush(ctx); err != nil {
		fail("flush: %v", err)
	}
	if acked.Load() != int64(o.count) {
		fail("produce: %d acknowledged, %d failed of %d (%v)", acked.Load(), failed.Load(), o.count, firstErr.Load())
	}
	report("produce", o, int64(o.count)*int64(o.size), start)
}

func consume(ctx context.Context, o opts) {
	start := time.Now()
	cl := client(o, kgo.ConsumeTopics(o.topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer cl.Close()
	var n int
	var bytes int64
	for n < o.count {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			fail("consume: %d of %d read: %v", n, o.count, err)
		}
		fs.EachError(func(t string, p int32, err error) {
			if !errors.Is(err, context.Canceled) {
				fmt.Fprintf(os.Stderr, "goperf: fetch %s/%d: %v\n", t, p, err)
			}
		})
		fs.EachRecord(func(r *kgo.Record) {
			n++
			bytes += int64(len(r.Value))
		})
	}
	if n != o.count {
		fail("consume: read %d, expected %d", n, o.count)
	}
	report("consume", o, bytes, start)
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: goperf produce|consume -b BROKERS -t TOPIC -n COUNT [-s SIZE]")
	}
	var o opts
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	fs.StringVar(&o.brokers, "b", "kafka1:9092", "bootstrap brokers, comma-separated")
	fs.StringVar(&o.topic, "t", "", "topic")
	fs.IntVar(&o.count, "n", 100000, "records")
	fs.IntVar(&o.size, "s", 100, "value size in bytes (produce)")
	fs.StringVar(&o.remap, "map", "", "NAME:PORT=HOST:PORT,...: where the client's dialer connects instead")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	fs.Parse(os.Args[2:])
	if o.topic == "" || o.count < 1 {
		fail("-t TOPIC and -n COUNT > 0 are needed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	switch os.Args[1] {
	case "produce":
		produce(ctx, o)
	case "consume":
		consume(ctx, o)
	default:
		fail("unknown command %q", os.Args[1])
	}
}
