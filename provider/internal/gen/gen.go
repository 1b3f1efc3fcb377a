// Package gen makes the Pulumi package's generated files from the project's own
// sources, so the package can never drift from them:
//   - provider/deployment_args.go: one inputs struct per cloud's deployment component,
//     a field per setting of that cloud (stacks/config.KeySpecs), documented from the
//     README's settings table;
//   - provider/descriptions.json: the schema descriptions, read from the doc comments
//     of the components' types and their fields (the provider binary has no sources).
//
// `go generate ./provider` runs it; a test fails when a committed file is stale.
package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// Generated files, relative to the repository root.
const (
	ArgsFile         = "provider/deployment_args.go"
	DescriptionsFile = "provider/descriptions.json"
)

// DocPackages are the packages whose types the schema describes, relative to the root.
var DocPackages = []string{
	"components/aws", "components/gcp", "components/azure", "components/pachyderm", "provider",
}

// Clouds are the deployment components: Go name prefix -> cloud.
var Clouds = []struct {
	Prefix string
	Cloud  config.Cloud
	// Kubernetes is the cloud's Kubernetes service, for doc comments.
	Kubernetes string
}{{"Aws", config.AWS, "EKS"}, {"Gcp", config.GCP, "GKE"}, {"Azure", config.Azure, "AKS"}}

// Files returns every generated file's content, keyed by its path under root.
func Files(root string) (map[string][]byte, error) {
	docs, err := SettingDocs(filepath.Join(root, "README.md"))
	if err != nil {
		return nil, err
	}
	args, err := DeploymentArgs(docs)
	if err != nil {
		return nil, err
	}
	// The descriptions read the args just generated, not the committed file.
	descriptions, err := Descriptions(root, map[string][]byte{ArgsFile: args})
	if err != nil {
		return nil, err
	}
	return map[string][]byte{ArgsFile: args, DescriptionsFile: descriptions}, nil
}

// tableRow is a row of the README's settings table: | keys | clouds | default | rule |.
var tableRow = regexp.MustCompile("^\\| (`[^|]+) \\| [^|]+ \\| ([^|]+) \\| ([^|]+) \\|$")

// tableKey is one key name in the first cell.
var tableKey = regexp.MustCompile("`([A-Za-z]+)`")

// mdLink is a Markdown link; its text stays.
var mdLink = regexp.MustCompile(`\[([^\]]+)\]\([^)]+\)`)

// SettingDocs reads the README's settings table: setting -> "meaning. Default: default."
func SettingDocs(readme string) (map[string]string, error) {
	b, err := os.ReadFile(readme)
	if err != nil {
		return nil, err
	}
	docs := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		m := tableRow.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		meaning := mdLink.ReplaceAllString(strings.TrimSpace(m[3]), "$1")
		def := mdLink.ReplaceAllString(strings.TrimSpace(m[2]), "$1")
		doc := strings.TrimSuffix(meaning, ".") + ". Default: " + strings.TrimSuffix(def, ".") + "."
		for _, k := range tableKey.FindAllStringSubmatch(m[1], -1) {
			docs[k[1]] = upperFirst(doc)
		}
	}
	for _, k := range config.KeySpecs() {
		if _, ok := docs[k.Name]; !ok {
			return nil, fmt.Errorf("%s: the settings table has no row for %q", readme, k.Name)
		}
	}
	return docs, nil
}

// Output is one output of every deployment component: a stack output of the root
// program (stacks.Deploy), under the same name.
type Output struct {
	Name, Doc string
	Secret    bool
}

// Outputs are the deployment components' outputs.
var Outputs = []Output{
	{"cloud", "cloud is aws, gcp or azure.", false},
	{"clusterName", "clusterName is the Kubernetes cluster's name.", false},
	{"region", "region is the cluster's region (location on Azure).", false},
	{"bucket", "bucket is the bucket (Azure: blob container) that holds Pachyderm's data; kept on destroy unless deleteDataOnDestroy.", false},
	{"kubeconfig", "kubeconfig reaches the cluster with the cloud's short-lived credentials (a secret).", true},
	{"namespace", "namespace is where Pachyderm runs.", false},
	{"pachdAddress", "pachdAddress is where pachd listens: the TLS endpoint's hostname, the pachd-lb load balancer with externalService, else the in-cluster service.", false},
	{"pachctlConnect", "pachctlConnect is the command that points pachctl at this cluster.", false},
	{"consoleHint", "consoleHint says how to open Pachyderm's console.", false},
	{"endpointDns", "endpointDns is where to point endpointHostname (pachdeploy manages no DNS): the load balancer's address; empty without endpoint: tls.", false},
	{"consoleUrl", "consoleUrl is the console behind the TLS endpoint; empty without endpoint: tls or with the console off.", false},
}

