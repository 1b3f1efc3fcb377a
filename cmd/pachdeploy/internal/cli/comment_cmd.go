package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pachdeploy/pachdeploy/internal/files"
	"github.com/pachdeploy/pachdeploy/internal/github"
	"github.com/spf13/cobra"
)

// markerPrefix starts the first line of every comment pachdeploy renders; the rest of
// the line names the stack, so each stack keeps its own comment.
const markerPrefix = "<!-- pachdeploy:"

// maxEventBytes bounds the workflow event file read for the pull request number
// (GitHub's payloads are far smaller).
const maxEventBytes = 16 << 20

// commentTimeout bounds the whole upsert: a hung API must not hold a CI job until the
// runner's own limit.
const commentTimeout = 2 * time.Minute

// commentOptions are comment's inputs; tests set Getenv.
type commentOptions struct {
	PR   int
	Repo string
	File string
	// Getenv reads GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL and GITHUB_EVENT_PATH.
	Getenv func(string) (string, bool)
}

func newCommentCmd(g *globalOptions) *cobra.Command {
	o := &commentOptions{}
	cmd := &cobra.Command{
		Use:   "comment --file FILE [--pr N] [--repo OWNER/NAME]",
		Short: "Create or update this stack's comment on a pull request from `preview --format markdown` output",
		Long: "comment posts FILE, the output of `pachdeploy preview --format markdown`, as a pull request comment, or\n" +
			"edits the comment a previous run posted: the file's first line is a marker naming the project and stack,\n" +
			"so each stack keeps one comment. An empty file posts nothing.\n\n" +
			"Environment: GITHUB_TOKEN (required; needs pull-requests: write or issues: write), GITHUB_REPOSITORY\n" +
			"(unless --repo), GITHUB_API_URL (default " + github.DefaultBaseURL + "), GITHUB_EVENT_PATH (the pull\n" +
			"request number in a pull_request workflow, unless --pr).",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Getenv = g.Deps.Env
			if o.Getenv == nil {
				o.Getenv = os.LookupEnv
			}
			return runComment(cmd.Context(), g, o)
		},
	}
	cmd.Flags().IntVar(&o.PR, "pr", 0, "pull request number `N` (default: the pull request of the workflow's event, from GITHUB_EVENT_PATH)")
	cmd.Flags().StringVar(&o.Repo, "repo", "", "repository `OWNER/NAME` (default $GITHUB_REPOSITORY)")
	cmd.Flags().StringVar(&o.File, "file", "", "`FILE` of Markdown from pachdeploy preview --format markdown (required)")
	return cmd
}

func runComment(ctx context.Context, g *globalOptions, o *commentOptions) error {
	if err := checkFormat(g.Format, "text"); err != nil {
		return err
	}
	if g.ConfigFile != "" || g.Cloud != "" {
		return usagef("comment posts a rendered file: --config and --cloud go with preview")
	}
	if o.File == "" {
		return usagef("--file is required: the output of `pachdeploy preview --format markdown`")
	}
	token := o.env("GITHUB_TOKEN")
	if token == "" {
		return usagef("GITHUB_TOKEN is not set: in a workflow pass `env: GITHUB_TOKEN: ${{ github.token }}` " +
			"with `permissions: pull-requests: write`")
	}
	repo := o.Repo
	if repo == "" {
		repo = o.env("GITHUB_REPOSITORY")
	}
	if owner, name, ok := strings.Cut(repo, "/"); !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return usagef("--repo %q: want owner/name (default $GITHUB_REPOSITORY, which Actions sets)", repo)
	}
	pr, err := o.pullRequest()
	if err != nil {
		return err
	}
	// A comment body is at most 65,536 characters of up to 4 bytes each.
	data, err := files.ReadLimited(o.File, "a comment", 4*github.MaxBodyChars)
	if err != nil {
		return usagef("--file %s: %v", o.File, err)
	}
	body := string(data)
	if strings.TrimSpace(body) == "" {
		fmt.Fprintf(g.IO.Out, "nothing to post: %s is empty (no changes to report); no comment was created or changed\n", o.File)
		return nil
	}
	marker, _, _ := strings.Cut(body, "\n")
	if marker = strings.TrimSpace(marker); !strings.HasPrefix(marker, markerPrefix) || !strings.HasSuffix(marker, "-->") {
		return usagef("%s does not start with a pachdeploy marker line (%s ... -->): pass the output of "+
			"`pachdeploy preview --format markdown`, which names the stack so its comment can be found again", o.File, markerPrefix)
	}
	ctx, cancel := context.WithTimeout(ctx, commentTimeout)
	defer cancel()
	c := &github.Client{BaseURL: o.env("GITHUB_API_URL"), Token: token}
	url, created, err := c.UpsertComment(ctx, repo, pr, marker, body)
	if errors.Is(err, github.ErrTooLong) {
		return usagef("%s: %v", o.File, err)
	}
	if err != nil {
		return err
	}
	verb := "updated"
	if created {
		verb = "created"
	}
	fmt.Fprintln(g.IO.Out, verb, url)
	return nil
}

// env is the variable's value, "" when unset.
func (o *commentOptions) env(key string) string {
	v, _ := o.Getenv(key)
	return strings.TrimSpace(v)
}

// pullRequest is --pr, or the number of the pull request that triggered the workflow:
// Actions writes the event's payload to GITHUB_EVENT_PATH.
func (o *commentOptions) pullRequest() (int, error) {
	if o.PR < 0 {
		return 0, usagef("--pr %d: must be a pull request number", o.PR)
	}
	if o.PR > 0 {
		return o.PR, nil
	}
	path := o.env("GITHUB_EVENT_PATH")
	if path == "" {
		return 0, usagef("--pr is required outside a pull_request workflow (GITHUB_EVENT_PATH is not set)")
	}
	data, err := files.ReadLimited(path, "a workflow event", maxEventBytes)
	if err != nil {
		return 0, usagef("--pr not given and the workflow event %s %v", path, err)
	}
	var event struct {
		PullRequest struct {
			Number int `json:"number"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(data, &event); err != nil {
		return 0, usagef("--pr not given and the workflow event %s is not JSON: %v", path, err)
	}
	if event.PullRequest.Number <= 0 {
		return 0, usagef("--pr is required: the workflow event in %s has no pull_request (run on pull_request, or pass --pr)", path)
	}
	return event.PullRequest.Number, nil
}
