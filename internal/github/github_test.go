package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	token  = "ghs_s3cretT0kenValue"
	marker = "<!-- pachdeploy:preview project=pachdeploy stack=prod -->"
)

// fakeGitHub is GitHub's issue comments API for one pull request, o/r#12, small
// pages so pagination is exercised with a few comments.
type fakeGitHub struct {
	t        *testing.T
	pageSize int
	// fail, when it returns a status, answers the request with it and the body instead.
	fail func(r *http.Request) (int, string)
	// link, when set, replaces the Link header of every listing.
	link func(serverURL string) string

	mu       sync.Mutex
	comments []comment
	nextID   int64
	requests []string
}

func newFake(t *testing.T, bodies ...string) (*fakeGitHub, *Client) {
	f := &fakeGitHub{t: t, pageSize: 2, nextID: 100}
	for _, b := range bodies {
		f.add(b)
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, &Client{BaseURL: srv.URL + "/", Token: token}
}

func (f *fakeGitHub) add(body string) comment {
	f.nextID++
	c := comment{ID: f.nextID, Body: body, HTMLURL: fmt.Sprintf("https://github.com/o/r/pull/12#issuecomment-%d", f.nextID)}
	f.comments = append(f.comments, c)
	return c
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	for h, want := range map[string]string{"Authorization": "Bearer " + token, "Accept": "application/vnd.github+json",
		"X-GitHub-Api-Version": "2022-11-28", "User-Agent": "pachdeploy"} {
		if got := r.Header.Get(h); got != want {
			f.t.Errorf("%s %s: header %s = %q, want %q", r.Method, r.URL, h, got, want)
		}
	}
	if f.fail != nil {
		if status, body := f.fail(r); status != 0 {
			w.WriteHeader(status)
			fmt.Fprint(w, body)
			return
		}
	}
	var in struct{ Body string }
	if r.Body != nil && r.Method != http.MethodGet {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, `{"message":"Problems parsing JSON"}`, http.StatusBadRequest)
			return
		}
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/repos/o/r/issues/12/comments":
		if r.URL.Query().Get("per_page") != "100" {
			f.t.Errorf("listing without per_page=100: %s", r.URL)
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		page = max(page, 1)
		lo, hi := min((page-1)*f.pageSize, len(f.comments)), min(page*f.pageSize, len(f.comments))
		serverURL := "http://" + r.Host
		switch {
		case f.link != nil:
			w.Header().Set("Link", f.link(serverURL))
		case hi < len(f.comments):
			w.Header().Set("Link", fmt.Sprintf(`<%s/repos/o/r/issues/12/comments?per_page=100&page=%d>; rel="next", <%s/repos/o/r/issues/12/comments?per_page=100&page=99>; rel="last"`,
				serverURL, page+1, serverURL))
		}
		_ = json.NewEncoder(w).Encode(f.comments[lo:hi])
	case r.Method == http.MethodPost && r.URL.Path == "/repos/o/r/issues/12/comments":
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(f.add(in.Body))
	case r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, "/repos/o/r/issues/comments/"):
		id, _ := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, "/repos/o/r/issues/comments/"), 10, 64)
		for i := range f.comments {
			if f.comments[i].ID == id {
				f.comments[i].Body = in.Body
				_ = json.NewEncoder(w).Encode(f.comments[i])
				return
			}
		}
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	default:
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	}
}

// bodies are the comments' bodies in order.
func (f *fakeGitHub) bodies() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.comments {
		out = append(out, c.Body)
	}
	return out
}

func preview(text string) string {
	return marker + "\n### pachdeploy preview: stack `prod`\n\n" + text + "\n"
}

// TestUpsertComment_CreatesThenEditsTheSameComment: the first run posts, the second
// edits that comment in place instead of adding another.
func TestUpsertComment_CreatesThenEditsTheSameComment(t *testing.T) {
	f, c := newFake(t)
	url, created, err := c.UpsertComment(context.Background(), "o/r", 12, marker, preview("1 to create"))
	if err != nil || !created || url != "https://github.com/o/r/pull/12#issuecomment-101" {
		t.Fatalf("first run: url %q, created %v, err %v", url, created, err)
	}
	url, created, err = c.UpsertComment(context.Background(), "o/r", 12, marker, preview("2 to update"))
	if err != nil || created || url != "https://github.com/o/r/pull/12#issuecomment-101" {
		t.Fatalf("second run: url %q, created %v, err %v", url, created, err)
	}
	if got := f.bodies(); len(got) != 1 || got[0] != preview("2 to update") {
		t.Errorf("comments %q, want the one comment with the second body", got)
	}
	want := "GET /repos/o/r/issues/12/comments?per_page=100,POST /repos/o/r/issues/12/comments," +
		"GET /repos/o/r/issues/12/comments?per_page=100,PATCH /repos/o/r/issues/comments/101"
	if got := strings.Join(f.requests, ","); got != want {
		t.Errorf("requests\n%s\nwant\n%s", got, want)
	}
}

