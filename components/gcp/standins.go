package gcp

import (
	"encoding/base64"
	"fmt"

	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// StandInProject stands in for the provider's Google Cloud project.
const StandInProject = "my-gcp-project"

// GCP stand-ins: service account emails are built from accountId and the project
// input (else StandInProject); keys are base64 JSON, as the API returns them.

// standIns answer for GCP in the offline plan: what only the cloud assigns.
var standIns = offline.StandIns{
	Outputs: map[string]func(offline.Answer){
		"gcp:container/cluster:Cluster": func(a offline.Answer) {
			a.Set("endpoint", offline.Later("cluster endpoint"))
			// The provider reads issueClientCertificate back as whether GKE returned a
			// client certificate: none, as NewCluster asks for none.
			a.Set("masterAuth", map[string]any{
				"clusterCaCertificate":    offline.Later("cluster CA certificate"),
				"clientCertificateConfig": map[string]any{"issueClientCertificate": false},
			})
			a.Set("selfLink", offline.Later(a.Name()+" self link"))
		},
		"gcp:serviceaccount/account:Account": func(a offline.Answer) {
			project := a.Str("project", StandInProject)
			email := fmt.Sprintf("%s@%s.iam.gserviceaccount.com", a.Str("accountId", a.Name()), project)
			a.Set("email", email)
			a.Set("member", "serviceAccount:"+email)
			a.Set("name", fmt.Sprintf("projects/%s/serviceAccounts/%s", project, email))
			a.Set("project", project)
			a.Set("uniqueId", offline.Later(a.Name()+" unique id"))
		},
		"gcp:serviceaccount/key:Key": func(a offline.Answer) {
			key := fmt.Sprintf(`{"type":"service_account","project_id":%q,"private_key":%q}`, StandInProject, offline.Later("private key"))
			a.SetSecret("privateKey", base64.StdEncoding.EncodeToString([]byte(key)))
			a.Set("name", offline.Later(a.Name()+" key name"))
			a.Set("publicKey", offline.Later("public key"))
		},
		"gcp:compute/network:Network": func(a offline.Answer) {
			a.Set("selfLink", computeLink(a, "global/networks"))
		},
		"gcp:compute/subnetwork:Subnetwork": func(a offline.Answer) {
			a.Set("selfLink", computeLink(a, "regions/"+a.Str("region", a.Region())+"/subnetworks"))
			a.Set("gatewayAddress", offline.Later("gateway address"))
		},
		"gcp:compute/router:Router": func(a offline.Answer) {
			a.Set("selfLink", computeLink(a, "regions/"+a.Str("region", a.Region())+"/routers"))
		},
		"gcp:compute/globalAddress:GlobalAddress": func(a offline.Answer) {
			a.Set("selfLink", computeLink(a, "global/addresses"))
		},
		"gcp:servicenetworking/connection:Connection": func(a offline.Answer) {
			a.Set("peering", "servicenetworking-googleapis-com")
		},
		// A private IP only: Cloud SQL assigns it from the reserved range.
		"gcp:sql/databaseInstance:DatabaseInstance": func(a offline.Answer) {
			project, region, name := a.Str("project", StandInProject), a.Str("region", a.Region()), a.Str("name", a.Name())
			ip := offline.Later(a.Name() + " private IP")
			a.Set("privateIpAddress", ip)
			a.Set("firstIpAddress", ip)
			a.Set("publicIpAddress", "")
			a.Set("ipAddresses", []any{map[string]any{"ipAddress": ip, "type": "PRIVATE"}})
			a.Set("connectionName", fmt.Sprintf("%s:%s:%s", project, region, name))
			a.Set("selfLink", fmt.Sprintf("https://sqladmin.googleapis.com/sql/v1beta4/projects/%s/instances/%s", project, name))
			a.Set("serviceAccountEmailAddress", offline.Later(a.Name()+" service account"))
			a.Set("dnsName", offline.Later(a.Name()+" DNS name"))
		},
		"gcp:storage/bucket:Bucket": func(a offline.Answer) {
			a.Set("url", "gs://"+a.Str("name", a.Name()))
			a.Set("selfLink", offline.Later(a.Name()+" self link"))
		},
	},
	Invokes: map[string]func(resource.PropertyMap, string) map[string]any{
		// An existing cluster has Workload Identity on, as Autopilot and most Standard
		// clusters do.
		"gcp:container/getCluster:getCluster": func(args resource.PropertyMap, _ string) map[string]any {
			project := StandInProject
			if p, ok := args["project"]; ok && p.IsString() && p.StringValue() != "" {
				project = p.StringValue()
			}
			return map[string]any{
				"name": args["name"].StringValue(), "location": args["location"].StringValue(),
				"endpoint":                offline.Later("cluster endpoint"),
				"masterAuths":             []any{map[string]any{"clusterCaCertificate": offline.Later("cluster CA certificate")}},
				"workloadIdentityConfigs": []any{map[string]any{"workloadPool": project + ".svc.id.goog"}},
			}
		},
		"gcp:organizations/getClientConfig:getClientConfig": func(resource.PropertyMap, string) map[string]any {
			return map[string]any{
				"id":      StandInProject,
				"project": StandInProject,
				"region":  "us-central1",
				"zone":    "",
			}
		},
	},
}

// computeLink is a Compute Engine self link of the resource in collection.
func computeLink(a offline.Answer, collection string) string {
	return fmt.Sprintf("https://www.googleapis.com/compute/v1/projects/%s/%s/%s",
		a.Str("project", StandInProject), collection, a.Str("name", a.Name()))
}
