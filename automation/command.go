package automation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// command runs the Pulumi CLI for the Automation API. Unlike the SDK's runner it starts
// the CLI in its own process group, so a terminal's Ctrl-C reaches only this process
// (which then interrupts the CLI once, for a graceful stop), waits grace before killing,
// and kills the whole group when hardStop closes.
type command struct {
	path     string
	version  semver.Version
	grace    time.Duration
	hardStop <-chan struct{}
	// ran lists the CLI processes started (their command words), for tests that hold
	// the count down.
	ran struct {
		sync.Mutex
		commands []string
	}
}

// started records a CLI process by its command words ("stack export").
func (c *command) started(args []string) {
	var words []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") || len(words) == 2 {
			break
		}
		words = append(words, a)
	}
	c.ran.Lock()
	c.ran.commands = append(c.ran.commands, strings.Join(words, " "))
	c.ran.Unlock()
}

// commands returns the command words of every CLI process started so far.
func (c *command) commands() []string {
	c.ran.Lock()
	defer c.ran.Unlock()
	return slices.Clone(c.ran.commands)
}

var _ auto.PulumiCommand = (*command)(nil)

// PulumiInfo describes the Pulumi CLI found.
type PulumiInfo struct {
	// Path is the binary.
	Path string
	// Version is what `pulumi version` printed.
	Version string
	// SDKVersion is the Automation API's version, the minimum the CLI must have.
	SDKVersion string
}

// FindPulumi locates the Pulumi CLI as WithPulumiCommand does (path, else ./bin/pulumi,
// else PATH) and checks that its version is at least the SDK's.
func FindPulumi(path string) (PulumiInfo, error) {
	info := PulumiInfo{SDKVersion: sdk.Version.String()}
	root, err := pulumiRoot(path)
	if err != nil {
		return info, err
	}
	info.Path = "pulumi"
	if root != "" {
		info.Path = filepath.Join(root, "bin", "pulumi")
	} else if p, err := exec.LookPath("pulumi"); err == nil {
		info.Path = p
	}
	key, cacheable := binaryKey(info.Path)
	if cacheable {
		if v, ok := pulumiVersions.Load(key); ok {
			info.Version = v.(string)
			return info, nil
		}
		if v, ok := versionOnDisk(key); ok {
			pulumiVersions.Store(key, v)
			info.Version = v
			return info, nil
		}
	}
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: root, Version: sdk.Version})
	if err != nil {
		return info, fmt.Errorf("pulumi CLI %s: %w (run `make tools` to build bin/pulumi %s)", info.Path, err, sdk.Version)
	}
	info.Version = cmd.Version().String()
	if cacheable {
		pulumiVersions.Store(key, info.Version)
		keepVersionOnDisk(key, info.Version)
	}
	return info, nil
}

// pulumiVersions caches the version each Pulumi CLI binary reported, by binaryKey: a
// process that opens many stacks (a Go program driving a fleet) runs `pulumi version`
// once per binary instead of once per stack. A rebuilt or replaced binary has another
// key and is asked again. The answers are also kept on disk (versionOnDisk), so the
// next process (the next `pachdeploy preview`) need not ask either.
var pulumiVersions sync.Map

// versionFile is where the version of the binary with this key is kept: under the
// user's cache directory, named by the key's hash; "" when there is no cache directory.
func versionFile(key string) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(dir, "pachdeploy", "pulumi-version", hex.EncodeToString(sum[:16]))
}

// versionOnDisk is the version a binary with this key reported before; only a version
// that parses counts (a torn or foreign file is asked again).
func versionOnDisk(key string) (string, bool) {
	file := versionFile(key)
	if file == "" {
		return "", false
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", false
	}
	v := strings.TrimSpace(string(b))
	if _, err := semver.Parse(v); err != nil {
		return "", false
	}
	return v, true
}