// TestUpsertComment_OtherCommentsAreUntouched: only a comment whose whole first line
// is the marker is ours; other stacks' comments and people's comments that mention
// the marker are left alone.
func TestUpsertComment_OtherCommentsAreUntouched(t *testing.T) {
	others := []string{
		"<!-- pachdeploy:preview project=pachdeploy stack=prod-eu -->\nanother stack",
		"<!-- pachdeploy:preview project=other stack=prod -->\nanother project",
		marker + " and more on the same line\n",
		"LGTM, but see\n" + marker + "\nquoted further down",
		"> " + marker + "\n> a quoted reply",
	}
	f, c := newFake(t, others...)
	for i, body := range []string{preview("first"), preview("second")} {
		if _, created, err := c.UpsertComment(context.Background(), "o/r", 12, marker, body); err != nil || created != (i == 0) {
			t.Fatalf("run %d: created %v, err %v", i+1, created, err)
		}
	}
	got := f.bodies()
	if want := append(append([]string{}, others...), preview("second")); strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Errorf("comments\n%q\nwant\n%q", got, want)
	}
}

// TestUpsertComment_Pagination: the listing follows the Link header, so a comment on
// a later page is edited and a missing one is posted only after the last page.
func TestUpsertComment_Pagination(t *testing.T) {
	for _, tt := range []struct {
		name     string
		existing []string
		want     string
	}{
		{"ours on page 2", []string{"a", "b", "c", preview("old"), "e"},
			"GET ?per_page=100,GET ?per_page=100&page=2,PATCH 104"},
		{"ours on no page", []string{"a", "b", "c", "d", "e"},
			"GET ?per_page=100,GET ?per_page=100&page=2,GET ?per_page=100&page=3,POST"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFake(t, tt.existing...)
			if _, _, err := c.UpsertComment(context.Background(), "o/r", 12, marker, preview("new")); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range f.requests {
				r = strings.NewReplacer("/repos/o/r/issues/12/comments", "", "/repos/o/r/issues/comments/", "").Replace(r)
				got = append(got, strings.TrimSpace(r))
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("requests %q, want %q", got, tt.want)
			}
			if bodies := f.bodies(); strings.Count(strings.Join(bodies, "\n"), marker) != 1 {
				t.Errorf("want exactly one comment of ours, got %q", bodies)
			}
		})
	}
}

// TestUpsertComment_PaginationGuards: a next link to another host is not followed
// (the token would go with it), and an endless listing stops.
func TestUpsertComment_PaginationGuards(t *testing.T) {
	for _, tt := range []struct {
		name string
		link func(serverURL string) string
		want string
	}{
		{"another host", func(string) string { return `<https://evil.example/steal?page=2>; rel="next"` },
			"refusing to follow a pagination link to https://evil.example"},
		{"never ends", func(u string) string {
			return "<" + u + `/repos/o/r/issues/12/comments?per_page=100&page=1>; rel="next"`
		},
			"more than 100 pages"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFake(t)
			f.link = tt.link
			_, _, err := c.UpsertComment(context.Background(), "o/r", 12, marker, preview("x"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want %q", err, tt.want)
			}
			if len(f.bodies()) != 0 {
				t.Errorf("a comment was posted after a failed listing")
			}
		})
	}
}

