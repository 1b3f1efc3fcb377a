// Package github keeps one pachdeploy comment per stack on a pull request up to date
// through GitHub's REST API. It uses net/http only: the CLI posts a rendered preview
// from a CI job, and a client library would be a large dependency for three calls.
package github

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// DefaultBaseURL is GitHub.com's REST API. GitHub Enterprise Server's is
// https://HOST/api/v3; Actions sets GITHUB_API_URL to whichever applies.
const DefaultBaseURL = "https://api.github.com"

// MaxBodyChars is the longest comment body GitHub accepts, in characters.
const MaxBodyChars = 65536

// ErrTooLong is a body over MaxBodyChars: refused before any request, since GitHub
// would answer 422 after the listing was already paid for.
var ErrTooLong = fmt.Errorf("comment body is over GitHub's limit of %d characters", MaxBodyChars)

const (
	// perPage is GitHub's largest page size, so a busy pull request takes few requests.
	perPage = 100
	// maxPages bounds the listing (10,000 comments): a server whose next link never
	// ends must not keep the job running until its timeout.
	maxPages = 100
	// maxResponse bounds what is read of one response: a full page of maximal
	// comments is about 6.5 MB.
	maxResponse = 32 << 20
	// userAgent is required by GitHub, which refuses requests without one.
	userAgent = "pachdeploy"
)

// Client calls GitHub's REST API with a token. Deadlines come from the context.
type Client struct {
	// BaseURL is the API root, DefaultBaseURL when empty.
	BaseURL string
	// Token is sent as a bearer token and redacted from every error.
	Token string
	// HTTPClient sends the requests, http.DefaultClient when nil.
	HTTPClient *http.Client
}

// comment is the part of an issue comment pachdeploy reads.
type comment struct {
	ID      int64  `json:"id"`
	Body    string `json:"body"`
	HTMLURL string `json:"html_url"`
}

// UpsertComment makes body the pull request's (or issue's) comment identified by
// marker: it edits the first comment whose first line is exactly marker, or posts a
// new one. body must begin with the marker line so the next run finds the comment.
// It returns the comment's web URL and whether it was created.
func (c *Client) UpsertComment(ctx context.Context, repo string, issue int, marker, body string) (url string, created bool, err error) {
	base, err := c.repoURL(repo)
	if err != nil {
		return "", false, err
	}
	marker = strings.TrimSpace(marker)
	switch {
	case c.Token == "":
		return "", false, errors.New("github: no token")
	case issue <= 0:
		return "", false, fmt.Errorf("github: pull request number %d: must be positive", issue)
	case marker == "" || strings.ContainsAny(marker, "\r\n"):
		return "", false, fmt.Errorf("github: marker %q: must be one non-empty line", marker)
	case firstLine(body) != marker:
		return "", false, fmt.Errorf("github: the body must begin with the marker line %q, or the next run could not find the comment", marker)
	case utf8.RuneCountInString(body) > MaxBodyChars:
		return "", false, fmt.Errorf("%w (this one has %d)", ErrTooLong, utf8.RuneCountInString(body))
	}
	found, err := c.findComment(ctx, fmt.Sprintf("%s/issues/%d/comments?per_page=%d", base, issue, perPage), marker)
	if err != nil {
		return "", false, err
	}
	var out comment
	payload := map[string]string{"body": body}
	if found != nil {
		_, err = c.do(ctx, http.MethodPatch, fmt.Sprintf("%s/issues/comments/%d", base, found.ID), payload, &out)
		return out.HTMLURL, false, err
	}
	_, err = c.do(ctx, http.MethodPost, fmt.Sprintf("%s/issues/%d/comments", base, issue), payload, &out)
	return out.HTMLURL, err == nil, err
}

