package automation

import (
	"strings"
	"time"

	"github.com/pachdeploy/pachdeploy/policy"
)

// Change is one resource an operation changes (or, in a preview, would change).
type Change struct {
	// URN identifies the resource.
	URN string `json:"urn"`
	// Type is the type token, e.g. aws:s3/bucketV2:BucketV2.
	Type string `json:"type"`
	// Name is the resource's logical name.
	Name string `json:"name"`
	// Op is create, update, replace, delete, read, import; retain for a resource deleted
	// from the stack but kept in the cloud (retainOnDelete: the data bucket on destroy);
	// for refresh: update (drifted) or delete (gone).
	Op string `json:"op"`
	// Keys are the changed properties (names and paths).
	Keys []string `json:"keys,omitempty"`
	// Diffs are the changed keys' old and new values, where the engine's events carry
	// both sides (updates and replacements; a refresh's drifted outputs).
	Diffs []KeyDiff `json:"diffs,omitempty"`
	// ReplaceKeys are the properties forcing a replacement.
	ReplaceKeys []string `json:"replaceKeys,omitempty"`
	// DataAtRisk says what data the resource holds when Op destroys it.
	DataAtRisk string `json:"dataAtRisk,omitempty"`
	// Failed is set when the engine reported the operation failed.
	Failed bool `json:"failed,omitempty"`
	// Elapsed is how long the operation took (zero in a preview).
	Elapsed time.Duration `json:"elapsedNs,omitempty"`
}

// KeyDiff is one changed property's value before and after, as text: a string as it
// is, any other value as compact JSON, a secret as "[secret]" (never its value or
// length), a value the engine learns only on apply as "(known after apply)". Old is ""
// when the key is added, New when it is removed; an empty string reads `""`.
type KeyDiff struct {
	Key string `json:"key"`
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

// VersionChange is the Pachyderm chart version before and after ("" when absent).
type VersionChange struct {
	Old string `json:"old"`
	New string `json:"new"`
}

// PendingOperation is an operation an interrupted update left with unknown outcome.
type PendingOperation struct {
	URN  string `json:"urn"`
	Type string `json:"type"`
	// Op is what the engine was doing: creating, updating, deleting, reading.
	Op string `json:"op"`
}

// Report is what every operation reports.
type Report struct {
	// Stack is the stack name.
	Stack string `json:"stack"`
	// Operation is preview, up, refresh or destroy.
	Operation string `json:"operation"`
	// Changes lists the resources changed, in engine order, without unchanged ones.
	Changes []Change `json:"changes"`
	// Totals counts resources per operation (create, update, same, ...), from the engine's
	// summary.
	Totals map[string]int `json:"totals"`
	// ChartVersion is set when the Pachyderm chart version changes.
	ChartVersion *VersionChange `json:"chartVersion,omitempty"`
	// PendingOperations are left over from an interrupted update (preview reports them).
	PendingOperations []PendingOperation `json:"pendingOperations,omitempty"`
	// Warnings are the engine's warnings, redacted.
	Warnings []string `json:"warnings,omitempty"`
	// Policy is the policy check of what a preview would deploy (Program.Check).
	Policy *policy.Report `json:"policy,omitempty"`
	// Duration is the operation's wall-clock time.
	Duration time.Duration `json:"durationNs"`

	// desired are the resources the program asks for, with their new inputs (secrets
	// masked by the engine), for the policy check.
	desired policy.Resources
	// stackOutputs are the root stack's outputs as the events carry them (secrets
	// elided).
	stackOutputs map[string]any
}

// DataLoss lists the changes that replace or delete a data-bearing resource.
func (r *Report) DataLoss() []Change {
	var out []Change
	for _, c := range r.Changes {
		if c.DataAtRisk != "" && losesData(c.Op) {
			out = append(out, c)
		}
	}
	return out
}

// Unchanged reports whether a preview has nothing for a reviewer: no resource would
// change, no operation is pending and no policy finding is open (unwaived). Then the
// pull request comment is one line, or none (preview --no-comment-when-unchanged).
func (r *Report) Unchanged() bool {
	if len(r.Changes) > 0 || len(r.PendingOperations) > 0 {
		return false
	}
	for op, n := range r.Totals {
		if op != "same" && n > 0 {
			return false
		}
	}
	if r.Policy != nil {
		for _, f := range r.Policy.Findings {
			if f.Waived == "" {
				return false
			}
		}
	}
	return true
}

// PreviewResult is what a preview would do.
type PreviewResult struct {
	Report
}

// UpResult is what an update did, with the stack outputs after it (secrets redacted).
type UpResult struct {
	Report
	Outputs []Output `json:"outputs"`
}

// RefreshResult reports drift: Changes are resources whose cloud state differed from the
// recorded state (update) or that are gone (delete).
type RefreshResult struct {
	Report
}

// DestroyResult is what a destroy did.
type DestroyResult struct {
	Report
	// DataKept reports whether the data bucket (or storage account) was kept.
	DataKept bool `json:"dataKept"`
	// Retained are the resources dropped from the stack but left in the cloud.
	Retained []string `json:"retained,omitempty"`
}

// Output is one stack output.
type Output struct {
	Name string `json:"name"`
	// Value is the output, or "[secret]" when Secret and not asked for.
	Value any `json:"value"`
	// Secret marks a secret output.
	Secret bool `json:"secret"`
}

// nameOf is the last component of a URN: the resource's name.
func nameOf(urn string) string {
	if i := strings.LastIndex(urn, "::"); i >= 0 {
		return urn[i+2:]
	}
	return urn
}
