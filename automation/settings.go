package automation

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/opthistory"
)

// A stack's settings are its pachdeploy:* config. They live in two places:
//   - the workspace's stack file (Pulumi.<stack>.yaml in the stack's work directory),
//     which the engine reads; it is local to this machine;
//   - the backend's update history, which records the config of every update; every
//     machine with the backend and the passphrase can read it.
//
// Settings given with WithConfig are pending: written to the stack file only for the
// operation that uses them, and kept only once the engine has accepted an up with them.
// A preview, or an up refused before the engine started (a held lock), leaves the stack
// file exactly as it was. Without WithConfig, the stack file is first brought up to date
// with the settings of the last up the engine ran (succeeded or failed) recorded in the
// backend, so a new machine, a CI runner or a second spelling of the backend URL sees
// the same settings as the machine that deployed.

// retentionMessage marks the targeted up Destroy runs to record the bucket's retention;
// its settings are Destroy's, never the stack's.
const retentionMessage = "pachdeploy destroy: record the data bucket's retention"

// historyDepth is how many recent updates are searched for the last succeeded up.
const historyDepth = 50

// settingsFile is the workspace's stack file, as LocalWorkspace names it.
func (s *Stack) settingsFile() string {
	name := s.name[strings.LastIndex(s.name, "/")+1:]
	return filepath.Join(s.stack.Workspace().WorkDir(), "Pulumi."+name+".yaml")
}

// syncedFile records the update version whose settings the stack file holds.
func (s *Stack) syncedFile() string {
	return filepath.Join(s.stack.Workspace().WorkDir(), "settings-version")
}

// snapshot is the stack file's bytes (nil when there is none), to put back exactly.
type snapshot struct {
	data   []byte
	exists bool
}

func (s *Stack) snapshotSettings() (snapshot, error) {
	b, err := os.ReadFile(s.settingsFile())
	if errors.Is(err, fs.ErrNotExist) {
		return snapshot{}, nil
	}
	return snapshot{data: b, exists: err == nil}, err
}