// findComment returns the first comment whose first line is marker, following the
// Link header's next pages, or nil.
func (c *Client) findComment(ctx context.Context, next, marker string) (*comment, error) {
	for page := 0; next != ""; page++ {
		if page == maxPages {
			return nil, fmt.Errorf("github: more than %d pages of comments: giving up", maxPages)
		}
		var comments []comment
		h, err := c.do(ctx, http.MethodGet, next, nil, &comments)
		if err != nil {
			return nil, err
		}
		for i := range comments {
			// The whole line, not a prefix: stack=prod must not match stack=prod-eu.
			if firstLine(comments[i].Body) == marker {
				return &comments[i], nil
			}
		}
		if next, err = c.nextPage(h.Get("Link")); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// nextPage is the rel="next" URL of a Link header, or "" on the last page. A link to
// another host is refused: following it would send the token there.
func (c *Client) nextPage(link string) (string, error) {
	for _, part := range strings.Split(link, ",") {
		target, params, _ := strings.Cut(part, ";")
		isNext := false
		for _, p := range strings.Split(params, ";") {
			isNext = isNext || strings.TrimSpace(p) == `rel="next"`
		}
		if !isNext {
			continue
		}
		target = strings.Trim(strings.TrimSpace(target), "<>")
		u, err := url.Parse(target)
		if err != nil {
			return "", fmt.Errorf("github: pagination link %q: %v", target, err)
		}
		base, err := url.Parse(c.baseURL())
		if err != nil {
			return "", fmt.Errorf("github: base URL %q: %v", c.baseURL(), err)
		}
		if u.Scheme != base.Scheme || u.Host != base.Host {
			return "", fmt.Errorf("github: refusing to follow a pagination link to %s://%s, not the API at %s://%s (the token would go with it)",
				u.Scheme, u.Host, base.Scheme, base.Host)
		}
		return target, nil
	}
	return "", nil
}

// do sends one request with a JSON body (when in is not nil) and decodes a 2xx
// response into out. Any other status is an *apiError.
func (c *Client) do(ctx context.Context, method, target string, in, out any) (http.Header, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("github: %s %s: %v", method, target, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("User-Agent", userAgent)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		// %w keeps context.DeadlineExceeded visible; the message holds the URL, never a header.
		return nil, fmt.Errorf("github: %s %s: %w", method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("github: %s %s: reading the response: %w", method, req.URL.Path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &apiError{Method: method, Path: req.URL.Path, StatusCode: resp.StatusCode, Status: resp.Status,
			Message: errorMessage([]byte(c.redact(string(data))))}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return nil, fmt.Errorf("github: %s %s: %s: the response is not the expected JSON: %v", method, req.URL.Path, resp.Status, err)
	}
	return resp.Header, nil
}

// apiError is a response outside 2xx.
type apiError struct {
	Method     string
	Path       string
	StatusCode int
	// Status is the status line, such as "403 Forbidden".
	Status string
	// Message is GitHub's message, or the start of a body that is not GitHub's JSON.
	Message string
}

func (e *apiError) Error() string {
	s := fmt.Sprintf("github: %s %s: %s", e.Method, e.Path, e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	switch e.StatusCode {
	case http.StatusUnauthorized:
		s += " (the token is missing, expired or revoked: check GITHUB_TOKEN)"
	case http.StatusForbidden:
		s += " (the token may lack permission to comment: a workflow needs `permissions: pull-requests: write`, " +
			"or `issues: write`; pull requests from forks get a read-only token)"
	case http.StatusNotFound:
		s += " (no such repository or pull request, or the token cannot see it: check the repository and " +
			"number, and that the token has `pull-requests: write` or `issues: write` on it)"
	}
	return s
}

// errorMessage is GitHub's message (with its validation errors) from an error
// response, or the start of a body that is not GitHub's JSON, such as a proxy's page.
func errorMessage(data []byte) string {
	var e struct {
		Message string `json:"message"`
		Errors  []struct {
			Message string `json:"message"`
			Field   string `json:"field"`
			Code    string `json:"code"`
		} `json:"errors"`
	}
	if json.Unmarshal(data, &e) != nil || e.Message == "" {
		s := strings.Join(strings.Fields(string(data)), " ")
		if r := []rune(s); len(r) > 200 {
			s = string(r[:200]) + "…"
		}
		return s
	}
	msg := e.Message
	for _, d := range e.Errors {
		switch {
		case d.Message != "":
			msg += "; " + d.Message
		case d.Code != "":
			msg += "; " + d.Field + " " + d.Code
		}
	}
	return msg
}

// redact removes the token from text a server sent back, before it is parsed or cut
// short: a misbehaving proxy or server may echo the request's Authorization header.
func (c *Client) redact(s string) string {
	if c.Token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.Token, "[redacted]")
}

// repoURL is the API URL of repo, given as "owner/name".
func (c *Client) repoURL(repo string) (string, error) {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return "", fmt.Errorf("github: repository %q: want owner/name", repo)
	}
	return fmt.Sprintf("%s/repos/%s/%s", c.baseURL(), url.PathEscape(owner), url.PathEscape(name)), nil
}

func (c *Client) baseURL() string {
	if c.BaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(c.BaseURL, "/")
}

// firstLine is s's first line without surrounding space: GitHub may store a body
// edited on the web with \r\n line ends.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}
