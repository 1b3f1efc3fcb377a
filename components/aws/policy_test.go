package aws

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestPolicy_ARNsFollowPartition(t *testing.T) {
	for _, partition := range []string{"aws", "aws-cn", "aws-us-gov"} {
		t.Run(partition, func(t *testing.T) {
			var resources []string
			for _, s := range bucketAccessPolicy(partition, testBucket).Statement {
				resources = append(resources, s.Resource...)
			}
			want := []string{"arn:" + partition + ":s3:::" + testBucket, "arn:" + partition + ":s3:::" + testBucket + "/*"}
			if !slices.Equal(resources, want) {
				t.Errorf("resources = %v, want %v", resources, want)
			}
			if got := managedPolicyARN(partition, "AmazonEKS_CNI_Policy"); got != "arn:"+partition+":iam::aws:policy/AmazonEKS_CNI_Policy" {
				t.Errorf("managed policy ARN = %s", got)
			}
		})
	}
}

func TestPolicy_RendersReadableJSON(t *testing.T) {
	issuer := "oidc.eks.<region>.amazonaws.com/id/<id>"
	text := irsaTrustPolicy("arn:aws:iam::1:oidc-provider/"+issuer, issuer, []string{"system:serviceaccount:a:b"}).String()
	if strings.Contains(text, `\u003c`) || strings.Contains(text, "\n") {
		t.Errorf("policy JSON is escaped or spans lines: %s", text)
	}
	var back policyDocument
	if err := json.Unmarshal([]byte(text), &back); err != nil || back.Version != "2012-10-17" {
		t.Errorf("policy does not round-trip: %v, %+v", err, back)
	}
}
