package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Environment knobs a test sets on the engine process (plugins inherit its environment).
const (
	envState   = "PACHDEPLOY_TESTPROVIDER_STATE"   // directory of JSON state files; unset = in memory
	envLog     = "PACHDEPLOY_TESTPROVIDER_LOG"     // file that gets one JSON line per operation
	envLatency = "PACHDEPLOY_TESTPROVIDER_LATENCY" // "type=duration,type=duration"
	envFail    = "PACHDEPLOY_TESTPROVIDER_FAIL"    // "type=op:message;type=op:message"
)

// parseLatency parses "aws:eks/cluster:Cluster=600ms,kubernetes:helm.sh/v3:Release=300ms".
// Entries are separated by "," or ";"; the type is everything before the last "=".
func parseLatency(s string) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	for _, entry := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		i := strings.LastIndex(entry, "=")
		if i <= 0 {
			return nil, fmt.Errorf("%s: entry %q is not type=duration", envLatency, entry)
		}
		d, err := time.ParseDuration(strings.TrimSpace(entry[i+1:]))
		if err != nil || d < 0 {
			return nil, fmt.Errorf("%s: entry %q: bad duration", envLatency, entry)
		}
		out[strings.TrimSpace(entry[:i])] = d
	}
	return out, nil
}

// Failure operations that PACHDEPLOY_TESTPROVIDER_FAIL can select.
const (
	failCreate        = "create"         // Create returns a plain error: nothing is created or recorded.
	failCreatePartial = "create-partial" // the resource is created and stored, then Create reports an
	// initialization failure carrying its id and outputs: the engine records it and fails the update.
	failUpdate = "update" // Update returns a plain error; the stored resource is unchanged.
	failDelete = "delete" // Delete returns a plain error; the resource stays.
	// failDeleteOnce fails only the first Delete of the type (a marker in the state
	// directory remembers it across engine runs), as a transient cloud error would.
	failDeleteOnce = "delete-once"
)

type failKey struct{ typ, op string }

// parseFail parses "kubernetes:helm.sh/v3:Release=create:release failed: timed out waiting for pods".
// Entries are separated by ";" or newlines (the message may contain commas); in each, the type
// ends at the first "=", the operation at the next ":", and the rest is the error message.
func parseFail(s string) (map[failKey]string, error) {
	out := map[failKey]string{}
	for _, entry := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' }) {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		typ, rest, ok := strings.Cut(entry, "=")
		op, msg, ok2 := strings.Cut(rest, ":")
		typ, op, msg = strings.TrimSpace(typ), strings.TrimSpace(op), strings.TrimSpace(msg)
		if !ok || !ok2 || typ == "" {
			return nil, fmt.Errorf("%s: entry %q is not type=op:message", envFail, entry)
		}
		switch op {
		case failCreate, failCreatePartial, failUpdate, failDelete, failDeleteOnce:
		default:
			return nil, fmt.Errorf("%s: entry %q: op must be create, create-partial, update, delete or delete-once", envFail, entry)
		}
		if msg == "" {
			msg = "injected " + op + " failure"
		}
		out[failKey{typ, op}] = msg
	}
	return out, nil
}

// behavior is what the environment asked for, plus the Cancel signal.
type behavior struct {
	latency map[string]time.Duration
	fail    map[failKey]string
	logPath string
	// stateDir keeps the fail-once markers (PACHDEPLOY_TESTPROVIDER_STATE); without it
	// they last as long as the process.
	stateDir string
	once     sync.Map

	cancelOnce sync.Once
	canceled   chan struct{}
}

func behaviorFromEnv() (*behavior, error) {
	lat, err := parseLatency(os.Getenv(envLatency))
	if err != nil {
		return nil, err
	}
	fail, err := parseFail(os.Getenv(envFail))
	if err != nil {
		return nil, err
	}
	return &behavior{latency: lat, fail: fail, logPath: os.Getenv(envLog), stateDir: os.Getenv(envState),
		canceled: make(chan struct{})}, nil
}

func (b *behavior) cancel() { b.cancelOnce.Do(func() { close(b.canceled) }) }

// delay sleeps for the configured latency of typ, returning early with an error when the
// request is cancelled or the engine sent Cancel. Only the operations a cloud takes time for
// call it: Create and Update outside preview, Delete and Read (refresh, import, get). Check,
// Diff, previews, Invoke and Construct (whose children are created through the engine, each
// with its own latency) answer at once.
func (b *behavior) delay(ctx context.Context, typ string) error {
	d := b.latency[typ]
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-b.canceled:
		return fmt.Errorf("%s: operation canceled", typ)
	}
}

// firstTime reports whether this is the first time typ/op is asked for, recording it.
func (b *behavior) firstTime(typ, op string) bool {
	if b.stateDir == "" {
		_, seen := b.once.LoadOrStore(failKey{typ, op}, true)
		return !seen
	}
	marker := filepath.Join(b.stateDir, "failed-once__"+url.PathEscape(typ+"="+op))
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// failure returns the injected error message for typ/op, if any.
func (b *behavior) failure(typ, op string) (string, bool) {
	msg, ok := b.fail[failKey{typ, op}]
	return msg, ok
}

// logLine is one line of PACHDEPLOY_TESTPROVIDER_LOG, written when the operation ends (whether
// it succeeded or not). Preview is what the request says: create, update, invoke and construct
// carry the flag; check, diff, read and delete requests do not (the protocol does not tell), so
// for them it is always false.
type logLine struct {
	Pkg     string `json:"pkg"`
	Op      string `json:"op"`
	Type    string `json:"type"`
	URN     string `json:"urn"`
	Preview bool   `json:"preview"`
	ID      string `json:"id,omitempty"`
	Unknown bool   `json:"unknown,omitempty"` // a type or invoke token with no entry in our tables
	Error   string `json:"error,omitempty"`   // why the operation failed: an injected failure, a cancellation, ...
	Start   string `json:"start"`             // when the request arrived (logTime)
	End     string `json:"end"`               // when the answer was ready (logTime)
}

// logTime is RFC 3339 in UTC with nine fractional digits always (still parsed by
// time.RFC3339Nano), so the stamps of one run sort as strings.
const logTime = "2006-01-02T15:04:05.000000000Z07:00"

// log appends one line for an operation that started at start and ends now. A single
// write(2) on an O_APPEND descriptor keeps lines whole when several provider processes share
// the file.
func (b *behavior) log(start time.Time, l logLine) {
	if b.logPath == "" {
		return
	}
	l.Start, l.End = start.UTC().Format(logTime), time.Now().UTC().Format(logTime)
	data, err := json.Marshal(l)
	if err != nil {
		return
	}
	f, err := os.OpenFile(b.logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintf(os.Stderr, "testprovider: log: %v\n", err)
		return
	}
	defer f.Close()
	if _, err := f.Write(append(data, '\n')); err != nil {
		fmt.Fprintf(os.Stderr, "testprovider: log: %v\n", err)
	}
}
