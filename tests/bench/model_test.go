package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The time model: what an up or a destroy would take with unlimited parallelism and no
// engine cost, from the deployed dependency graph (URN, custom, parent, dependencies,
// provider, retainOnDelete, as `pulumi stack export` records them) and one latency per
// resource type. Only custom resources take time; a type missing from the table takes
// none (providers, and any resource the table does not name).
//
// Up. A resource is ready once everything it waits for is done: each recorded dependency,
// its provider resource, and its parent's registration. A custom resource is done its
// latency after it is ready; its registration (its URN, which its children wait for) is
// its creation. A component takes no time itself: it registers as soon as it is ready,
// and is done when it is ready and all its children are done, so a dependency on a
// component waits for the whole subtree (the Go SDK expands such a dependency to the
// component's children; a remote component's Construct returns when its children are
// created). Critical path = the latest done; sequential sum = the sum of the custom
// resources' latencies.
//
// Destroy reverses the edges: a resource is deleted after everything that waits for it
// is deleted: the resources that depend on it or use it as their provider, its children,
// and, as a dependency on a component covers the subtree both ways, the resources that
// depend on any component it descends from (the engine deletes a node group that depends
// on the eks:index:Cluster component before the aws:eks/cluster:Cluster inside it, as the
// cloud requires). Components and resources retained on delete take no time (the engine
// drops a retained resource from the state without calling the provider).

// node is one resource of a deployed stack, as the time model sees it.
type node struct {
	urn, typ         string
	custom, retained bool
	parent           string
	// waitsFor are its recorded dependencies and its provider resource.
	waitsFor []string
}

// graph is a deployed stack's resources by URN, with each one's children and the
// resources that wait for it.
type graph struct {
	nodes              map[string]node
	children, waitedBy map[string][]string
}

// graphOf reads the dependency graph of a deployment.
func graphOf(d *apitype.DeploymentV3) graph {
	g := graph{nodes: map[string]node{}, children: map[string][]string{}, waitedBy: map[string][]string{}}
	for _, r := range d.Resources {
		n := node{urn: string(r.URN), typ: string(r.Type), custom: r.Custom, retained: r.RetainOnDelete, parent: string(r.Parent)}
		for _, dep := range r.Dependencies {
			n.waitsFor = append(n.waitsFor, string(dep))
		}
		// A provider reference is URN::ID.
		if i := strings.LastIndex(r.Provider, "::"); i > 0 {
			n.waitsFor = append(n.waitsFor, r.Provider[:i])
		}
		g.nodes[string(r.URN)] = n
	}
	for urn, n := range g.nodes {
		if _, ok := g.nodes[n.parent]; ok {
			g.children[n.parent] = append(g.children[n.parent], urn)
		}
		for _, w := range n.waitsFor {
			g.waitedBy[w] = append(g.waitedBy[w], urn)
		}
	}
	return g
}

// up returns the critical path and the sequential sum of creating the graph's resources.
func (g graph) up(latency map[string]time.Duration) (critical, sequential time.Duration, err error) {
	m := newMemo()
	var ready, done func(urn string) time.Duration
	ready = func(urn string) time.Duration {
		return m.get("ready "+urn, func() time.Duration {
			n := g.nodes[urn]
			var t time.Duration
			if p, ok := g.nodes[n.parent]; ok && p.custom {
				t = done(n.parent)
			} else if ok {
				t = ready(n.parent)
			}
			for _, w := range n.waitsFor {
				if _, ok := g.nodes[w]; ok {
					t = max(t, done(w))
				}
			}
			return t
		})
	}
	done = func(urn string) time.Duration {
		return m.get("done "+urn, func() time.Duration {
			t := ready(urn)
			if n := g.nodes[urn]; n.custom {
				return t + latency[n.typ]
			}
			for _, c := range g.children[urn] {
				t = max(t, done(c))
			}
			return t
		})
	}
	for urn, n := range g.nodes {
		critical = max(critical, done(urn))
		if n.custom {
			sequential += latency[n.typ]
		}
	}
	return critical, sequential, m.err
}

