package automation

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEngine_UpAppliesOnlyTheReviewedChanges: two previews of the same code against
// the same state have one fingerprint; an up expecting another is refused before any
// change (ErrNotReviewed); an up expecting the reviewed one applies it; afterwards the
// same fingerprint no longer matches (the state moved on), so a second deploy of that
// review is refused too.
func TestEngine_UpAppliesOnlyTheReviewedChanges(t *testing.T) {
	stateDir, opts := engine(t, "")
	ctx := context.Background()
	program := testProgram(runTiny)
	s, err := New(ctx, "dev", program, opts...)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reviewed := first.Fingerprint()
	if !strings.HasPrefix(reviewed, "sha256:") || second.Fingerprint() != reviewed {
		t.Fatalf("two previews of the same code and state: %s and %s", reviewed, second.Fingerprint())
	}

	upWith := func(fingerprint string) (*UpResult, error) {
		s, err := New(ctx, "dev", program, append(opts, WithExpectedFingerprint(fingerprint))...)
		if err != nil {
			t.Fatal(err)
		}
		return s.Up(ctx)
	}
	statePath := filepath.Join(stateDir, "backend", ".pulumi", "stacks", Project, "dev.json")
	other := "sha256:" + strings.Repeat("0", 64)
	if _, err := upWith(other); !errors.Is(err, ErrNotReviewed) || !strings.Contains(err.Error(), reviewed) {
		t.Fatalf("up expecting another fingerprint: %v, want ErrNotReviewed naming what it found", err)
	}
	if state, _ := os.ReadFile(statePath); strings.Contains(string(state), bucketType) {
		t.Fatal("the refused up created the bucket")
	}
	up, err := upWith(reviewed)
	if err != nil {
		t.Fatalf("up expecting the reviewed fingerprint: %v", err)
	}
	if up.Totals["create"] == 0 {
		t.Errorf("the reviewed up created nothing: %v", up.Totals)
	}
	if _, err := upWith(reviewed); !errors.Is(err, ErrNotReviewed) {
		t.Errorf("the same review deployed twice: %v, want ErrNotReviewed (the stack changed since)", err)
	}
}