func (s *Stack) restoreSettings(snap snapshot) error {
	if !snap.exists {
		err := os.Remove(s.settingsFile())
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	return os.WriteFile(s.settingsFile(), snap.data, 0o600)
}

// withSettings runs op with the pending settings (if any) in the stack file. op says
// whether the engine accepted the operation. When keep is set and the engine accepted
// op (even if it failed later: resources may already reflect the settings), the
// settings stay and stop being pending; otherwise the stack file is put back as it was.
func (s *Stack) withSettings(ctx context.Context, keep bool, op func() (accepted bool, err error)) error {
	if s.pending == nil {
		_, err := op()
		return err
	}
	before, err := s.snapshotSettings()
	if err != nil {
		return err
	}
	if s.applied.exists {
		err = s.restoreSettings(s.applied)
	} else if err = s.writeConfig(ctx, s.pending); err == nil {
		s.applied, err = s.snapshotSettings()
	}
	if err != nil {
		_ = s.restoreSettings(before)
		return err
	}
	accepted, opErr := op()
	if errors.Is(opErr, ErrWrongPassphrase) {
		return opErr // s.classify dropped the stack file: nothing to put back
	}
	if !keep || !accepted {
		if err := s.restoreSettings(before); err != nil && opErr == nil {
			opErr = err
		}
		return opErr
	}
	// Another process may have written the file meanwhile: the kept settings are ours.
	s.pending = nil
	if err := s.restoreSettings(s.applied); err != nil && opErr == nil {
		opErr = err
	}
	return opErr
}

// updateKey identifies an update in the history. File backends number no updates
// (version 0), so the key is the update's start and end time.
func updateKey(u auto.UpdateSummary) string {
	end := ""
	if u.EndTime != nil {
		end = *u.EndTime
	}
	return strconv.Itoa(u.Version) + " " + u.StartTime + " " + end
}

// markSynced records that the stack file holds the settings of update u.
func (s *Stack) markSynced(u auto.UpdateSummary) {
	if u.StartTime != "" {
		_ = os.WriteFile(s.syncedFile(), []byte(updateKey(u)), 0o600)
	}
}

// markUp records that the stack file holds the settings of this Stack's up, which the
// history shows with its agent tag.
func (s *Stack) markUp() {
	_ = os.WriteFile(s.syncedFile(), []byte(agentMark+s.agent), 0o600)
}

// agentMark prefixes a sync mark naming an up by its agent tag.
const agentMark = "agent "

// execAgentKey is the update environment's key holding `pulumi up --exec-agent`.
const execAgentKey = "exec.agent"

// synced reports whether the stack file holds the settings of update u.
func (s *Stack) synced(u auto.UpdateSummary) bool {
	b, err := os.ReadFile(s.syncedFile())
	if err != nil {
		return false
	}
	mark := string(b)
	if tag, ok := strings.CutPrefix(mark, agentMark); ok {
		return tag != "" && u.Environment[execAgentKey] == tag
	}
	return mark == updateKey(u)
}

// syncSettings brings the stack file's settings up to date with the last up the engine
// ran, as the backend's history records it (not Destroy's retention run). Nothing is
// written when the stack file already holds them, or when no up has run yet (then the
// stack file's settings, if any, stand).
func (s *Stack) syncSettings(ctx context.Context) error {
	// Read without secrets first: decrypting makes the CLI derive the passphrase's key
	// (PBKDF2, a million rounds: about 0.25 s of CPU here), which only a write needs.
	u, found, err := s.lastUp(ctx, false)
	if err != nil || !found || s.synced(u) {
		return err
	}
	key := updateKey(u)
	if u, found, err = s.lastUp(ctx, true); err != nil || !found {
		return err
	}
	if updateKey(u) != key {
		return fmt.Errorf("the history of stack %q changed while being read: try again", s.name)
	}
	settings := settingsOf(u.Config)
	s.redact = append(s.redact, secretValues(settings)...)
	if err := s.writeConfig(ctx, settings); err != nil {
		return err
	}
	s.markSynced(u)
	return nil
}

// lastUp is the last up the engine ran (succeeded or failed; not Destroy's retention
// run) in the backend's recent history, its secret settings decrypted if asked.
func (s *Stack) lastUp(ctx context.Context, secrets bool) (u auto.UpdateSummary, found bool, err error) {
	history, err := s.stack.History(ctx, historyDepth, 1, opthistory.ShowSecrets(secrets))
	if err != nil {
		return u, false, s.classify("history", err, nil)
	}
	for _, u := range history {
		// The Automation API quotes the message it passes on.
		if u.Kind == "update" && (u.Result == "succeeded" || u.Result == "failed") && !strings.Contains(u.Message, retentionMessage) {
			return u, true, nil
		}
	}
	return u, false, nil
}

// settingsOf picks the pachdeploy settings out of an update's config.
func settingsOf(cfg auto.ConfigMap) map[string]config.Setting {
	out := map[string]config.Setting{}
	for k, v := range cfg {
		if bare, ok := strings.CutPrefix(k, config.Namespace+":"); ok {
			out[bare] = config.Setting{Value: v.Value, Secret: v.Secret}
		}
	}
	return out
}

// classify is the package's classify for this stack. A wrong passphrase also drops the
// workspace's stack file and sync mark: run with that passphrase, the CLI may have made
// the file a salt of its own, which would refuse the right passphrase afterwards. The
// file is a cache here (settings come back from the backend's history).
func (s *Stack) classify(op string, err error, diagnostics []string) error {
	err = classify(op, s.name, err, diagnostics, s.redact)
	if errors.Is(err, ErrWrongPassphrase) && s.stack.Workspace() != nil {
		_ = os.Remove(s.settingsFile())
		_ = os.Remove(s.syncedFile())
		s.applied = snapshot{}
	}
	return err
}