// destroy returns the critical path and the sequential sum of deleting the graph's
// resources.
func (g graph) destroy(latency map[string]time.Duration) (critical, sequential time.Duration, err error) {
	m := newMemo()
	var done func(urn string) time.Duration
	done = func(urn string) time.Duration {
		return m.get(urn, func() time.Duration {
			var t time.Duration
			for _, x := range g.children[urn] {
				t = max(t, done(x))
			}
			for _, x := range g.waitedBy[urn] {
				t = max(t, done(x))
			}
			for a, ok := g.nodes[g.nodes[urn].parent]; ok && !a.custom; a, ok = g.nodes[a.parent] {
				for _, x := range g.waitedBy[a.urn] {
					t = max(t, done(x))
				}
			}
			return t + g.deleteLatency(urn, latency)
		})
	}
	for urn := range g.nodes {
		critical = max(critical, done(urn))
		sequential += g.deleteLatency(urn, latency)
	}
	return critical, sequential, m.err
}

// memo computes each key's value once. A key needed while it is being computed is a
// cycle: recorded as the error, with no value, instead of recursing forever.
type memo struct {
	values map[string]time.Duration
	busy   map[string]bool
	err    error
}

func newMemo() *memo { return &memo{values: map[string]time.Duration{}, busy: map[string]bool{}} }

func (m *memo) get(key string, f func() time.Duration) time.Duration {
	if v, ok := m.values[key]; ok {
		return v
	}
	if m.busy[key] {
		m.err = fmt.Errorf("a dependency cycle through %s", key)
		return 0
	}
	m.busy[key] = true
	v := f()
	m.values[key] = v
	return v
}

// deleteLatency is how long deleting urn takes: its type's latency, or none for a
// component or a resource retained on delete.
func (g graph) deleteLatency(urn string, latency map[string]time.Duration) time.Duration {
	if n := g.nodes[urn]; n.custom && !n.retained {
		return latency[n.typ]
	}
	return 0
}

// TestModel checks the time model on a small graph: a VPC, a subnet on it, a component
// that depends on the subnet with one child, a resource depending on the component (so
// on its child), a retained bucket on its own, and a provider.
func TestModel(t *testing.T) {
	const (
		stack  = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"
		prov   = "urn:pulumi:dev::p::pulumi:providers:aws::aws"
		vpc    = "urn:pulumi:dev::p::aws:ec2/vpc:Vpc::vpc"
		subnet = "urn:pulumi:dev::p::aws:ec2/subnet:Subnet::subnet"
		comp   = "urn:pulumi:dev::p::my:index:Comp::comp"
		child  = "urn:pulumi:dev::p::my:index:Comp$aws:eks/cluster:Cluster::cluster"
		user   = "urn:pulumi:dev::p::aws:eks/nodeGroup:NodeGroup::nodes"
		bucket = "urn:pulumi:dev::p::aws:s3/bucketV2:BucketV2::data"
	)
	custom := func(urn, parent string, deps ...string) apitype.ResourceV3 {
		r := apitype.ResourceV3{URN: resource.URN(urn), Custom: true, Type: resource.URN(urn).Type(),
			Parent: resource.URN(parent), Provider: prov + "::04da6b54-80e4-46f7-96ec-b56ff0331ba9"}
		for _, d := range deps {
			r.Dependencies = append(r.Dependencies, resource.URN(d))
		}
		return r
	}
	retained := custom(bucket, stack)
	retained.RetainOnDelete = true
	d := &apitype.DeploymentV3{Resources: []apitype.ResourceV3{
		{URN: stack, Type: "pulumi:pulumi:Stack"},
		{URN: prov, Custom: true, Type: "pulumi:providers:aws", Parent: stack},
		custom(vpc, stack),
		custom(subnet, stack, vpc),
		{URN: comp, Type: "my:index:Comp", Parent: stack, Dependencies: []resource.URN{subnet}},
		custom(child, comp),
		custom(user, stack, comp),
		retained,
	}}
	latency := map[string]time.Duration{"aws:ec2/vpc:Vpc": 1, "aws:ec2/subnet:Subnet": 2, "aws:eks/cluster:Cluster": 4,
		"aws:eks/nodeGroup:NodeGroup": 8, "aws:s3/bucketV2:BucketV2": 5}
	g := graphOf(d)
	// The child waits for its component's dependency on the subnet; the user for the child.
	if cp, seq, err := g.up(latency); cp != 15 || seq != 20 || err != nil {
		t.Errorf("up: critical path %d, sequential %d, %v; want 15 (vpc, subnet, child, user), 20", cp, seq, err)
	}
	// In reverse: the user (it depends on the component, so on the child), the child, the
	// subnet, the VPC; the bucket is retained: no time.
	if cp, seq, err := g.destroy(latency); cp != 15 || seq != 15 || err != nil {
		t.Errorf("destroy: critical path %d, sequential %d, %v; want 15 (user, child, subnet, vpc), 15", cp, seq, err)
	}
}
