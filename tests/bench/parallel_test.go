//go:build bench && linux

package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pachdeploy/pachdeploy/automation"
	"github.com/pachdeploy/pachdeploy/internal/program"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// BenchmarkParallelUp brings n new stacks of the AWS program up at once from one process
// (n goroutines, each New and Up of its own stack, on one backend), with no latency: the
// fixed cost of the engine and the driver. It reports stacks per second of wall time, CPU
// seconds per stack (this process, with the inline programs, and every Pulumi CLI and
// plugin process, from getrusage; the memory sampling's own CPU time left out), and, from
// /proc every 200 ms, the peak memory of the process tree per stack (its PSS) and the
// largest RSS of any one child process (a Pulumi CLI or plugin process).
func BenchmarkParallelUp(b *testing.B) {
	for _, n := range []int{1, 5, 10, 20} {
		b.Run(fmt.Sprintf("stacks=%d", n), func(b *testing.B) {
			var wall, cpu time.Duration
			var peak memory
			for b.Loop() {
				e := newEngine(b, nil)
				cpu0 := cpuTime()
				stop := sample(200 * time.Millisecond)
				start := time.Now()
				upAll(b, e, n)
				wall += time.Since(start)
				m, sampling := stop()
				peak = peak.max(m)
				cpu += cpuTime() - cpu0 - sampling
			}
			stacks := float64(n * b.N)
			b.ReportMetric(stacks/wall.Seconds(), "stacks/s")
			b.ReportMetric(cpu.Seconds()/stacks, "cpu-s/stack")
			b.ReportMetric(float64(peak.treePSS)/float64(n)/1e6, "peak-PSS-MB/stack")
			b.ReportMetric(float64(peak.childRSS)/1e6, "max-child-RSS-MB")
			b.ReportMetric(0, "ns/op") // stacks/s says it
		})
	}
}

// upAll creates and brings up n stacks of the AWS program at once.
func upAll(b *testing.B, e *engine, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	opts := append(slices.Clip(e.opts), automation.WithConfig(&config.Config{Cloud: config.AWS}))
	for i := range n {
		wg.Go(func() {
			s, err := automation.New(ctx, fmt.Sprintf("p%d", i), program.Program, opts...)
			if err == nil {
				_, err = s.Up(ctx)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime is the user and system CPU time of this process and of its children that have
// ended (the Pulumi CLI processes, with the plugins they waited for).
func cpuTime() time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}

// memory is what the sampler saw, in bytes: the proportional set size (PSS: a page
// shared by k processes counts 1/k in each) of this process and all its descendants, so
// the many Pulumi CLI and plugin processes running the same binaries are not counted many
// times over; and the largest RSS of one descendant.
type memory struct {
	treePSS, childRSS int64
}

func (m memory) max(o memory) memory {
	return memory{max(m.treePSS, o.treePSS), max(m.childRSS, o.childRSS)}
}

// sample reads memory every interval until stopped; stop returns the peaks and the CPU
// time the sampling took.
func sample(interval time.Duration) (stop func() (memory, time.Duration)) {
	done := make(chan struct{})
	type result struct {
		peak memory
		cpu  time.Duration
	}
	out := make(chan result)
	go func() {
		// On its own thread, so that the thread's CPU time is the sampling's.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		cpu0 := threadCPU()
		var r result
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			r.peak = r.peak.max(treeMemory())
			select {
			case <-done:
				r.cpu = threadCPU() - cpu0
				out <- r
				return
			case <-tick.C:
			}
		}
	}()
	return func() (memory, time.Duration) {
		close(done)
		r := <-out
		return r.peak, r.cpu
	}
}

// threadCPU is the CPU time of the calling thread (Linux's RUSAGE_THREAD, 1, which
// package syscall does not name).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// treeMemory reads the memory of this process and its descendants from /proc.
func treeMemory() memory {
	entries, _ := os.ReadDir("/proc")
	children := map[int][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) > 1 {
			ppid, _ := strconv.Atoi(f[1])
			children[ppid] = append(children[ppid], pid)
		}
	}
	var m memory
	self := os.Getpid()
	for queue := []int{self}; len(queue) > 0; queue = queue[1:] {
		pss, rss := rollup(queue[0])
		m.treePSS += pss
		if queue[0] != self {
			m.childRSS = max(m.childRSS, rss)
		}
		queue = append(queue, children[queue[0]]...)
	}
	return m
}

// rollup is a process's PSS and RSS in bytes (0 when it has ended).
func rollup(pid int) (pss, rss int64) {
	text, _ := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	for line := range strings.Lines(string(text)) {
		key, v, _ := strings.Cut(line, ":")
		kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		switch key {
		case "Pss":
			pss = kb << 10
		case "Rss":
			rss = kb << 10
		}
	}
	return pss, rss
}
