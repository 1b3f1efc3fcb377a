package automation

import (
	"fmt"
	"html"
	"io"
	"strings"
	"unicode/utf8"
)

// DefaultMaxChars is the size cap of RenderMarkdown's comment: below GitHub's limit of
// 65,536 characters per comment, with room to spare for whatever a poster adds.
const DefaultMaxChars = 60000

// maxValueRunes is how much of a changed value the comment shows; a longer value is cut
// to this length, ending in "…". The JSON preview keeps it whole.
const maxValueRunes = 80

// MarkdownOption configures RenderMarkdown.
type MarkdownOption interface {
	apply(*markdownOptions)
}

type markdownOptionFunc func(*markdownOptions)

func (f markdownOptionFunc) apply(o *markdownOptions) { f(o) }

// markdownOptions is what the MarkdownOption values set.
type markdownOptions struct {
	maxChars int
}

// minMaxChars is the smallest cap: the marker and the line saying what was left out
// must fit.
const minMaxChars = 1000

// WithMaxChars caps the comment at n bytes, which is never fewer than the characters
// GitHub counts. Default (and for n <= 0): DefaultMaxChars; a cap below 1,000 is
// raised to 1,000.
func WithMaxChars(n int) MarkdownOption {
	return markdownOptionFunc(func(o *markdownOptions) {
		if n > 0 {
			o.maxChars = max(n, minMaxChars)
		}
	})
}

// CommentMarker is the hidden first line of every preview comment for a project's stack:
//
//	<!-- pachdeploy:preview project=PROJECT stack=STACK -->
//
// A tool that posts the comment finds its earlier one by this exact prefix and edits it
// rather than adding another. The format is stable.
func CommentMarker(project, stack string) string {
	return fmt.Sprintf("<!-- pachdeploy:preview project=%s stack=%s -->", project, stack)
}

// FingerprintLine is the hidden second line of a preview comment: the fingerprint of
// the changes shown, which a deploy of what was reviewed passes to
// `up --expect-fingerprint` (WithExpectedFingerprint). The format is stable:
//
//	<!-- pachdeploy:fingerprint sha256:HEX -->
func FingerprintLine(fingerprint string) string {
	return "<!-- pachdeploy:fingerprint " + fingerprint + " -->"
}

// RenderMarkdown writes a preview as a pull request comment. It starts with
// CommentMarker(Project, stack) and FingerprintLine, then a title, the totals, a caution block naming each
// data-bearing resource replaced or deleted, the policy findings, the Pachyderm chart
// version change and pending operations; then one folded section per changed resource
// with its replace reasons and each changed key as `old → new` (secrets as [secret],
// values longer than 80 characters cut with "…"). A preview with nothing for a reviewer
// (Report.Unchanged) is the marker and "No changes for stack S." alone.
//
// The comment stays within WithMaxChars (default DefaultMaxChars). When the whole does
// not fit, detail goes in this order: unchanged resources (never listed), then the old
// and new values of changed keys (from the last resource back; key names stay), then
// whole resources (from the last back). The marker, title, totals, data-at-risk warnings
// and policy findings always stay; only a summary that alone exceeds the cap is cut. A
// last line then says what was left out and that the full JSON preview is in the
// workflow's artifact preview-STACK.json.
func RenderMarkdown(w io.Writer, p *PreviewResult, opts ...MarkdownOption) error {
	o := markdownOptions{maxChars: DefaultMaxChars}
	for _, opt := range opts {
		opt.apply(&o)
	}
	_, err := io.WriteString(w, markdownComment(p, o.maxChars))
	return err
}

// commentHead is the comment's two hidden lines: the marker and the fingerprint.
func commentHead(p *PreviewResult) string {
	return CommentMarker(Project, p.Stack) + "\n" + FingerprintLine(p.Fingerprint()) + "\n"
}

// markdownComment is RenderMarkdown's comment for p within maxChars bytes.
func markdownComment(p *PreviewResult, maxChars int) string {
	marker := commentHead(p)
	if p.Unchanged() {
		return marker + fmt.Sprintf("No changes for stack `%s`.\n", code(p.Stack))
	}
	full := make([]string, len(p.Changes))
	names := make([]string, len(p.Changes))
	for i, c := range p.Changes {
		full[i], names[i] = resourceSection(c, true), resourceSection(c, false)
	}
	// Each section ends in a blank line; the comment ends in one newline.
	return strings.TrimRight(fitComment(marker+markdownSummary(p), full, names, p.Stack, maxChars), "\n") + "\n"
}