// DeploymentArgs renders provider/deployment_args.go from the settings and their docs.
func DeploymentArgs(docs map[string]string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by provider/internal/gen from stacks/config and README.md; DO NOT EDIT.\n\n")
	b.WriteString("package provider\n\n")
	b.WriteString("import \"github.com/pulumi/pulumi/sdk/v3/go/pulumi\"\n\n")
	for _, c := range Clouds {
		fmt.Fprintf(&b, "// %sDeployment is pachdeploy's whole %s deployment as one component: what the\n", c.Prefix, c.Cloud)
		fmt.Fprintf(&b, "// root program deploys for a stack with cloud: %s, with the stack outputs as its outputs.\n", c.Cloud)
		fmt.Fprintf(&b, "type %sDeployment struct {\n\tpulumi.ResourceState\n\n", c.Prefix)
		for _, o := range Outputs {
			secret := ""
			if o.Secret {
				secret = ` provider:"secret"`
			}
			for _, line := range wrap(GoName(o.Doc), 86) {
				fmt.Fprintf(&b, "\t// %s\n", line)
			}
			fmt.Fprintf(&b, "\t%s pulumi.StringOutput `pulumi:\"%s\"%s`\n", GoName(o.Name), o.Name, secret)
		}
		b.WriteString("}\n\n")
		fmt.Fprintf(&b, "// New%[1]sDeployment deploys Pachyderm on %[2]s as the root program does for a stack\n", c.Prefix, c.Kubernetes)
		fmt.Fprintf(&b, "// with cloud: %s and these settings.\n", c.Cloud)
		fmt.Fprintf(&b, "func New%[1]sDeployment(ctx *pulumi.Context, name string, args *%[1]sDeploymentArgs,\n", c.Prefix)
		fmt.Fprintf(&b, "\topts ...pulumi.ResourceOption) (*%sDeployment, error) {\n", c.Prefix)
		fmt.Fprintf(&b, "\td := &%sDeployment{}\n", c.Prefix)
		fmt.Fprintf(&b, "\tif err := deploy(ctx, \"pachdeploy:index:%sDeployment\", name, %q, args, d, d.setOutputs, opts); err != nil {\n", c.Prefix, c.Cloud)
		b.WriteString("\t\treturn nil, err\n\t}\n\treturn d, nil\n}\n\n")
		fmt.Fprintf(&b, "// setOutputs sets every output from outputs, by name.\n")
		fmt.Fprintf(&b, "func (d *%sDeployment) setOutputs(outputs map[string]pulumi.StringOutput) {\n", c.Prefix)
		for _, o := range Outputs {
			fmt.Fprintf(&b, "\td.%s = outputs[%q]\n", GoName(o.Name), o.Name)
		}
		b.WriteString("}\n\n")
	}
	b.WriteString("// outputNames are the deployment components' outputs: the root program's stack outputs.\n")
	b.WriteString("var outputNames = []string{")
	for _, o := range Outputs {
		fmt.Fprintf(&b, "%q, ", o.Name)
	}
	b.WriteString("}\n\n")
	for _, c := range Clouds {
		fmt.Fprintf(&b, "// %sDeploymentArgs are the inputs of %sDeployment: the %s stack settings.\n", c.Prefix, c.Prefix, c.Cloud)
		fmt.Fprintf(&b, "type %sDeploymentArgs struct {\n", c.Prefix)
		for _, k := range CloudKeys(c.Cloud) {
			field := GoName(k.Name)
			for _, line := range wrap(field+": "+docs[k.Name], 86) {
				fmt.Fprintf(&b, "\t// %s\n", line)
			}
			// A secret arrives as a secret Output, which only an Input field takes.
			typ, secret := goType(k.Kind), ""
			if k.Secret {
				typ, secret = "pulumi.StringInput", ` provider:"secret"`
			}
			fmt.Fprintf(&b, "\t%s %s `pulumi:\"%s,optional\"%s`\n", field, typ, k.Name, secret)
		}
		b.WriteString("}\n\n")
	}
	return format.Source(b.Bytes())
}

// CloudKeys are the settings a cloud's deployment takes: every setting of that cloud
// or of all clouds, under the name that cloud's docs use (Azure: location and
// containerName for region and bucketName), without cloud itself.
func CloudKeys(cloud config.Cloud) []config.KeySpec {
	var out []config.KeySpec
	azureNames := map[string]bool{"location": true, "containerName": true}
	for _, k := range config.KeySpecs() {
		switch {
		case k.Name == "cloud", k.Cloud != "" && k.Cloud != cloud:
			continue
		case k.AliasOf != "" && !(cloud == config.Azure && azureNames[k.Name]):
			continue
		case cloud == config.Azure && (k.Name == "region" || k.Name == "bucketName"):
			continue
		}
		out = append(out, k)
	}
	return out
}