// TestUpsertComment_APIErrors: errors carry the method, status and GitHub's message,
// a hint for permission problems, and never the token, even when the server echoes
// the Authorization header back.
func TestUpsertComment_APIErrors(t *testing.T) {
	echo := func(r *http.Request) string { return r.Header.Get("Authorization") }
	for _, tt := range []struct {
		name   string
		method string
		status int
		body   func(r *http.Request) string
		want   []string
	}{
		{"500 with a message", http.MethodGet, 500, func(*http.Request) string { return `{"message":"Server Error"}` },
			[]string{"GET /repos/o/r/issues/12/comments", "500 Internal Server Error: Server Error"}},
		{"403 from a read-only token", http.MethodPost, 403,
			func(*http.Request) string {
				return `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest"}`
			},
			[]string{"POST /repos/o/r/issues/12/comments", "403 Forbidden: Resource not accessible by integration", "pull-requests: write", "issues: write"}},
		{"401 echoing the header in the message", http.MethodGet, 401,
			func(r *http.Request) string { return `{"message":"Bad credentials: ` + echo(r) + `"}` },
			[]string{"401 Unauthorized: Bad credentials: Bearer [redacted]", "GITHUB_TOKEN"}},
		{"a proxy page echoing the header", http.MethodGet, 502,
			func(r *http.Request) string {
				return "<html>upstream failed for\n  Authorization: " + echo(r) + "</html>"
			},
			[]string{"502 Bad Gateway: <html>upstream failed for Authorization: Bearer [redacted]</html>"}},
		{"404", http.MethodGet, 404, func(*http.Request) string { return `{"message":"Not Found"}` },
			[]string{"404 Not Found: Not Found", "pull-requests: write"}},
		{"422 with details", http.MethodPost, 422,
			func(*http.Request) string {
				return `{"message":"Validation Failed","errors":[{"resource":"IssueComment","code":"custom","field":"body","message":"body is too long"},{"field":"body","code":"missing_field"}]}`
			},
			[]string{"422 Unprocessable Entity: Validation Failed; body is too long; body missing_field"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFake(t)
			f.fail = func(r *http.Request) (int, string) {
				if r.Method != tt.method {
					return 0, ""
				}
				return tt.status, tt.body(r)
			}
			_, _, err := c.UpsertComment(context.Background(), "o/r", 12, marker, preview("x"))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("the token is in the error: %q", err)
			}
		})
	}
}

// TestUpsertComment_RefusesBeforeAnyRequest: bad arguments, and a body GitHub would
// refuse or the next run could not find, make no request at all.
func TestUpsertComment_RefusesBeforeAnyRequest(t *testing.T) {
	for _, tt := range []struct {
		name   string
		token  string
		repo   string
		issue  int
		marker string
		body   string
		want   string
	}{
		{"no token", "", "o/r", 12, marker, preview("x"), "no token"},
		{"repo without owner", token, "r", 12, marker, preview("x"), `repository "r": want owner/name`},
		{"repo with a path", token, "o/r/x", 12, marker, preview("x"), "want owner/name"},
		{"no pull request", token, "o/r", 0, marker, preview("x"), "must be positive"},
		{"empty marker", token, "o/r", 12, " ", preview("x"), "must be one non-empty line"},
		{"two-line marker", token, "o/r", 12, marker + "\nx", preview("x"), "must be one non-empty line"},
		{"body without the marker", token, "o/r", 12, marker, "### preview\n" + marker, "must begin with the marker line"},
		{"body of another stack", token, "o/r", 12, marker, strings.Replace(preview("x"), "stack=prod", "stack=dev", 1), "must begin with the marker line"},
		{"body over the limit", token, "o/r", 12, marker, preview(strings.Repeat("é", MaxBodyChars)), "over GitHub's limit of 65536 characters"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFake(t)
			c.Token = tt.token
			_, _, err := c.UpsertComment(context.Background(), tt.repo, tt.issue, tt.marker, tt.body)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want %q", err, tt.want)
			}
			if len(f.requests) != 0 {
				t.Errorf("requests were made: %v", f.requests)
			}
		})
	}
}

// TestUpsertComment_LimitCountsCharacters: the limit is GitHub's, in characters, so a
// body of exactly MaxBodyChars multi-byte characters is sent, one more is ErrTooLong.
func TestUpsertComment_LimitCountsCharacters(t *testing.T) {
	_, c := newFake(t)
	fill := MaxBodyChars - len(marker) - 1
	if _, _, err := c.UpsertComment(context.Background(), "o/r", 12, marker, marker+"\n"+strings.Repeat("é", fill)); err != nil {
		t.Errorf("a body of exactly the limit: %v", err)
	}
	if _, _, err := c.UpsertComment(context.Background(), "o/r", 12, marker, marker+"\n"+strings.Repeat("é", fill+1)); !errors.Is(err, ErrTooLong) {
		t.Errorf("one character over: %v, want ErrTooLong", err)
	}
}

// TestUpsertComment_ContextDeadline: a server that does not answer is given up on at
// the context's deadline.
func TestUpsertComment_ContextDeadline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	c := &Client{BaseURL: srv.URL, Token: token}
	if _, _, err := c.UpsertComment(ctx, "o/r", 12, marker, preview("x")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want the deadline", err)
	}
}
