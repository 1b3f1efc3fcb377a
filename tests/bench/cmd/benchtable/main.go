// Command benchtable runs pachdeploy's benchmarks (tests/bench and stacks/plan) from the
// module root, streams their output to stderr, and prints their results as one markdown
// table on stdout. `make bench` runs it; tests/bench/README.md says what the rows mean.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// row is one metric of one benchmark, or a benchmark's skip reason.
type row struct {
	bench, metric, value string
}

func main() {
	build := flag.Bool("build", false, "also measure the CLI's incremental build (a link takes about 25 s and 6 GB)")
	goCmd := flag.String("go", "go", "the go command")
	flag.Parse()
	// -p 1: one SDK-sized link at a time (go test runs benchmarks one package at a time anyway).
	args := []string{"test", "-tags", "bench", "-v", "-run", "^$", "-bench", ".", "-p", "1", "-timeout", "60m", "./stacks/plan", "./tests/bench"}
	cmd := exec.Command(*goCmd, args...)
	cmd.Env = os.Environ()
	if *build {
		cmd.Env = append(cmd.Env, "PACHDEPLOY_BENCH_BUILD=1")
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rows := parse(io.TeeReader(out, os.Stderr))
	err = cmd.Wait()
	fmt.Printf("\n`%s %s` on %d CPUs, %s memory, %s; %s.\n\n", *goCmd, strings.Join(args, " "), runtime.NumCPU(),
		memTotal(), runtime.Version(), time.Since(start).Round(time.Second))
	fmt.Println("| benchmark | metric | value |")
	fmt.Println("| --- | --- | ---: |")
	last := ""
	for _, r := range rows {
		name := r.bench
		if name == last {
			name = ""
		}
		last = r.bench
		fmt.Printf("| %s | %s | %s |\n", name, r.metric, r.value)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchmarks: %v\n", err)
		os.Exit(1)
	}
}

// procs is the -GOMAXPROCS suffix of a benchmark name.
var procs = regexp.MustCompile(`-\d+$`)

// parse reads `go test -v -bench` output: result lines ("BenchmarkX-2 N value unit ..."),
// and a benchmark's log lines (indented) up to its "--- SKIP: BenchmarkX" or
// "--- FAIL: BenchmarkX" line, which give the reason.
func parse(r io.Reader) []row {
	var rows []row
	var logs []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		switch {
		case len(f) == 1 && strings.HasPrefix(f[0], "Benchmark"):
			logs = nil
		case strings.HasPrefix(line, "    "):
			// "    file_test.go:12: message", or a message's next line
			msg := strings.TrimSpace(line)
			if _, m, ok := strings.Cut(msg, ".go:"); ok {
				_, msg, _ = strings.Cut(m, ": ")
			}
			logs = append(logs, msg)
		case len(f) >= 3 && (f[1] == "SKIP:" || f[1] == "FAIL:") && strings.HasPrefix(f[2], "Benchmark"):
			rows = append(rows, row{benchName(f[2]), map[string]string{"SKIP:": "skipped", "FAIL:": "FAILED"}[f[1]],
				strings.Join(logs, " ")})
			logs = nil
		case len(f) >= 4 && strings.HasPrefix(f[0], "Benchmark") && isInt(f[1]):
			for i := 2; i+1 < len(f); i += 2 {
				v, err := strconv.ParseFloat(f[i], 64)
				if err != nil {
					continue
				}
				unit := f[i+1]
				if unit == "ns/op" {
					v, unit = v/1e6, "ms/op"
				}
				rows = append(rows, row{benchName(f[0]), unit, format(v)})
			}
		}
	}
	return rows
}

// benchName drops the Benchmark prefix and the -GOMAXPROCS suffix.
func benchName(s string) string {
	return strings.TrimPrefix(procs.ReplaceAllString(s, ""), "Benchmark")
}

func isInt(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// format prints three significant digits, whole numbers from 1000 up.
func format(v float64) string {
	if v >= 1000 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// memTotal is the machine's memory from /proc/meminfo, or "unknown".
func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return fmt.Sprintf("%.1f GiB", kb/(1<<20))
		}
	}
	return "unknown"
}
