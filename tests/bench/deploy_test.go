//go:build bench

package bench

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pachdeploy/pachdeploy/automation"
	"github.com/pachdeploy/pachdeploy/internal/program"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// speedup plays testdata/latency.json faster: one minute of it is one second here.
const speedup = 60

// latencies reads testdata/latency.json: per cloud, how long the cloud takes to create
// (and update, delete, read) a resource of each type, in real time.
func latencies(b *testing.B) map[config.Cloud]map[string]time.Duration {
	b.Helper()
	raw, err := os.ReadFile("testdata/latency.json")
	if err != nil {
		b.Fatal(err)
	}
	var table map[config.Cloud]map[string]string
	if err := json.Unmarshal(raw, &table); err != nil {
		b.Fatalf("testdata/latency.json: %v", err)
	}
	out := map[config.Cloud]map[string]time.Duration{}
	for cloud, types := range table {
		out[cloud] = map[string]time.Duration{}
		for typ, s := range types {
			d, err := time.ParseDuration(s)
			if err != nil {
				b.Fatalf("testdata/latency.json: %s %s: %v", cloud, typ, err)
			}
			out[cloud][typ] = d / speedup
		}
	}
	return out
}

// checkTable fails unless the latency table names exactly the custom resource types of
// the deployed graph, providers aside: a type the program no longer makes is a stale
// row, a component type would be counted twice (its children take the time), and a new
// type must say how long it takes.
func checkTable(b *testing.B, g graph, latency map[string]time.Duration) {
	b.Helper()
	custom := map[string]bool{}
	for _, n := range g.nodes {
		if n.custom && !strings.HasPrefix(n.typ, "pulumi:providers:") {
			custom[n.typ] = true
		}
	}
	var problems []string
	for typ := range latency {
		if !custom[typ] {
			problems = append(problems, typ+" is in the table but is no custom resource type of the stack")
		}
	}
	for typ := range custom {
		if _, ok := latency[typ]; !ok {
			problems = append(problems, typ+" is missing from the table")
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		b.Fatalf("testdata/latency.json:\n%s", strings.Join(problems, "\n"))
	}
}

// BenchmarkDeploy runs each cloud's stack as the CLI does, on the real engine with the
// stand-ins taking testdata/latency.json's times (a minute played as a second): up (New
// and Up on a new stack), a warm no-change preview (Open and Preview, once up), and
// destroy (Open and Destroy, the data kept as by default). It reports the wall times, the
// time model's critical paths and sequential sums (model_test.go) and their ratios, and
// the Pulumi CLI processes that opening and previewing ran.
func BenchmarkDeploy(b *testing.B) {
	table := latencies(b)
	for _, cloud := range []config.Cloud{config.AWS, config.GCP, config.Azure} {
		b.Run(string(cloud), func(b *testing.B) {
			sums := map[string]float64{}
			for b.Loop() {
				for unit, v := range deploy(b, cloud, table[cloud]) {
					sums[unit] += v
				}
			}
			for unit, v := range sums {
				b.ReportMetric(v/float64(b.N), unit)
			}
			b.ReportMetric(0, "ns/op") // the wall times are above, each on its own
		})
	}
}

// deploy runs one up, preview and destroy of cloud's stack and returns its metrics.
func deploy(b *testing.B, cloud config.Cloud, latency map[string]time.Duration) map[string]float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	e := newEngine(b, latency)
	const name = "bench"
	start := time.Now()
	s, err := automation.New(ctx, name, program.Program, append(e.opts, automation.WithConfig(settings[cloud]))...)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Up(ctx); err != nil {
		b.Fatalf("up: %v", err)
	}
	up := time.Since(start)

	g := graphOf(e.export(ctx, b, name))
	checkTable(b, g, latency)
	upCP, upSeq, err := g.up(latency)
	if err != nil {
		b.Fatal(err)
	}
	downCP, downSeq, err := g.destroy(latency)
	if err != nil {
		b.Fatal(err)
	}

	before := e.runs(b)
	if s, err = automation.Open(ctx, name, program.Program, e.opts...); err != nil {
		b.Fatal(err)
	}
	opened := e.runs(b)
	start = time.Now()
	pre, err := s.Preview(ctx)
	if err != nil {
		b.Fatalf("preview: %v", err)
	}
	preview := time.Since(start)
	if len(pre.Changes) > 0 {
		b.Fatalf("the preview after up is not a no-change preview: %+v", pre.Changes)
	}
	previewed := e.runs(b)

	start = time.Now()
	if s, err = automation.Open(ctx, name, program.Program, e.opts...); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Destroy(ctx, automation.DestroyOptions{}); err != nil {
		b.Fatalf("destroy: %v", err)
	}
	down := time.Since(start)

	return map[string]float64{
		"up-s": up.Seconds(), "up-cp-s": upCP.Seconds(), "up-seq-s": upSeq.Seconds(),
		"up-wall/cp": up.Seconds() / upCP.Seconds(), "up-wall/seq": up.Seconds() / upSeq.Seconds(),
		"destroy-s": down.Seconds(), "destroy-cp-s": downCP.Seconds(), "destroy-seq-s": downSeq.Seconds(),
		"destroy-wall/cp": down.Seconds() / downCP.Seconds(), "destroy-wall/seq": down.Seconds() / downSeq.Seconds(),
		"preview-s": preview.Seconds(), "open-processes": float64(opened - before), "preview-processes": float64(previewed - opened),
	}
}
