package automation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cloudRecord is the part of a stand-in provider's record (tests/testprovider/state.go)
// these tests read and change.
type cloudRecord struct {
	Type    string         `json:"type"`
	Outputs map[string]any `json:"outputs"`
}

// driftedStack deploys tinyProgram with the stand-ins' cloud kept in a directory, and
// returns the stack, the directory and the backend's directory.
func driftedStack(t *testing.T) (s *Stack, cloud, backend string) {
	t.Helper()
	stateDir, opts := engine(t, "")
	cloud = t.TempDir()
	s = deployed(t, tinyProgram, append(opts, WithEnv(map[string]string{"PACHDEPLOY_TESTPROVIDER_STATE": cloud}))...)
	return s, cloud, filepath.Join(stateDir, "backend", ".pulumi")
}

// cloudFile is the path of the one record of type typ in the stand-ins' cloud.
func cloudFile(t *testing.T, cloud, typ string) string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(cloud, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, p := range paths {
		var r cloudRecord
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if r.Type == typ {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		t.Fatalf("the cloud holds %d records of %s, want 1: %v", len(found), typ, found)
	}
	return found[0]
}

// TestEngine_DriftReportsChangedAndGoneResourcesAndWritesNothing: a bucket output changed
// and a string deleted behind the engine's back are reported (the bucket with the
// changed key, old and new; the string as gone), and the backend's files, the stack's
// state file among them, are byte for byte as they were.
func TestEngine_DriftReportsChangedAndGoneResourcesAndWritesNothing(t *testing.T) {
	s, cloud, backend := driftedStack(t)
	ctx := context.Background()

	bucketFile := cloudFile(t, cloud, bucketType)
	var rec map[string]any
	data, err := os.ReadFile(bucketFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	outputs := rec["outputs"].(map[string]any)
	deployedZone := outputs["hostedZoneId"]
	outputs["hostedZoneId"] = "ZEDITEDINCONSOLE"
	if data, err = json.Marshal(rec); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bucketFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(cloudFile(t, cloud, "random:index/randomString:RandomString")); err != nil {
		t.Fatal(err)
	}

	stateFile := filepath.Join(backend, "stacks", Project, "dev.json")
	before := readTree(t, backend)
	if _, ok := before[stateFile]; !ok {
		t.Fatalf("no state file %s among the backend's files", stateFile)
	}

	res, err := s.Drift(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Drifted() || res.Operation != "drift" || res.Project != Project {
		t.Errorf("drifted %v, operation %q, project %q; want drift of project %s found", res.Drifted(), res.Operation, res.Project, Project)
	}
	byName := map[string]Change{}
	for _, c := range res.Changes {
		byName[c.Name] = c
	}
	if len(res.Changes) != 2 {
		t.Errorf("changes %+v, want the bucket and the string only", res.Changes)
	}
	if c := byName["data"]; c.Op != "update" || strings.Join(c.Keys, ",") != "hostedZoneId" {
		t.Errorf("bucket: %+v, want update of hostedZoneId", c)
	}
	if d, _ := keyDiff(byName["data"], "hostedZoneId"); d.Old != deployedZone || d.New != "ZEDITEDINCONSOLE" {
		t.Errorf("bucket hostedZoneId %q -> %q, want %q -> ZEDITEDINCONSOLE", d.Old, d.New, deployedZone)
	}
	if c := byName["pet"]; c.Op != "delete" || len(c.Keys) != 0 {
		t.Errorf("string: %+v, want delete (gone)", c)
	}
	if res.Totals["update"] != 1 || res.Totals["delete"] != 1 || res.Totals["same"] < 2 {
		t.Errorf("totals %v, want 1 update, 1 delete, the rest same", res.Totals)
	}

	after := readTree(t, backend)
	for path, content := range before {
		if !bytes.Equal(after[path], content) {
			t.Errorf("drift changed %s", path)
		}
	}
	for path := range after {
		if _, ok := before[path]; !ok {
			t.Errorf("drift wrote %s", path)
		}
	}
}

// TestEngine_DriftNoneWhenTheCloudMatches: right after an up, nothing has drifted; with
// the stack locked (an update running) drift refuses as ErrConcurrentUpdate rather
// than read a state in mid-update.
func TestEngine_DriftNoneWhenTheCloudMatches(t *testing.T) {
	s, _, backend := driftedStack(t)
	ctx := context.Background()
	res, err := s.Drift(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Drifted() || len(res.Changes) != 0 || res.Totals["same"] < 4 || len(res.Totals) != 1 {
		t.Errorf("drifted %v, changes %+v, totals %v; want none, every resource the same", res.Drifted(), res.Changes, res.Totals)
	}

	writeFile(t, filepath.Join(backend, "locks", "organization", Project, "dev", "running-update.json"), "{}")
	if _, err := s.Drift(ctx); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("drift of a locked stack: %v, want ErrConcurrentUpdate", err)
	}
}

// readTree maps every file under dir to its content.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files[path], err = os.ReadFile(path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestDriftRendering: the three formats of a drift report, and of none.
func TestDriftRendering(t *testing.T) {
	drifted := &DriftResult{Project: Project, Report: Report{Stack: "prod", Operation: "drift",
		Changes: []Change{
			{URN: "urn:a::data", Type: bucketType, Name: "data", Op: "update", Keys: []string{"tags", "policy"},
				Diffs: []KeyDiff{{Key: "tags", Old: `{"team":"data"}`, New: `{"team":"ml|ops"}`}}},
			{URN: "urn:a::pet", Type: "random:index/randomString:RandomString", Name: "pet", Op: "delete"},
		},
		Totals: map[string]int{"update": 1, "delete": 1, "same": 3}}}
	clean := &DriftResult{Project: Project, Report: Report{Stack: "prod", Operation: "drift", Changes: []Change{},
		Totals: map[string]int{"same": 5}}}
	pending := &DriftResult{Project: Project, Report: Report{Stack: "prod", Operation: "drift", Changes: []Change{},
		Totals:            map[string]int{"same": 5},
		PendingOperations: []PendingOperation{{URN: "urn:a::pw", Type: passwordType, Op: "creating"}}}}
	for _, tt := range []struct {
		name   string
		render func(io.Writer, *DriftResult) error
		res    *DriftResult
		want   []string
		prefix string
	}{
		{"markdown", RenderDriftMarkdown, drifted, []string{
			"**2 of 5 resources differ from the last deploy: 1 changed, 1 gone.**",
			"| changed | `aws:s3/bucketV2:BucketV2` | `data` | `tags`: `{\"team\":\"data\"}` → `{\"team\":\"ml\\|ops\"}`<br>`policy` |",
			"| gone | `random:index/randomString:RandomString` | `pet` |  |",
			"`pachdeploy refresh` records",
		}, "<!-- pachdeploy:drift project=pachdeploy stack=prod -->\n### pachdeploy drift: stack `prod`\n\n**2 of 5"},
		{"markdown, none", RenderDriftMarkdown, clean, []string{"No drift: all 5 resources match the last deploy."},
			"<!-- pachdeploy:drift project=pachdeploy stack=prod -->\n"},
		{"markdown, pending", RenderDriftMarkdown, pending, []string{"**All 5 resources match the last deploy; 1 pending operations from an interrupted update leave the state unsure of the cloud.**", "- creating `" + passwordType + "` `pw`"},
			"<!-- pachdeploy:drift project=pachdeploy stack=prod -->\n"},
		{"text", RenderDriftText, drifted, []string{
			`  changed    aws:s3/bucketV2:BucketV2 "data"`,
			`               tags: {"team":"data"} -> {"team":"ml|ops"}`,
			"               policy\n",
			`  gone       random:index/randomString:RandomString "pet"`,
		}, "Stack prod: 2 of 5 resources differ from the last deploy: 1 changed, 1 gone\n"},
		{"text, none", RenderDriftText, clean, nil, "Stack prod: No drift: all 5 resources match the last deploy\n"},
		{"json", RenderDriftJSON, drifted, []string{`"drifted": true`, `"project": "pachdeploy"`, `"operation": "drift"`, `"op": "delete"`}, "{"},
		{"json, none", RenderDriftJSON, clean, []string{`"drifted": false`, `"changes": []`}, "{"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.render(&b, tt.res); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(b.String(), tt.prefix) {
				t.Errorf("does not start with %q:\n%s", tt.prefix, b.String())
			}
			for _, want := range tt.want {
				if !strings.Contains(b.String(), want) {
					t.Errorf("lacks %q:\n%s", want, b.String())
				}
			}
		})
	}
}
