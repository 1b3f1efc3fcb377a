package automation

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// Option configures New and Open. Options are applied in order; the last one wins.
type Option interface {
	apply(*options)
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// options is what the Option values set; resolve fills the defaults.
type options struct {
	backend         string
	secretsProvider string
	pulumiCommand   string
	stateDir        string
	progress        io.Writer
	env             map[string]string
	cfg             *config.Config
	grace           time.Duration
	hardStop        <-chan struct{}
	failOn          policy.Severity
	policyPacks     []string
	reviewed        string
}

// WithBackend stores state at url: file://DIR, s3://, gs://, azblob:// or a Pulumi Cloud
// URL (https://api.pulumi.com). Default: $PULUMI_BACKEND_URL, else a file:// backend under
// the state directory (see WithStateDir).
func WithBackend(url string) Option { return optionFunc(func(o *options) { o.backend = url }) }

// WithSecretsProvider encrypts the stack's secrets with url: passphrase, awskms://,
// gcpkms://, azurekeyvault:// or hashivault://. Default: passphrase (from
// PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE) on self-managed backends and
// Pulumi Cloud's own key on Pulumi Cloud. It applies when the stack is created.
func WithSecretsProvider(url string) Option {
	return optionFunc(func(o *options) { o.secretsProvider = url })
}

// WithPulumiCommand runs the Pulumi CLI at path: the binary (…/bin/pulumi) or its install
// root (the directory holding bin/pulumi). Default: ./bin/pulumi (what `make tools` builds)
// if present, else pulumi on PATH. Either way its version must be at least the SDK's.
func WithPulumiCommand(path string) Option {
	return optionFunc(func(o *options) { o.pulumiCommand = path })
}

// WithStateDir is where the default file:// backend and the per-stack workspaces live.
// Default: $XDG_STATE_HOME/pachdeploy, else ~/.local/state/pachdeploy.
func WithStateDir(dir string) Option { return optionFunc(func(o *options) { o.stateDir = dir }) }

// WithProgress writes one line per resource start and finish, with elapsed time, to w.
// Default: no progress. The engine's own transcript is never written.
func WithProgress(w io.Writer) Option { return optionFunc(func(o *options) { o.progress = w }) }

// WithEnv adds environment variables for the Pulumi CLI and its plugins (PULUMI_HOME,
// credentials, ...), over the process environment.
func WithEnv(env map[string]string) Option {
	return optionFunc(func(o *options) {
		if o.env == nil {
			o.env = map[string]string{}
		}
		maps.Copy(o.env, env)
	})
}

// WithConfig makes cfg's settings the stack's pachdeploy:* config (secrets stored as
// secrets), removing pachdeploy keys cfg does not set. cfg is validated first; New then
// returns the *rules.Error listing every problem. Default: keep the stack's config.
func WithConfig(cfg *config.Config) Option { return optionFunc(func(o *options) { o.cfg = cfg }) }

// WithGracePeriod is how long a cancelled operation may take to stop after the Pulumi CLI
// is interrupted (SIGINT) before it is killed. Default 2 minutes: cloud calls in flight
// finish and are recorded, so the stack is left without pending operations.
func WithGracePeriod(d time.Duration) Option { return optionFunc(func(o *options) { o.grace = d }) }

// WithPolicyFailOn makes Up preview first and refuse, with ErrPolicy and before any
// change, when the Program's policy check has an unwaived finding at or above s.
// Default: no check before Up (Preview still reports the findings).
func WithPolicyFailOn(s policy.Severity) Option {
	return optionFunc(func(o *options) { o.failOn = s })
}

// WithExpectedFingerprint makes Up apply only the changes someone reviewed: Up first
// previews, and refuses (ErrNotReviewed, nothing changed) unless that preview's
// Report.Fingerprint is fingerprint, the one the reviewed preview showed. The stack or
// the code having changed since the review is thus caught before the update. Default:
// no check.
func WithExpectedFingerprint(fingerprint string) Option {
	return optionFunc(func(o *options) { o.reviewed = fingerprint })
}

// WithPolicyPacks runs the Pulumi policy packs in dirs (CrossGuard, as `pulumi preview
// --policy-pack`) with every preview and up, beside pachdeploy's own check. Each must be
// a directory; the pack's language runtime must be installed. Default: none.
func WithPolicyPacks(dirs ...string) Option {
	return optionFunc(func(o *options) { o.policyPacks = append(o.policyPacks, dirs...) })
}

// WithHardStop kills the running Pulumi CLI and its plugins at once when stop is closed
// (a second Ctrl-C). The stack may then keep a lock (see Stack.Cancel) and pending
// operations (see Stack.Refresh with ClearPending).
func WithHardStop(stop <-chan struct{}) Option {
	return optionFunc(func(o *options) { o.hardStop = stop })
}

// Project is the Pulumi project name, as in Pulumi.yaml.
const Project = "pachdeploy"

// Passphrase environment variables of the passphrase secrets provider.
const (
	EnvPassphrase     = "PULUMI_CONFIG_PASSPHRASE"
	EnvPassphraseFile = "PULUMI_CONFIG_PASSPHRASE_FILE"
	envBackendURL     = "PULUMI_BACKEND_URL"
)

// ErrNoPassphrase: the passphrase secrets provider is in use but no passphrase is set.
var ErrNoPassphrase = errors.New("the stack's secrets are encrypted with a passphrase, but none is set")

// secretsSchemes are the secrets providers accepted besides passphrase and Pulumi Cloud's.
var secretsSchemes = []string{"awskms", "gcpkms", "azurekeyvault", "hashivault"}

// resolve applies opts over the defaults and checks them with the stack name, reporting
// every problem at once as a *rules.Error before anything is created.
func resolve(stack string, opts []Option) (*options, error) {
	o := &options{grace: 2 * time.Minute}
	for _, opt := range opts {
		opt.apply(o)
	}
	if o.stateDir == "" {
		dir, err := DefaultStateDir()
		if err != nil {
			return nil, err
		}
		o.stateDir = dir
	}
	var p rules.Problems
	p.Add("stack", stack, rules.StackName(stack))
	field := "backend"
	if o.backend == "" {
		o.backend, field = o.lookupEnv(envBackendURL), envBackendURL
	}
	if o.backend == "" {
		o.backend = "file://" + filepath.ToSlash(filepath.Join(o.stateDir, "backend"))
	}
	backend, err := NormalizeBackend(o.backend)
	p.Add(field, o.backend, err)
	o.backend = backend
	p.Add("secretsProvider", o.secretsProvider, checkSecretsScheme(o.secretsProvider))
	for i, dir := range o.policyPacks {
		abs, err := filepath.Abs(dir)
		if strings.TrimSpace(dir) == "" {
			err = fmt.Errorf("is empty: give the policy pack's directory")
		} else if err == nil {
			if fi, serr := os.Stat(abs); serr != nil || !fi.IsDir() {
				err = fmt.Errorf("must be a policy pack directory (with PulumiPolicy.yaml)")
			}
		}
		p.Add(fmt.Sprintf("policyPacks[%d]", i), dir, err)
		o.policyPacks[i] = abs
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if err := o.checkPassphrase(); err != nil {
		return nil, err
	}
	return o, nil
}

// checkpoint is where a file backend (in its project layout) keeps the stack's state,
// without the extension; "" for other backends, a stack name with an organization or
// project, or when PULUMI_BACKEND_URL names another backend than the one in use (the CLI
// would then read that one).
func (o *options) checkpoint(stack string) string {
	dir, ok := strings.CutPrefix(o.backend, "file://")
	if !ok || strings.Contains(stack, "/") || strings.Contains(dir, "?") {
		return ""
	}
	if env := o.lookupEnv(envBackendURL); env != "" {
		if n, err := NormalizeBackend(env); err != nil || n != o.backend {
			return ""
		}
	}
	return filepath.Join(filepath.FromSlash(dir), ".pulumi", "stacks", Project, stack)
}

// backendSchemes are the state backends pachdeploy accepts, with an example each.
var backendSchemes = []string{"file:///ABSOLUTE/DIR", "file://~/DIR", "s3://BUCKET", "gs://BUCKET", "azblob://CONTAINER", "https://api.pulumi.com"}

// NormalizeBackend checks a state backend URL and returns it in one canonical spelling,
// so that file://dir/ and file://dir name the same stacks (and the same workspaces):
// file:// paths must be absolute (or start with ~, the home directory, which is
// expanded) and are cleaned; other URLs lose a trailing '/'. Query parameters are kept.
func NormalizeBackend(raw string) (string, error) {
	u, query, _ := strings.Cut(raw, "?")
	if query != "" {
		query = "?" + query
	}
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok || strings.ContainsAny(raw, " \t\n") {
		return raw, fmt.Errorf("must be a backend URL: %s", strings.Join(backendSchemes, ", "))
	}
	switch scheme {
	case "file":
		if rest == "" {
			return raw, fmt.Errorf("file:// needs a directory, like file://~/.pachdeploy-state or file:///var/lib/pachdeploy")
		}
		if rest == "~" || strings.HasPrefix(rest, "~/") {
			home, err := os.UserHomeDir()
			if err != nil {
				return raw, fmt.Errorf("~ needs a home directory: %v", err)
			}
			rest = filepath.Join(home, strings.TrimPrefix(rest, "~"))
		}
		if !filepath.IsAbs(rest) {
			abs, _ := filepath.Abs(rest)
			return raw, fmt.Errorf("file:// needs an absolute directory (a relative one depends on where pachdeploy runs); did you mean file://%s?", filepath.ToSlash(abs))
		}
		return "file://" + filepath.ToSlash(filepath.Clean(rest)) + query, nil
	case "s3", "gs", "azblob", "https", "http":
		parsed, err := url.Parse(u)
		if err != nil || parsed.Host == "" {
			return raw, fmt.Errorf("%s:// needs a bucket or host name, like %s", scheme, backendExample(scheme))
		}
		return strings.TrimRight(u, "/") + query, nil
	}
	return raw, fmt.Errorf("backend scheme %q is not supported: use %s", scheme+"://", strings.Join(backendSchemes, ", "))
}

func backendExample(scheme string) string {
	for _, e := range backendSchemes {
		if strings.HasPrefix(e, scheme+"://") {
			return e
		}
	}
	return "https://api.pulumi.com"
}

// DefaultStateDir is $XDG_STATE_HOME/pachdeploy, else ~/.local/state/pachdeploy.
func DefaultStateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "pachdeploy"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no state directory: set XDG_STATE_HOME or HOME: %w", err)
	}
	return filepath.Join(home, ".local", "state", "pachdeploy"), nil
}