// GoName is a setting's Go field name: its name with the first letter upper-cased.
func GoName(setting string) string { return upperFirst(setting) }

// goType is the Go type of a setting kind; pointers keep "unset" apart from zero.
func goType(kind string) string {
	switch kind {
	case "number":
		return "*int"
	case "bool":
		return "*bool"
	case "list":
		return "[]string"
	case "map":
		return "map[string]string"
	}
	return "*string"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// wrap splits text into lines of at most width characters, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// TypeDoc is the description of a Go type and of its tagged fields, by property name.
type TypeDoc struct {
	Description string            `json:"description"`
	Properties  map[string]string `json:"properties,omitempty"`
}

// Descriptions reads the doc comments of DocPackages' types into JSON keyed
// "<package>.<Type>". overlay replaces files by path (relative to root).
func Descriptions(root string, overlay map[string][]byte) ([]byte, error) {
	out := map[string]TypeDoc{}
	for _, dir := range DocPackages {
		docs, err := packageDocs(root, dir, overlay)
		if err != nil {
			return nil, err
		}
		for k, v := range docs {
			out[k] = v
		}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// packageDocs reads one package's struct types.
func packageDocs(root, dir string, overlay map[string][]byte) (map[string]TypeDoc, error) {
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		rel, _ := filepath.Rel(root, p)
		var src any
		if b, ok := overlay[filepath.ToSlash(rel)]; ok {
			src = b
		}
		f, err := parser.ParseFile(fset, p, src, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no Go files", dir)
	}
	pkg := files[0].Name.Name
	consts := constants(files)
	structs := map[string]*ast.StructType{}
	typeDocs := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				ts := s.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok || !ts.Name.IsExported() {
					continue
				}
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				structs[ts.Name.Name] = st
				typeDocs[ts.Name.Name] = clean(doc.Text(), "", "", consts)
			}
		}
	}
	out := map[string]TypeDoc{}
	for _, name := range slices.Sorted(maps.Keys(structs)) {
		props := map[string]string{}
		fieldDocs(structs, structs[name], consts, props)
		if len(props) == 0 {
			continue
		}
		out[pkg+"."+name] = TypeDoc{Description: typeDocs[name], Properties: props}
	}
	return out, nil
}

// fieldDocs adds the docs of st's tagged fields, and of the fields of structs it embeds.
func fieldDocs(structs map[string]*ast.StructType, st *ast.StructType, consts map[string]string, props map[string]string) {
	for _, f := range st.Fields.List {
		if len(f.Names) == 0 {
			if id, ok := f.Type.(*ast.Ident); ok && structs[id.Name] != nil {
				fieldDocs(structs, structs[id.Name], consts, props)
			}
			continue
		}
		if f.Tag == nil {
			continue
		}
		tag, _ := strconv.Unquote(f.Tag.Value)
		name, _, _ := strings.Cut(reflect.StructTag(tag).Get("pulumi"), ",")
		if name == "" {
			continue
		}
		text := f.Doc.Text()
		if text == "" {
			text = f.Comment.Text()
		}
		props[name] = clean(text, f.Names[0].Name, name, consts)
	}
}

// constants are a package's constants with literal values: name -> value as written
// in a setting (strings unquoted).
func constants(files []*ast.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok {
						v := lit.Value
						if u, err := strconv.Unquote(v); err == nil {
							v = u
						}
						out[n.Name] = v
					}
				}
			}
		}
	}
	return out
}

// defaultRef is a reference to a package constant in a doc comment.
var defaultRef = regexp.MustCompile(`\b(Default[A-Za-z0-9]+)\b`)

// clean makes a doc comment a schema description: one paragraph per blank line, the
// leading Go field name replaced by the property name, constants followed by their value.
func clean(text, goName, prop string, consts map[string]string) string {
	var paras []string
	for _, p := range strings.Split(strings.TrimSpace(text), "\n\n") {
		paras = append(paras, strings.Join(strings.Fields(p), " "))
	}
	s := strings.Join(paras, "\n\n")
	switch {
	case goName == "":
	case strings.HasPrefix(s, goName+": "): // a generated setting's doc
		s = s[len(goName)+2:]
	case strings.HasPrefix(s, goName+" "):
		s = prop + s[len(goName):]
	}
	return defaultRef.ReplaceAllStringFunc(s, func(ref string) string {
		if v, ok := consts[ref]; ok {
			return fmt.Sprintf("%s (%s)", ref, v)
		}
		return ref
	})
}
