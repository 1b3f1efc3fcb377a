package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// releaseType is the Helm release the stand-in kubernetes provider installs.
const releaseType = "kubernetes:helm.sh/v3:Release"

// chartServices are the LoadBalancer Services the Pachyderm chart makes from a
// release's values, as id ("<namespace>/<name>") -> the Service the cloud would report
// (an address on the load balancer). Programs read them after the release (the
// endpoint's DNS name, pachd-lb's address); nothing else of the chart is modelled.
func chartServices(r *res) map[string]resource.PropertyMap {
	if r.typ != releaseType {
		return nil
	}
	ns := r.or("namespace", "default")
	values := resource.NewObjectProperty(r.in)
	str := func(path ...string) string {
		v := deepUnwrap(lookup(values, append([]string{"values"}, path...)))
		if v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	on := func(path ...string) bool {
		v := deepUnwrap(lookup(values, append([]string{"values"}, path...)))
		return v.IsBool() && v.BoolValue()
	}
	out := map[string]resource.PropertyMap{}
	add := func(name string) {
		out[ns+"/"+name] = resource.NewPropertyMapFromMap(map[string]any{
			"metadata": map[string]any{"name": name, "namespace": ns},
			"spec":     map[string]any{"type": "LoadBalancer"},
			"status": map[string]any{"loadBalancer": map[string]any{"ingress": []any{
				map[string]any{"hostname": name + "-" + r.hex(name, 8) + ".lb.example.com", "ip": r.ip(name)}}}},
		})
	}
	if on("proxy", "enabled") && str("proxy", "service", "type") == "LoadBalancer" {
		add("pachyderm-proxy")
	}
	if on("pachd", "externalService", "enabled") {
		add("pachd-lb")
	}
	return out
}

// putChartServices records the Services a release makes, and drops the ones it no
// longer makes, as Helm would.
func (p *server) putChartServices(r *res, before map[string]resource.PropertyMap) error {
	now := chartServices(r)
	for id, outputs := range now {
		if err := p.store.put(&record{Pkg: p.pkg, Type: "kubernetes:core/v1:Service", ID: id,
			Inputs: resource.PropertyMap{}, Outputs: outputs}); err != nil {
			return err
		}
	}
	for id := range before {
		if _, ok := now[id]; !ok {
			if err := p.store.remove(p.pkg, id); err != nil {
				return err
			}
		}
	}
	return nil
}
