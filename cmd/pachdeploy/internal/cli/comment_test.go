package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const (
	commentToken = "ghs_commentTestT0ken"
	prodMarker   = "<!-- pachdeploy:preview project=pachdeploy stack=prod -->"
	devMarker    = "<!-- pachdeploy:preview project=pachdeploy stack=dev -->"
)

// fakeComments is GitHub's issue comments API, enough for the command: comments by
// "owner/repo#n", each {id, body, html_url}.
type fakeComments struct {
	mu       sync.Mutex
	byIssue  map[string][]map[string]any
	nextID   int
	requests []string
	// failPost, when set, answers every POST with 403.
	failPost bool
}

func newFakeComments(t *testing.T) (*fakeComments, string) {
	f := &fakeComments{byIssue: map[string][]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /repos/{owner}/{repo}/issues/{n}/comments", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(f.issue(r))
	})
	mux.HandleFunc("POST /repos/{owner}/{repo}/issues/{n}/comments", func(w http.ResponseWriter, r *http.Request) {
		if f.failPost {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"Resource not accessible by integration"}`)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.nextID++
		repo := r.PathValue("owner") + "/" + r.PathValue("repo")
		c := map[string]any{"id": f.nextID, "body": readBody(r),
			"html_url": fmt.Sprintf("https://github.com/%s/pull/%s#issuecomment-%d", repo, r.PathValue("n"), f.nextID)}
		f.byIssue[repo+"#"+r.PathValue("n")] = append(f.byIssue[repo+"#"+r.PathValue("n")], c)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(c)
	})
	mux.HandleFunc("PATCH /repos/{owner}/{repo}/issues/comments/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		id, _ := strconv.Atoi(r.PathValue("id"))
		for _, cs := range f.byIssue {
			for _, c := range cs {
				if c["id"] == id {
					c["body"] = readBody(r)
					_ = json.NewEncoder(w).Encode(c)
					return
				}
			}
		}
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, r.Method+" "+r.URL.Path)
		f.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+commentToken {
			t.Errorf("%s %s without the token", r.Method, r.URL)
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeComments) issue(r *http.Request) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any{}, f.byIssue[r.PathValue("owner")+"/"+r.PathValue("repo")+"#"+r.PathValue("n")]...)
}

func readBody(r *http.Request) string {
	var in struct{ Body string }
	_ = json.NewDecoder(r.Body).Decode(&in)
	return in.Body
}

// githubEnv is a workflow's environment against the fake API at apiURL.
func githubEnv(apiURL string) map[string]string {
	return map[string]string{"GITHUB_TOKEN": commentToken, "GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": apiURL}
}

// runCommentCLI runs pachdeploy with env as the whole environment.
func runCommentCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	deps := Deps{Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	code = Main(context.Background(), args, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, deps)
	return code, out.String(), errOut.String()
}

// writeFile writes content to name in a new temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestComment_CreatesThenUpdatesPerStack: the first run creates the stack's comment,
// the next edits it, and another stack gets a comment of its own.
func TestComment_CreatesThenUpdatesPerStack(t *testing.T) {
	f, api := newFakeComments(t)
	env := githubEnv(api)
	for _, tt := range []struct {
		body string
		want string
	}{
		{prodMarker + "\n### prod: 1 to create\n", "created https://github.com/o/r/pull/12#issuecomment-1\n"},
		{prodMarker + "\n### prod: 2 to update\n", "updated https://github.com/o/r/pull/12#issuecomment-1\n"},
		{devMarker + "\n### dev: 1 to delete\n", "created https://github.com/o/r/pull/12#issuecomment-2\n"},
	} {
		code, stdout, stderr := runCommentCLI(t, env, "comment", "--pr", "12", "--file", writeFile(t, "preview.md", tt.body))
		if code != ExitOK || stdout != tt.want {
			t.Errorf("exit %d, stdout %q (want %q), stderr %q", code, stdout, tt.want, stderr)
		}
	}
	var bodies []string
	for _, c := range f.byIssue["o/r#12"] {
		bodies = append(bodies, c["body"].(string))
	}
	if want := []string{prodMarker + "\n### prod: 2 to update\n", devMarker + "\n### dev: 1 to delete\n"}; strings.Join(bodies, "|") != strings.Join(want, "|") {
		t.Errorf("comments %q, want %q", bodies, want)
	}
}

// TestComment_PullRequestAndRepository: --pr, else the pull_request workflow event's
// number; --repo, else GITHUB_REPOSITORY. Without a pull request it is usage.
func TestComment_PullRequestAndRepository(t *testing.T) {
	prEvent := writeFile(t, "event.json", `{"action":"synchronize","number":7,"pull_request":{"number":7}}`)
	pushEvent := writeFile(t, "event.json", `{"ref":"refs/heads/main"}`)
	for _, tt := range []struct {
		name  string
		event string
		args  []string
		code  int
		want  string // the listing request, or the error
	}{
		{"--pr", "", []string{"--pr", "12"}, ExitOK, "GET /repos/o/r/issues/12/comments"},
		{"from the pull_request event", prEvent, nil, ExitOK, "GET /repos/o/r/issues/7/comments"},
		{"--pr over the event", prEvent, []string{"--pr", "9"}, ExitOK, "GET /repos/o/r/issues/9/comments"},
		{"--repo over GITHUB_REPOSITORY", prEvent, []string{"--repo", "other/repo"}, ExitOK, "GET /repos/other/repo/issues/7/comments"},
		{"a push event", pushEvent, nil, ExitUsage, "has no pull_request"},
		{"no event", "", nil, ExitUsage, "--pr is required outside a pull_request workflow"},
		{"an unreadable event", filepath.Join(t.TempDir(), "missing.json"), nil, ExitUsage, "must be a readable file"},
		{"an event that never ends", "/dev/zero", nil, ExitUsage, "must be a regular file"},
		{"an event that is not JSON", writeFile(t, "event.json", "{"), nil, ExitUsage, "is not JSON"},
		{"a negative --pr", prEvent, []string{"--pr", "-1"}, ExitUsage, "--pr -1: must be a pull request number"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, api := newFakeComments(t)
			env := githubEnv(api)
			if tt.event != "" {
				env["GITHUB_EVENT_PATH"] = tt.event
			}
			args := append([]string{"comment", "--file", writeFile(t, "preview.md", prodMarker+"\nbody\n")}, tt.args...)
			code, _, stderr := runCommentCLI(t, env, args...)
			got := stderr
			if len(f.requests) > 0 {
				got = f.requests[0]
			}
			if code != tt.code || !strings.Contains(got, tt.want) {
				t.Errorf("exit %d (want %d), got %q, want %q", code, tt.code, got, tt.want)
			}
		})
	}
}

// TestComment_EmptyFileIsANoOp: a preview that printed nothing posts nothing and
// succeeds, saying so.
func TestComment_EmptyFileIsANoOp(t *testing.T) {
	for _, content := range []string{"", "\n \n"} {
		f, api := newFakeComments(t)
		code, stdout, stderr := runCommentCLI(t, githubEnv(api), "comment", "--pr", "12", "--file", writeFile(t, "preview.md", content))
		if code != ExitOK || !strings.Contains(stdout, "nothing to post") || len(f.requests) != 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q, requests %v", content, code, stdout, stderr, f.requests)
		}
	}
}

// TestComment_UsageErrors: missing settings and files that are not a rendered preview
// are exit 2 before any request.
func TestComment_UsageErrors(t *testing.T) {
	preview := writeFile(t, "preview.md", prodMarker+"\nbody\n")
	for _, tt := range []struct {
		name  string
		unset string
		args  []string
		want  string
	}{
		{"no token", "GITHUB_TOKEN", []string{"--file", preview}, "GITHUB_TOKEN is not set"},
		{"no repository", "GITHUB_REPOSITORY", []string{"--file", preview}, `--repo "": want owner/name`},
		{"a bad --repo", "", []string{"--file", preview, "--repo", "just-a-name"}, `--repo "just-a-name": want owner/name`},
		{"no --file", "", nil, "--file is required"},
		{"a missing file", "", []string{"--file", filepath.Join(t.TempDir(), "none.md")}, "must be a readable file: open"},
		{"a device that never ends", "", []string{"--file", "/dev/zero"}, "must be a regular file"},
		{"1 MB", "", []string{"--file", writeFile(t, "big.md", prodMarker+"\n"+strings.Repeat("x", 1<<20))}, "is longer than 262144 bytes"},
		{"no marker", "", []string{"--file", writeFile(t, "p.md", "### preview\n"+prodMarker+"\n")}, "does not start with a pachdeploy marker line"},
		{"another tool's marker", "", []string{"--file", writeFile(t, "p.md", "<!-- terraform:plan -->\nbody\n")}, "does not start with a pachdeploy marker line"},
		{"over GitHub's limit", "", []string{"--file", writeFile(t, "p.md", prodMarker+"\n"+strings.Repeat("x", 70000))}, "over GitHub's limit of 65536 characters"},
		{"--format json", "", []string{"--file", preview, "--format", "json"}, `--format "json" is not supported`},
		{"--cloud", "", []string{"--file", preview, "--cloud", "aws"}, "--config and --cloud go with preview"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, api := newFakeComments(t)
			env := githubEnv(api)
			delete(env, tt.unset)
			code, _, stderr := runCommentCLI(t, env, append([]string{"comment", "--pr", "12"}, tt.args...)...)
			if code != ExitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
			if len(f.requests) != 0 {
				t.Errorf("requests were made: %v", f.requests)
			}
		})
	}
}

// TestComment_APIErrorIsExit1: a refusal from GitHub is a failure naming the status,
// GitHub's message and the permission, without the token.
func TestComment_APIErrorIsExit1(t *testing.T) {
	f, api := newFakeComments(t)
	f.failPost = true
	code, stdout, stderr := runCommentCLI(t, githubEnv(api), "comment", "--pr", "12", "--file", writeFile(t, "preview.md", prodMarker+"\nbody\n"))
	for _, want := range []string{"403 Forbidden", "Resource not accessible by integration", "pull-requests: write"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q does not contain %q", stderr, want)
		}
	}
	if code != ExitFailed || stdout != "" || strings.Contains(stderr, commentToken) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