// lookupEnv reads name from WithEnv, then from the process environment.
func (o *options) lookupEnv(name string) string {
	if v, ok := o.env[name]; ok {
		return v
	}
	return os.Getenv(name)
}

func (o *options) hasEnv(name string) bool {
	if _, ok := o.env[name]; ok {
		return true
	}
	_, ok := os.LookupEnv(name)
	return ok
}

// pulumiCloud reports whether the backend is Pulumi Cloud (or a self-hosted service).
func (o *options) pulumiCloud() bool {
	return strings.HasPrefix(o.backend, "https://") || strings.HasPrefix(o.backend, "http://")
}

// checkSecretsScheme rejects unknown secrets providers.
func checkSecretsScheme(p string) error {
	if p == "" || p == "passphrase" || p == "default" {
		return nil
	}
	if u, err := url.Parse(p); err == nil && u.Host != "" || err == nil && u.Opaque != "" {
		for _, s := range secretsSchemes {
			if u.Scheme == s {
				return nil
			}
		}
	}
	return fmt.Errorf("is not a supported secrets provider: use passphrase, %s:// URLs, or default on Pulumi Cloud",
		strings.Join(secretsSchemes, "://, "))
}

// checkPassphrase rejects a passphrase provider without a passphrase, naming both
// environment variables, and Pulumi Cloud's default provider on other backends.
func (o *options) checkPassphrase() error {
	p := o.secretsProvider
	switch {
	case o.pulumiCloud() && (p == "" || p == "default"):
		return nil
	case p == "default":
		var problems rules.Problems
		problems.Addf("secretsProvider", p, "default is Pulumi Cloud's own key: on this backend use passphrase or a KMS provider")
		return problems.Err()
	case p == "" || p == "passphrase":
		if o.hasEnv(EnvPassphrase) || o.hasEnv(EnvPassphraseFile) {
			return nil
		}
		return fmt.Errorf("%w: set %s (or %s, a file holding it), or choose a KMS secrets provider "+
			"(awskms://, gcpkms://, azurekeyvault://)", ErrNoPassphrase, EnvPassphrase, EnvPassphraseFile)
	}
	return nil
}

// workDir is the stack's own workspace directory: one per backend and stack, so stacks
// run in parallel without sharing files, and the stack's config file persists between
// runs.
func (o *options) workDir(stack string) string {
	sum := sha256.Sum256([]byte(o.backend))
	return filepath.Join(o.stateDir, "workspaces", hex.EncodeToString(sum[:])[:12], nameSafe(stack))
}

// nameSafe maps a stack name (possibly org/project/stack) to one path element.
func nameSafe(stack string) string {
	return strings.NewReplacer("/", "_", "\\", "_", "..", "_").Replace(stack)
}
