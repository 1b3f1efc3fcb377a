package automation

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
)

// fingerprintPrefix names the hash, so a later change of scheme is visible.
const fingerprintPrefix = "sha256:"

// Fingerprint identifies the changes a preview found: each changed resource's URN,
// operation, changed and replacing keys, the values the report shows for them (secrets
// as [secret]) and the chart version change, hashed in a fixed order. Two previews of
// the same code against the same state have the same fingerprint; anything a reviewer
// would see differently changes it. Timings, failures and policy findings are left
// out. An up given the fingerprint of the preview someone reviewed
// (WithExpectedFingerprint) refuses to apply anything else.
func (r *Report) Fingerprint() string {
	type entry struct {
		URN, Op           string
		Keys, ReplaceKeys []string
		DataAtRisk        string
		Diffs             []KeyDiff
	}
	entries := make([]entry, 0, len(r.Changes))
	for _, c := range r.Changes {
		entries = append(entries, entry{URN: c.URN, Op: c.Op, Keys: sorted(c.Keys), ReplaceKeys: sorted(c.ReplaceKeys),
			DataAtRisk: c.DataAtRisk, Diffs: sortedDiffs(c.Diffs)})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.URN+"\x00"+a.Op, b.URN+"\x00"+b.Op) })
	b, err := json.Marshal(struct {
		Changes      []entry
		ChartVersion *VersionChange
	}{entries, r.ChartVersion})
	if err != nil {
		panic(err) // strings and slices of strings only: cannot fail
	}
	sum := sha256.Sum256(b)
	return fingerprintPrefix + hex.EncodeToString(sum[:])
}

// sortedDiffs returns diffs sorted by key.
func sortedDiffs(diffs []KeyDiff) []KeyDiff {
	out := slices.Clone(diffs)
	slices.SortFunc(out, func(a, b KeyDiff) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// sorted returns a sorted copy of keys.
func sorted(keys []string) []string {
	out := slices.Clone(keys)
	slices.Sort(out)
	return out
}
