package rules

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// Tag and label limits per resource.
const (
	// MaxAWSTags is the most user tags an AWS resource takes.
	MaxAWSTags = 50
	// MaxAzureTags is the most tags an Azure resource takes.
	MaxAzureTags = 50
	// MaxGCPLabels is the most labels a Google Cloud resource takes.
	MaxGCPLabels = 64
)

var awsTagChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// AWSTag checks one AWS tag: a key of 1-128 and a value of at most 256 characters,
// both of letters, digits, spaces and _ . : / = + - @; the key must not start with the
// prefix "aws:" (in any case), which AWS reserves.
func AWSTag(key, value string) error {
	switch {
	case strings.HasPrefix(strings.ToLower(key), "aws:"):
		return fmt.Errorf(`AWS tag keys must not start with "aws:", which AWS reserves`)
	case key == "" || utf8.RuneCountInString(key) > 128 || utf8.RuneCountInString(value) > 256:
		return fmt.Errorf("AWS tag keys are 1-128 characters and values at most 256")
	case !awsTagChars.MatchString(key) || !awsTagChars.MatchString(value):
		return fmt.Errorf("AWS tags use only letters, digits, spaces and _ . : / = + - @")
	}
	return nil
}

// AzureTag checks one Azure tag: a name of 1-128 characters (storage accounts allow no
// more, and every resource gets the tags) without < > % & \ ? or /,
// and a value of at most 256 characters.
func AzureTag(name, value string) error {
	if name == "" || utf8.RuneCountInString(name) > 128 || strings.ContainsAny(name, `<>%&\?/`) ||
		utf8.RuneCountInString(value) > 256 {
		return fmt.Errorf(`Azure tag names are 1-128 characters without < > %% & \ ? / and values at most 256`)
	}
	return nil
}

// AWSTags checks a set of AWS tags, reporting under field one problem for each bad tag
// (AWSTag; the value names the tag) and one when there are more than MaxAWSTags.
func AWSTags(field string, tags map[string]string) Problems {
	return tagProblems(field, tags, MaxAWSTags, "AWS tags", AWSTag)
}

// AzureTags checks a set of Azure tags, reporting under field one problem for each bad
// tag (AzureTag; the value names the tag) and one when there are more than
// MaxAzureTags.
func AzureTags(field string, tags map[string]string) Problems {
	return tagProblems(field, tags, MaxAzureTags, "Azure tags", AzureTag)
}

// GCPLabels checks a set of Google Cloud labels, reporting under field one problem for
// each bad label (GCPLabel; the value names the label) and one when there are more
// than MaxGCPLabels.
func GCPLabels(field string, labels map[string]string) Problems {
	return tagProblems(field, labels, MaxGCPLabels, "GCP labels", GCPLabel)
}

// tagProblems checks the count of tags against most and each tag, in key order, with
// check; what names the tags in the count's message.
func tagProblems(field string, tags map[string]string, most int, what string, check func(k, v string) error) Problems {
	var p Problems
	if len(tags) > most {
		p.Addf(field, fmt.Sprintf("%d tags", len(tags)), "at most %d %s per resource", most, what)
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.Add(field, k+"="+tags[k], check(k, tags[k]))
	}
	return p
}