// markdownSummary is what the comment never drops: title, totals, data at risk, policy,
// chart version and pending operations.
func markdownSummary(p *PreviewResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### pachdeploy preview: stack `%s`\n\n", code(p.Stack))
	fmt.Fprintf(&b, "**%s**\n\n", totalsText(p.Totals, true))
	if loss := p.DataLoss(); len(loss) > 0 {
		b.WriteString("> [!CAUTION]\n> **Data at risk.** This change destroys resources that hold data:\n")
		for _, c := range loss {
			fmt.Fprintf(&b, "> - **%s** `%s` `%s`: %s", c.Op, code(c.Type), code(c.Name), c.DataAtRisk)
			if len(c.ReplaceKeys) > 0 {
				fmt.Fprintf(&b, " (replaced because %s changes)", codeList(c.ReplaceKeys))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	if pol := p.Policy; pol != nil {
		var open, waived []string
		for _, f := range pol.Findings {
			line := fmt.Sprintf("- %s **%s** (%s) `%s`: %s", f.Severity, f.Rule, strings.Join(f.Refs, ", "), code(nameOf(f.URN)), f.Message)
			if f.Waived != "" {
				waived = append(waived, line+" (waived: "+f.Waived+")")
			} else {
				open = append(open, line+". Fix: "+f.Fix)
			}
		}
		fmt.Fprintf(&b, "Policy: %d rules, %d passed, %d findings, %d waived\n\n", pol.Rules, len(pol.Passed), len(open), len(waived))
		if len(open)+len(waived) > 0 {
			b.WriteString("<details><summary>Policy findings</summary>\n\n" + strings.Join(append(open, waived...), "\n") + "\n\n</details>\n\n")
		}
	}
	if v := p.ChartVersion; v != nil {
		fmt.Fprintf(&b, "Pachyderm chart version: %s → `%s`\n\n", orNone(v.Old), code(v.New))
	}
	if len(p.PendingOperations) > 0 {
		b.WriteString("**⚠️ Pending operations from an interrupted update** (run `pachdeploy refresh --clear-pending` after checking them):\n\n")
		for _, op := range p.PendingOperations {
			fmt.Fprintf(&b, "- %s `%s` `%s`\n", op.Op, code(op.Type), code(nameOf(op.URN)))
		}
		b.WriteString("\n")
	}
	if len(p.Changes) > 0 {
		b.WriteString("#### Changed resources\n\n")
	}
	return b.String()
}

// opNote is the body of a resource's section when the engine names no changed key.
var opNote = map[string]string{
	"create":  "A new resource.",
	"delete":  "Deleted from the stack and the cloud.",
	opRetain:  "Dropped from the stack, kept in the cloud.",
	"read":    "Read from the cloud.",
	"import":  "Imported into the stack.",
	"replace": "Replaced.",
}

// resourceSection is one changed resource as a folded section: its replace reasons,
// what data it holds, and its changed keys, with their values when values is set.
func resourceSection(c Change, values bool) string {
	var b strings.Builder
	mark := ""
	if c.DataAtRisk != "" && losesData(c.Op) {
		mark = "⚠️ "
	}
	fmt.Fprintf(&b, "<details><summary>%s%s <code>%s</code> <b>%s</b></summary>\n\n",
		mark, c.Op, html.EscapeString(c.Type), html.EscapeString(c.Name))
	if len(c.ReplaceKeys) > 0 {
		fmt.Fprintf(&b, "Replaced because %s changes.\n\n", codeList(c.ReplaceKeys))
	}
	if mark != "" {
		fmt.Fprintf(&b, "**Data at risk:** %s.\n\n", c.DataAtRisk)
	}
	diffs := map[string]KeyDiff{}
	for _, d := range c.Diffs {
		diffs[d.Key] = d
	}
	for _, k := range c.Keys {
		d, ok := diffs[k]
		if !values || !ok {
			fmt.Fprintf(&b, "- `%s`\n", code(k))
			continue
		}
		o, n := aroundDifference(d.Old, d.New)
		fmt.Fprintf(&b, "- `%s`: %s → %s\n", code(k), valueCode(o), valueCode(n))
	}
	if len(c.Keys) > 0 {
		b.WriteString("\n")
	} else if len(c.ReplaceKeys) == 0 && mark == "" {
		note, ok := opNote[c.Op]
		if !ok {
			note = "No changed keys reported."
		}
		b.WriteString(note + "\n\n")
	}
	b.WriteString("</details>\n\n")
	return b.String()
}

// fitComment is head followed by the resources' sections, within maxChars bytes. It
// drops detail in RenderMarkdown's stated order: values (full becomes names) from the
// last resource back, then whole sections from the last back, and says what it left out.
func fitComment(head string, full, names []string, stack string, maxChars int) string {
	n := len(full)
	// Prefix sums over the sections: bytes with values, bytes with names only, and how
	// many sections have values to lose.
	fullBytes, nameBytes, valued := make([]int, n+1), make([]int, n+1), make([]int, n+1)
	for i := range n {
		fullBytes[i+1] = fullBytes[i] + len(full[i])
		nameBytes[i+1] = nameBytes[i] + len(names[i])
		valued[i+1] = valued[i]
		if full[i] != names[i] {
			valued[i+1]++
		}
	}
	if len(head)+fullBytes[n] <= maxChars {
		return head + strings.Join(full, "")
	}
	// The first i sections keep their values; the rest show key names only.
	for i := n - 1; i >= 0; i-- {
		note := leftOut(valued[n]-valued[i], 0, n, stack, false)
		if len(head)+fullBytes[i]+nameBytes[n]-nameBytes[i]+len(note) <= maxChars {
			return head + strings.Join(full[:i], "") + strings.Join(names[i:], "") + note
		}
	}
	// Names only, and only the first j sections.
	for j := n - 1; j >= 0; j-- {
		note := leftOut(valued[j], n-j, n, stack, false)
		if len(head)+nameBytes[j]+len(note) <= maxChars {
			return head + strings.Join(names[:j], "") + note
		}
	}
	return cutSummary(head, leftOut(0, n, n, stack, true), maxChars)
}

// cutSummary is the last resort of a summary that alone exceeds maxChars (thousands of
// data-at-risk resources or findings): it keeps the summary's first lines, closes a
// folded section it cut open, and ends with note.
func cutSummary(head, note string, maxChars int) string {
	const closing = "</details>\n\n"
	room := maxChars - len(note) - len(closing)
	if room < 0 {
		room = 0
	}
	cut := head[:room]
	if i := strings.LastIndex(cut, "\n"); i >= 0 {
		cut = cut[:i+1]
	}
	if strings.Count(cut, "<details>") > strings.Count(cut, "</details>") {
		cut += "\n" + closing
	}
	return cut + note
}

// leftOut is the comment's last line when it lacks something: the sections whose values
// were dropped, the sections dropped, and where the whole preview is.
func leftOut(valuesOut, sectionsOut, total int, stack string, summaryCut bool) string {
	var parts []string
	if summaryCut {
		parts = append(parts, "the end of the summary")
	}
	if valuesOut > 0 {
		parts = append(parts, fmt.Sprintf("the values of the changed keys of %d listed %s", valuesOut, plural(valuesOut, "resource")))
	}
	if sectionsOut > 0 {
		parts = append(parts, fmt.Sprintf("the last %d of %d changed resources", sectionsOut, total))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("---\n_Left out to stay under GitHub's comment size limit: %s. The full JSON preview is in the workflow's artifact `preview-%s.json`._\n",
		strings.Join(parts, "; "), code(stack))
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// diffContext is how much of the common start of two long values is kept before
// their first difference.
const diffContext = 20

// aroundDifference drops the common start of two values, but diffContext characters,
// when one is too long to show whole: two long policy documents that differ near their
// end would otherwise both be cut to the same first 80 characters.
func aroundDifference(old, cur string) (string, string) {
	o, c := []rune(old), []rune(cur)
	if len(o) <= maxValueRunes && len(c) <= maxValueRunes {
		return old, cur
	}
	same := 0
	for same < len(o) && same < len(c) && o[same] == c[same] {
		same++
	}
	if same <= diffContext || old == "" || cur == "" {
		return old, cur
	}
	start := same - diffContext
	return "…" + string(o[start:]), "…" + string(c[start:])
}

// valueCode is a changed value for a list item: a code span, on one line, at most
// maxValueRunes long; (none) when the key is absent on that side.
func valueCode(v string) string {
	if v == "" {
		return "(none)"
	}
	v = strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(v)
	if utf8.RuneCountInString(v) > maxValueRunes {
		v = string([]rune(v)[:maxValueRunes-1]) + "…"
	}
	return "`" + code(v) + "`"
}

// codeList is keys as code spans: `a`, `b`.
func codeList(keys []string) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = "`" + code(k) + "`"
	}
	return strings.Join(out, ", ")
}
