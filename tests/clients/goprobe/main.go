// goprobe: a static Go program (CGO_ENABLED=0) that resolves a name with Go's
// own resolver and connects with raw system calls, for the seccomp supervisor's
// tests. It prints one line, "identity=NAME addr=ADDR", NAME being what the
// server at HOST:PORT answered and ADDR what HOST resolved to.
//
//	goprobe [-child] [-exit N] [-loop] HOST PORT
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

func main() {
	child := flag.Bool("child", false, "run again as a child process")
	exit := flag.Int("exit", 0, "exit status after a success")
	loop := flag.Bool("loop", false, "connect every 100 ms until one fails")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: goprobe [-child] [-exit N] [-loop] HOST PORT")
		os.Exit(2)
	}
	host, port := flag.Arg(0), flag.Arg(1)
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
