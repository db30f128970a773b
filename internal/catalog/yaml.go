package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeStrict decodes YAML into out, rejecting unknown fields, and returns the document's
// root node for line lookups. Every YAML error becomes a problem with its line.
func decodeStrict(ps *problems, file string, lineOffset int, data []byte, out any) (*yaml.Node, bool) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		if line, msg, ok := syntaxErrorLine(data, err); ok {
			ps.add(file, line+lineOffset, "%s", msg)
			return nil, false
		}
		addYAMLError(ps, file, lineOffset, err)
		return nil, false
	}
	if len(root.Content) == 0 {
		ps.add(file, lineOffset+1, "empty document")
		return nil, false
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(out); err != nil && !errors.Is(err, io.EOF) {
		addYAMLError(ps, file, lineOffset, err)
		return root.Content[0], false
	}
	return root.Content[0], true
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// syntaxErrorLine finds the line a YAML syntax error is on. The parser names the line where
// the enclosing block began (line 3 of a question file, the "questions:" key, for a bad
// indent on line 40), so the document is re-parsed on ever longer prefixes: the first prefix
// that fails with the same problem ends on the line that has it.
func syntaxErrorLine(data []byte, err error) (int, string, bool) {
	g := yamlLine.FindStringSubmatch(strings.TrimSpace(err.Error()))
	if g == nil {
		return 0, "", false
	}
	from, _ := strconv.Atoi(g[1])
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > 5000 {
		return from, g[2], true
	}
	var probe yaml.Node
	for n := max(from, 1); n <= len(lines); n++ {
		perr := yaml.Unmarshal(bytes.Join(lines[:n], nil), &probe)
		if perr == nil {
			continue
		}
		if pg := yamlLine.FindStringSubmatch(strings.TrimSpace(perr.Error())); pg != nil && pg[2] == g[2] {
			return n, g[2], true
		}
	}
	return from, g[2], true
}

var (
	unknownField = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	intoGoType   = regexp.MustCompile(`into (\S+)$`)
	yamlTag      = regexp.MustCompile("!!(str|int|float|bool|seq|map|null)( `[^`]*`)?")
)

// plainYAMLMessage says a decoding problem in the author's terms: YAML keys and kinds of
// value, never the Go types the loader happens to decode into.
func plainYAMLMessage(m string) string {
	if g := unknownField.FindStringSubmatch(m); g != nil {
		return fmt.Sprintf("unknown key %q (a misspelling, or a key this file type does not have)", g[1])
	}
	if !strings.HasPrefix(m, "cannot unmarshal ") {
		return m
	}
	m = strings.TrimPrefix(m, "cannot unmarshal ")
	if g := intoGoType.FindStringSubmatch(m); g != nil {
		want := "a mapping of keys"
		switch t := g[1]; {
		case strings.HasPrefix(t, "[]"):
			want = "a list"
		case strings.HasPrefix(t, "map["):
			want = "a mapping of keys"
		case t == "string":
			want = "text"
		case t == "bool":
			want = "true or false"
		case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint") || strings.HasPrefix(t, "float"):
			want = "a number"
		}
		m = strings.TrimSuffix(m, g[0]) + "where " + want + " is expected"
	}
	kinds := map[string]string{"str": "text", "int": "a number", "float": "a number", "bool": "true/false",
		"seq": "a list", "map": "a mapping", "null": "nothing"}
	m = yamlTag.ReplaceAllStringFunc(m, func(tag string) string {
		g := yamlTag.FindStringSubmatch(tag)
		if g[2] != "" {
			return kinds[g[1]] + " " + strings.TrimSpace(g[2])
		}
		return kinds[g[1]]
	})
	return "found " + m
}

func addYAMLError(ps *problems, file string, lineOffset int, err error) {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for _, m := range msgs {
		if g := yamlLine.FindStringSubmatch(strings.TrimSpace(m)); g != nil {
			n, _ := strconv.Atoi(g[1])
			ps.add(file, n+lineOffset, "%s", plainYAMLMessage(g[2]))
			continue
		}
		ps.add(file, lineOffset+1, "%s", plainYAMLMessage(strings.TrimPrefix(m, "yaml: ")))
	}
}

// keyLine returns the line of key in mapping node m, or m's own line when the key is absent.
func keyLine(m *yaml.Node, key string) int {
	if m == nil {
		return 0
	}
	if m.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return m.Content[i].Line
			}
		}
	}
	return m.Line
}

// valueNode returns the value node of key in mapping m, or nil.
func valueNode(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// itemLine returns the line of the i-th item of the sequence stored under key in m.
func itemLine(m *yaml.Node, key string, i int) int {
	seq := valueNode(m, key)
	if seq == nil || seq.Kind != yaml.SequenceNode || i >= len(seq.Content) {
		return keyLine(m, key)
	}
	return seq.Content[i].Line
}

// refLine is the line of the i-th reference under m: its url key when written as a mapping.
func refLine(m *yaml.Node, i int) int {
	seq := valueNode(m, "references")
	if seq != nil && seq.Kind == yaml.SequenceNode && i < len(seq.Content) && seq.Content[i].Kind == yaml.MappingNode {
		return keyLine(seq.Content[i], "url")
	}
	return itemLine(m, "references", i)
}

// Reference is an official documentation link.
type Reference struct {
	Title string `yaml:"title"`
	URL   string `yaml:"url"`
}

// UnmarshalYAML accepts a bare URL string or a {title, url} mapping.
func (r *Reference) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		r.URL = n.Value
		return nil
	}
	type plain Reference
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*r = Reference(p)
	return nil
}

// Label returns the reference's title, or its URL without the scheme.
func (r Reference) Label() string {
	if r.Title != "" {
		return r.Title
	}
	return strings.TrimSuffix(strings.TrimPrefix(r.URL, "https://"), "/")
}

// checkReference reports why u is not a well-formed official reference, or "".
func checkReference(u string, hosts []string) string {
	if strings.TrimSpace(u) == "" {
		return "reference has no url"
	}
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Sprintf("reference %q is not a URL: %v", u, err)
	}
	if p.Scheme != "https" || p.Host == "" {
		return fmt.Sprintf("reference %q must be an absolute https URL", u)
	}
	if strings.ContainsAny(u, " \t\n") {
		return fmt.Sprintf("reference %q contains whitespace", u)
	}
	host := strings.ToLower(p.Hostname())
	for _, h := range hosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return ""
		}
	}
	return fmt.Sprintf("reference host %q is not in curriculum.yaml reference_hosts (official docs only)", host)
}
