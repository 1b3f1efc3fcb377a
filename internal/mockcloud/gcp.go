package mockcloud

import (
	"encoding/base64"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// GCPProject stands in for the provider's Google Cloud project.
const GCPProject = "my-gcp-project"

// GCP stand-ins: service account emails are built from accountId and the project
// input (else GCPProject); keys are base64 JSON, as the API returns them.

func init() {
	outputs["gcp:container/cluster:Cluster"] = func(a outputArgs) {
		a.set("endpoint", Later("cluster endpoint"))
		a.set("masterAuth", map[string]any{
			"clusterCaCertificate": Later("cluster CA certificate"),
		})
		a.set("selfLink", Later(a.name+" self link"))
	}
	outputs["gcp:serviceaccount/account:Account"] = func(a outputArgs) {
		project := a.str("project", GCPProject)
		email := fmt.Sprintf("%s@%s.iam.gserviceaccount.com", a.str("accountId", a.name), project)
		a.set("email", email)
		a.set("member", "serviceAccount:"+email)
		a.set("name", fmt.Sprintf("projects/%s/serviceAccounts/%s", project, email))
		a.set("project", project)
		a.set("uniqueId", Later(a.name+" unique id"))
	}
	outputs["gcp:serviceaccount/key:Key"] = func(a outputArgs) {
		key := fmt.Sprintf(`{"type":"service_account","project_id":%q,"private_key":%q}`, GCPProject, Later("private key"))
		a.setSecret("privateKey", base64.StdEncoding.EncodeToString([]byte(key)))
		a.set("name", Later(a.name+" key name"))
		a.set("publicKey", Later("public key"))
	}
	outputs["gcp:storage/bucket:Bucket"] = func(a outputArgs) {
		a.set("url", "gs://"+a.str("name", a.name))
		a.set("selfLink", Later(a.name+" self link"))
	}

	invokes["gcp:organizations/getClientConfig:getClientConfig"] = func(resource.PropertyMap) map[string]any {
		return map[string]any{
			"id":      GCPProject,
			"project": GCPProject,
			"region":  "us-central1",
			"zone":    "",
		}
	}
}
