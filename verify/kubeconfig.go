package verify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
	"unicode/utf8"

	"sigs.k8s.io/yaml"
)

// kubeconfig is the part of a kubeconfig file verify reads.
type kubeconfig struct {
	CurrentContext string `json:"current-context"`
	Clusters       []struct {
		Name    string      `json:"name"`
		Cluster clusterInfo `json:"cluster"`
	} `json:"clusters"`
	Contexts []struct {
		Name    string `json:"name"`
		Context struct {
			Cluster string `json:"cluster"`
			User    string `json:"user"`
		} `json:"context"`
	} `json:"contexts"`
	Users []struct {
		Name string   `json:"name"`
		User userInfo `json:"user"`
	} `json:"users"`
}

type clusterInfo struct {
	Server                   string `json:"server"`
	CertificateAuthority     string `json:"certificate-authority"`
	CertificateAuthorityData string `json:"certificate-authority-data"`
	InsecureSkipTLSVerify    bool   `json:"insecure-skip-tls-verify"`
	TLSServerName            string `json:"tls-server-name"`
}

type userInfo struct {
	Token                 string         `json:"token"`
	TokenFile             string         `json:"tokenFile"`
	ClientCertificate     string         `json:"client-certificate"`
	ClientCertificateData string         `json:"client-certificate-data"`
	ClientKey             string         `json:"client-key"`
	ClientKeyData         string         `json:"client-key-data"`
	Exec                  *execConfig    `json:"exec"`
	AuthProvider          map[string]any `json:"auth-provider"`
}

