package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pachdeploy/pachdeploy/automation"
	"github.com/pachdeploy/pachdeploy/verify"
	"github.com/spf13/cobra"
)

// errVerify is a verification with a failing check: exit 7.
var errVerify = errors.New("verification failed")

// verifyOptions are verify's inputs.
type verifyOptions struct {
	// Format is text or json (--format, or --json).
	Format string
	// Timeout bounds each request and the kubeconfig's credential plugin.
	Timeout time.Duration
}

func newVerifyCmd(g *globalOptions) *cobra.Command {
	o := &verifyOptions{}
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check that the deployed Pachyderm works, with the stack's kubeconfig (exit 7 when a check fails)",
		Long: "verify replaces the runbook's closing kubectl get pods, pachctl version and console port-forward. With the\n" +
			"stack's own kubeconfig output it checks, one line each: the Kubernetes API answers; every pod in the\n" +
			"namespace is Running and Ready (naming the others with their reason: ImagePullBackOff, CrashLoopBackOff,\n" +
			"Unschedulable); every volume claim is Bound (naming the storage class of a pending one); the pachd\n" +
			"Deployment is available; pachd answers on its metrics port through the API server's service proxy; pachd\n" +
			"became ready, which it does only after reaching PostgreSQL, and pg-bouncer is ready; the console answers\n" +
			"(unless disabled); and, with endpoint: tls, https://<endpointHostname>/ answers with a certificate valid for\n" +
			"that name (read from the pachdAddress output, grpcs://HOST:443). It changes nothing. Exit 7 when a check fails, 0 when none does.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := g.format(cmd, asJSON)
			if err != nil {
				return err
			}
			o.Format = format
			return runVerify(cmd.Context(), g, o)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (same as --format json)")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", 15*time.Second, "time allowed for each request")
	return cmd
}

func runVerify(ctx context.Context, g *globalOptions, o *verifyOptions) error {
	if err := checkFormat(o.Format, "text", "json"); err != nil {
		return err
	}
	if err := g.refuseSettings("verify"); err != nil {
		return err
	}
	d, err := g.open(ctx, false, false)
	if err != nil {
		return err
	}
	outs, err := d.Outputs(ctx, automation.OutputsOptions{ShowSecrets: true})
	if err != nil {
		return err
	}
	kubeconfig, opts, err := verifyInputs(outs)
	if err != nil {
		return fmt.Errorf("stack %s: %w", g.Stack, err)
	}
	opts.Timeout = o.Timeout
	res, err := verify.Run(ctx, kubeconfig, opts)
	if err != nil {
		return fmt.Errorf("stack %s: %w", g.Stack, err)
	}
	if o.Format == "json" {
		err = verify.WriteJSON(g.IO.Out, res)
	} else {
		err = verify.WriteText(g.IO.Out, res)
	}
	if err != nil {
		return err
	}
	if failed := res.Failed(); len(failed) > 0 {
		return fmt.Errorf("%w for stack %s: %d of %d checks failed", errVerify, g.Stack, len(failed), len(res.Checks))
	}
	return nil
}

// verifyInputs reads what verify needs from the stack outputs: the kubeconfig (a
// secret, read with secrets shown and used for nothing else), the namespace, whether
// the console is on (consoleHint says when it is disabled) and the TLS endpoint's
// hostname (pachdAddress is grpcs://HOST:443 with endpoint: tls).
func verifyInputs(outs []automation.Output) ([]byte, verify.Options, error) {
	opts := verify.Options{Console: true}
	var kubeconfig []byte
	for _, o := range outs {
		s, isString := o.Value.(string)
		switch o.Name {
		case "kubeconfig":
			if isString {
				kubeconfig = []byte(s)
			} else if o.Value != nil {
				b, err := json.Marshal(o.Value)
				if err != nil {
					return nil, opts, errors.New("the kubeconfig output is neither text nor JSON")
				}
				kubeconfig = b
			}
		case "namespace":
			opts.Namespace = s
		case "consoleHint":
			opts.Console = !strings.HasPrefix(s, "console disabled")
		case "pachdAddress":
			opts.EndpointHostname = tlsEndpointHost(s)
		}
	}
	if len(kubeconfig) == 0 {
		return nil, opts, errors.New("no kubeconfig output: run `pachdeploy up` first")
	}
	return kubeconfig, opts, nil
}

// tlsEndpointHost is the host (with its port unless 443) of a grpcs:// pachd address,
// "" for any other address (in-cluster, or the plain pachd-lb load balancer).
func tlsEndpointHost(address string) string {
	u, err := url.Parse(address)
	if err != nil || u.Scheme != "grpcs" || u.Hostname() == "" {
		return ""
	}
	if u.Port() == "443" {
		return u.Hostname()
	}
	return u.Host
}
