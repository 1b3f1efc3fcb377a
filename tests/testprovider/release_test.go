package main

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// TestChartServices: a release whose values put the proxy behind a load balancer (or
// turn pachd-lb on) leaves those Services, with a load balancer address, in the fake
// cloud; one that does not leaves none.
func TestChartServices(t *testing.T) {
	release := func(values map[string]any) *res {
		return &res{typ: releaseType, name: "pachyderm", in: resource.NewPropertyMapFromMap(map[string]any{
			"namespace": "pach", "values": values})}
	}
	for _, tc := range []struct {
		name   string
		values map[string]any
		want   []string
	}{
		{"nothing exposed", map[string]any{"proxy": map[string]any{"enabled": true, "service": map[string]any{"type": "ClusterIP"}}}, nil},
		{"proxy load balancer", map[string]any{"proxy": map[string]any{"enabled": true, "service": map[string]any{"type": "LoadBalancer"}}},
			[]string{"pach/pachyderm-proxy"}},
		{"pachd-lb", map[string]any{"pachd": map[string]any{"externalService": map[string]any{"enabled": true}}}, []string{"pach/pachd-lb"}},
	} {
		got := chartServices(release(tc.values))
		if len(got) != len(tc.want) {
			t.Errorf("%s: services %v, want %v", tc.name, got, tc.want)
		}
		for _, id := range tc.want {
			svc, ok := got[id]
			ingress := deepUnwrap(lookup(resource.NewObjectProperty(svc), []string{"status", "loadBalancer", "ingress"}))
			if !ok || !ingress.IsArray() || len(ingress.ArrayValue()) != 1 {
				t.Errorf("%s: %s missing or without a load balancer address: %v", tc.name, id, svc)
			}
		}
	}
	if got := chartServices(&res{typ: "kubernetes:core/v1:Service"}); got != nil {
		t.Errorf("a non-release makes services: %v", got)
	}
}