// execConfig is a client-go credential plugin: a command that prints an ExecCredential.
type execConfig struct {
	APIVersion string   `json:"apiVersion"`
	Command    string   `json:"command"`
	Args       []string `json:"args"`
	Env        []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"env"`
	InstallHint string `json:"installHint"`
}

// execCredential is what a credential plugin prints.
type execCredential struct {
	Status struct {
		Token                 string `json:"token"`
		ClientCertificateData string `json:"clientCertificateData"`
		ClientKeyData         string `json:"clientKeyData"`
	} `json:"status"`
}

// cluster is a kubeconfig resolved into what the client needs: the server, its
// TLS settings and the user's credentials, with every secret value listed for
// redaction.
type cluster struct {
	server string
	tls    *tls.Config
	token  string
	// exec is the credential plugin, run by credentials.
	exec *execConfig
	// secrets are values that must never reach output or errors.
	secrets redactor
}

// errCredentials is a credential plugin that failed: the API cannot be reached.
var errCredentials = errors.New("credentials")

// parseKubeconfig reads the current context (or the only one) of a kubeconfig, in
// YAML or JSON. Errors never quote the file.
func parseKubeconfig(raw []byte) (*cluster, error) {
	var kc kubeconfig
	if err := yaml.Unmarshal(raw, &kc); err != nil {
		return nil, errors.New("kubeconfig: not a kubeconfig file (YAML or JSON)")
	}
	name := kc.CurrentContext
	if name == "" && len(kc.Contexts) == 1 {
		name = kc.Contexts[0].Name
	}
	var clusterName, userName string
	found := false
	for _, c := range kc.Contexts {
		if c.Name == name {
			clusterName, userName, found = c.Context.Cluster, c.Context.User, true
		}
	}
	if !found {
		return nil, fmt.Errorf("kubeconfig: no context %q", name)
	}
	c := &cluster{}
	var ci *clusterInfo
	for i := range kc.Clusters {
		if kc.Clusters[i].Name == clusterName {
			ci = &kc.Clusters[i].Cluster
		}
	}
	if ci == nil || ci.Server == "" {
		return nil, fmt.Errorf("kubeconfig: context %q names no cluster with a server", name)
	}
	c.server = strings.TrimSuffix(ci.Server, "/")
	c.tls = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: ci.TLSServerName, InsecureSkipVerify: ci.InsecureSkipTLSVerify} //nolint:gosec // the kubeconfig asks for it
	ca, err := dataOrFile(ci.CertificateAuthorityData, ci.CertificateAuthority, "certificate-authority")
	if err != nil {
		return nil, err
	}
	if len(ca) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, errors.New("kubeconfig: certificate-authority-data holds no PEM certificate")
		}
		c.tls.RootCAs = pool
	}
	for _, u := range kc.Users {
		if u.Name == userName {
			if err := c.setUser(u.User); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

// setUser reads a user's static credentials and remembers its credential plugin.
func (c *cluster) setUser(u userInfo) error {
	if u.AuthProvider != nil {
		return errors.New("kubeconfig: the user has an auth-provider, which client-go dropped: use an exec credential plugin")
	}
	c.token = u.Token
	if u.TokenFile != "" {
		b, err := os.ReadFile(u.TokenFile)
		if err != nil {
			return fmt.Errorf("kubeconfig: tokenFile: %w", err)
		}
		c.token = strings.TrimSpace(string(b))
	}
	c.secrets = append(c.secrets, c.token, u.ClientKeyData, u.ClientCertificateData)
	cert, err := dataOrFile(u.ClientCertificateData, u.ClientCertificate, "client-certificate")
	if err != nil {
		return err
	}
	key, err := dataOrFile(u.ClientKeyData, u.ClientKey, "client-key")
	if err != nil {
		return err
	}
	if err := c.setClientCert(cert, key); err != nil {
		return err
	}
	c.exec = u.Exec
	return nil
}

// setClientCert adds a client certificate when both halves are given.
func (c *cluster) setClientCert(cert, key []byte) error {
	if len(cert) == 0 && len(key) == 0 {
		return nil
	}
	pair, err := tls.X509KeyPair(cert, key)
	if err != nil {
		return errors.New("kubeconfig: the client certificate and key do not make a key pair")
	}
	c.tls.Certificates = []tls.Certificate{pair}
	return nil
}

// dataOrFile decodes base64 data, else reads the file, else returns nothing.
func dataOrFile(data, file, what string) ([]byte, error) {
	switch {
	case data != "":
		b, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			return nil, fmt.Errorf("kubeconfig: %s-data is not base64", what)
		}
		return b, nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("kubeconfig: %s: %w", what, err)
		}
		return b, nil
	}
	return nil, nil
}

// credentials runs the user's credential plugin, if any, as kubectl does (the
// command with its args and env, KUBERNETES_EXEC_INFO set, no stdin), and adds the
// token or client certificate it prints. Its failures wrap errCredentials.
func (c *cluster) credentials(ctx context.Context, timeout time.Duration) error {
	e := c.exec
	if e == nil {
		return nil
	}
	if _, err := exec.LookPath(e.Command); err != nil {
		hint := e.InstallHint
		if hint == "" {
			hint = "install it, or put it on PATH (pachdeploy doctor checks the cloud's helper)"
		}
		return fmt.Errorf("%w: the kubeconfig runs %q for credentials, which is not on PATH: %s", errCredentials, e.Command, strings.TrimSpace(hint))
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.Command, e.Args...)
	info, _ := json.Marshal(map[string]any{
		"apiVersion": e.APIVersion, "kind": "ExecCredential", "spec": map[string]any{"interactive": false},
	})
	cmd.Env = append(os.Environ(), "KUBERNETES_EXEC_INFO="+string(info))
	for _, kv := range e.Env {
		cmd.Env = append(cmd.Env, kv.Name+"="+kv.Value)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w: %q failed (%v): %s", errCredentials, e.Command, err, firstLine(stderr.String()))
	}
	var cred execCredential
	if err := json.Unmarshal(stdout.Bytes(), &cred); err != nil {
		return fmt.Errorf("%w: %q did not print an ExecCredential", errCredentials, e.Command)
	}
	s := cred.Status
	c.secrets = append(c.secrets, s.Token, s.ClientCertificateData, s.ClientKeyData)
	if s.Token != "" {
		c.token = s.Token
	}
	if err := c.setClientCert([]byte(s.ClientCertificateData), []byte(s.ClientKeyData)); err != nil {
		return fmt.Errorf("%w: %q printed a client certificate that does not match its key", errCredentials, e.Command)
	}
	return nil
}

// httpClient is a client for the API server: its TLS settings, the user's bearer
// token on every request, a timeout per request.
func (c *cluster) httpClient(timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = c.tls
	var rt http.RoundTripper = t
	if c.token != "" {
		rt = bearer{token: c.token, next: t}
	}
	return &http.Client{Transport: rt, Timeout: timeout}
}

// bearer adds an Authorization header.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// redactor replaces secret values in text.
type redactor []string

func (r redactor) redact(s string) string {
	for _, v := range r {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "[secret]")
		}
	}
	return s
}

// firstLine is the first non-empty line of s, at most 200 bytes.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return clip(l, 200)
		}
	}
	return "(no message)"
}

// clip cuts s to n bytes, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
