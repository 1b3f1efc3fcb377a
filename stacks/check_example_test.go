package stacks_test

import (
	"fmt"

	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks"
)

// A team adds its own rule, that every S3 bucket carries a cost-center tag, to
// pachdeploy's; the driver then reports it in previews and refuses ups on it
// (automation.Program{Check: check, ...} with automation.WithPolicyFailOn).
func ExampleCheckWith() {
	costCenter := policy.Rule{
		ID: "PD-ACME-COST-CENTER", Refs: []string{"acme-tagging"}, Cloud: "aws", Severity: policy.High,
		Looks:       "a cost-center tag on every S3 bucket",
		Remediation: `set tags: {"cost-center": "..."}`,
		Check: policy.Each("aws:s3/bucketV2:BucketV2", "the bucket has no cost-center tag", func(in map[string]any) bool {
			return policy.String(in, "tags.cost-center") == ""
		}),
	}
	check := stacks.CheckWith(costCenter)

	bucket := policy.Resources{{URN: "urn:pulumi:dev::pachdeploy::aws:s3/bucketV2:BucketV2::data",
		Type: "aws:s3/bucketV2:BucketV2", Name: "data", Inputs: map[string]any{"tags": map[string]any{}}}}
	report, err := check(map[string]string{"cloud": "aws"}, bucket)
	if err != nil {
		panic(err)
	}
	for _, f := range report.Failing(policy.High) {
		fmt.Println(f.Rule, "-", f.Message)
	}
	// Output: PD-ACME-COST-CENTER - the bucket has no cost-center tag
}
