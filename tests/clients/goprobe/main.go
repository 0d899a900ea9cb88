// SPDX-License-Identifier: Apache-2.0
// goprobe: a static Go program (CGO_ENABLED=0) that resolves a name with Go's
// own resolver and connects with raw system calls, for the seccomp supervisor's
// tests. It prints one line, "identity=NAME addr=ADDR", NAME being what the
// server at HOST:PORT answered and ADDR what HOST resolved to.
//
//	goprobe [-child] [-exit N] [-loop] [-parallel N] HOST PORT
//
// -parallel N dials N times at once from N goroutines, kafka1..3 in turn
// (HOST is then a name prefix, e.g. "kafka"), and prints "parallel=N right=R":
// R dials got the answer of the name they dialed.
//
// -child runs the program again as a child process (os/exec) and prints the
// child's line, prefixed "child: "; -exit N exits with status N after a
// success; -loop prints a line every 100 ms until a step fails, then prints
// the error and exits 3. The flags may be given with - or --.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func probe(host, port string) (string, error) {
	addrs, err := net.LookupHost(host)
	if err != nil {
		return "", err
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(host, port), 15*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(15 * time.Second))
	if _, err := conn.Write([]byte("who\n")); err != nil {
		return "", err
	}
	reply, err := io.ReadAll(conn)
	if err != nil {
		return "", err
	}
	n := len(reply)
	for n > 0 && (reply[n-1] == '\n' || reply[n-1] == '\r') {
		n--
	}
	return fmt.Sprintf("identity=%s addr=%s", reply[:n], addrs[0]), nil
}

// parallel dials prefix1..3 from n goroutines at once; returns how many got
// the answer of the name they dialed.
func parallel(prefix, port string, n int) int64 {
	var right int64
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			line, err := probe(name, port)
			if err != nil {
				fmt.Fprintln(os.Stderr, "goprobe:", err)
				return
			}
			if strings.HasPrefix(line, "identity="+name+" ") {
				atomic.AddInt64(&right, 1)
			}
		}(fmt.Sprintf("%s%d", prefix, i%3+1))
	}
	wg.Wait()
	return right
}

func main() {
	child := flag.Bool("child", false, "run again as a child process")
	exit := flag.Int("exit", 0, "exit status after a success")
	loop := flag.Bool("loop", false, "connect every 100 ms until one fails")
	par := flag.Int("parallel", 0, "dial HOST1..3 this many times at once")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: goprobe [-child] [-exit N] [-loop] [-parallel N] HOST PORT")
		os.Exit(2)
	}
	host, port := flag.Arg(0), flag.Arg(1)
	if *par > 0 {
		fmt.Printf("parallel=%d right=%d\n", *par, parallel(host, port, *par))
		os.Exit(0)
	}
	if *child {
		cmd := exec.Command(os.Args[0], host, port)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			fmt.Fprintln(os.Stderr, "goprobe: child:", err)
			os.Exit(1)
		}
		fmt.Printf("child: %s", out)
		os.Exit(*exit)
	}
	for {
		line, err := probe(host, port)
		if err != nil {
			fmt.Fprintln(os.Stderr, "goprobe:", err)
			if *loop {
				os.Exit(3)
			}
			os.Exit(1)
		}
		fmt.Println(line)
		if !*loop {
			os.Exit(*exit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