// keepVersionOnDisk records a binary's version for later processes; a cache that
// cannot be written is no error.
func keepVersionOnDisk(key, version string) {
	file := versionFile(key)
	if file == "" || os.MkdirAll(filepath.Dir(file), 0o700) != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), "version-*")
	if err != nil {
		return
	}
	_, werr := tmp.WriteString(version)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), file) != nil {
		_ = os.Remove(tmp.Name())
	}
}

// binaryKey identifies a binary by its path, size and modification time; false when it
// cannot be read.
func binaryKey(path string) (string, bool) {
	st, err := os.Stat(path)
	if err != nil || !filepath.IsAbs(path) {
		return "", false
	}
	return fmt.Sprintf("%s %d %d", path, st.Size(), st.ModTime().UnixNano()), true
}

// pulumiRoot maps WithPulumiCommand's path to the SDK's install root ("" = PATH).
func pulumiRoot(path string) (string, error) {
	if path == "" {
		if st, err := os.Stat(filepath.Join("bin", "pulumi")); err == nil && !st.IsDir() {
			return filepath.Abs(".")
		}
		return "", nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if st, err := os.Stat(filepath.Join(abs, "bin", "pulumi")); err == nil && !st.IsDir() {
		return abs, nil
	}
	if filepath.Base(filepath.Dir(abs)) == "bin" && filepath.Base(abs) == "pulumi" {
		if _, err := os.Stat(abs); err == nil {
			return filepath.Dir(filepath.Dir(abs)), nil
		}
	}
	return "", fmt.Errorf("pulumi CLI %q not found: give the binary (.../bin/pulumi) or the directory holding bin/pulumi", path)
}

// newCommand finds and version-checks the CLI.
func newCommand(o *options) (*command, error) {
	info, err := FindPulumi(o.pulumiCommand)
	if err != nil {
		return nil, err
	}
	v, err := semver.ParseTolerant(info.Version)
	if err != nil {
		return nil, err
	}
	return &command{path: info.Path, version: v, grace: o.grace, hardStop: o.hardStop}, nil
}

// Version is the CLI's version.
func (c *command) Version() semver.Version { return c.version }

// Run runs the CLI non-interactively in workdir, as the SDK's runner does.
func (c *command) Run(ctx context.Context, workdir string, stdin io.Reader,
	additionalOutput, additionalErrorOutput []io.Writer, additionalEnv []string, args ...string,
) (string, string, int, error) {
	c.started(args)
	if !slices.Contains(args, "--non-interactive") {
		args = append([]string{"--non-interactive"}, args...)
	}
	cmd := exec.CommandContext(ctx, c.path, args...)
	cmd.Dir = workdir
	env := append(os.Environ(), additionalEnv...)
	env = append(env, "PULUMI_AUTOMATION_API=true")
	if filepath.IsAbs(c.path) {
		env = prependPath(env, filepath.Dir(c.path))
	}
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout = io.MultiWriter(append(additionalOutput, &stdout)...)
	cmd.Stderr = io.MultiWriter(append(additionalErrorOutput, &stderr)...)
	cmd.Stdin = stdin
	ownProcessGroup(cmd)
	cmd.Cancel = func() error { return interrupt(cmd.Process) }
	cmd.WaitDelay = c.grace
	if err := cmd.Start(); err != nil {
		return "", "", -1, err
	}
	done := make(chan struct{})
	defer close(done)
	if c.hardStop != nil {
		go func() {
			select {
			case <-c.hardStop:
				killGroup(cmd.Process)
			case <-done:
			}
		}()
	}
	err := cmd.Wait()
	code := -2
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		code = 0
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	}
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	return stdout.String(), stderr.String(), code, err
}

// prependPath puts dir first on PATH, so the plugins next to the CLI are found.
func prependPath(env []string, dir string) []string {
	out := slices.Clone(env)
	for i, e := range out {
		if len(e) >= 5 && strings.EqualFold(e[:5], "PATH=") {
			out[i] = "PATH=" + dir + string(os.PathListSeparator) + e[5:]
			return out
		}
	}
	return append(out, "PATH="+dir)
}
