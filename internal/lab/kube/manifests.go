package kube

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Doc is one object of a manifest file and the line its document starts on.
type Doc struct {
	Object *unstructured.Unstructured
	Line   int
}

// ManifestError is a problem in a manifest file, at a line.
type ManifestError struct {
	Line int
	Msg  string
}

func (e *ManifestError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

var yamlErrLine = regexp.MustCompile(`(?:yaml: )?line (\d+): (.*)`)

// ParseManifests splits a multi-document YAML file into objects. Every object needs apiVersion,
// kind and metadata.name; empty documents are skipped. Errors carry the file's line.
func ParseManifests(data []byte) ([]Doc, error) {
	var docs []Doc
	var cur bytes.Buffer
	start, lineNo := 1, 0
	flush := func() error {
		defer cur.Reset()
		if len(bytes.TrimSpace(stripComments(cur.Bytes()))) == 0 {
			return nil
		}
		var m map[string]any
		if err := yaml.Unmarshal(cur.Bytes(), &m); err != nil {
			msg := err.Error()
			line := start
			if g := yamlErrLine.FindStringSubmatch(msg); g != nil {
				n, _ := strconv.Atoi(g[1])
				line, msg = start+n-1, g[2]
			}
			return &ManifestError{Line: line, Msg: strings.TrimPrefix(msg, "error converting YAML to JSON: ")}
		}
		if m == nil {
			return nil
		}
		u := &unstructured.Unstructured{Object: m}
		switch {
		case u.GetAPIVersion() == "":
			return &ManifestError{Line: start, Msg: "object has no apiVersion"}
		case u.GetKind() == "":
			return &ManifestError{Line: start, Msg: "object has no kind"}
		case u.GetName() == "":
			return &ManifestError{Line: start, Msg: fmt.Sprintf("%s has no metadata.name", u.GetKind())}
		}
		docs = append(docs, Doc{Object: u, Line: start})
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 4<<20)
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if strings.HasPrefix(line, "---") && strings.TrimSpace(strings.TrimLeft(line, "-")) == "" {
			if err := flush(); err != nil {
				return nil, err
			}
			start = lineNo + 1
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return docs, nil
}

func stripComments(b []byte) []byte {
	var out bytes.Buffer
	for _, l := range bytes.Split(b, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' {
			out.Write(l)
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}

// Apply creates or updates objects with server-side apply, in order, forcing ownership of the
// fields they set. Namespaced objects go to namespace. Each cluster-scoped object gets labels,
// so that finishing a session can find and delete it.
func (c *Client) Apply(ctx context.Context, docs []Doc, namespace string, clusterLabels map[string]string) error {
	force := true
	for _, d := range docs {
		obj := d.Object.DeepCopy()
		ri, namespaced, err := c.Resource(obj.GroupVersionKind(), namespace)
		if err != nil {
			return fmt.Errorf("apply %s %s: %w", obj.GetKind(), obj.GetName(), err)
		}
		if namespaced {
			obj.SetNamespace(namespace)
		} else {
			obj.SetNamespace("")
			labels := obj.GetLabels()
			if labels == nil {
				labels = map[string]string{}
			}
			for k, v := range clusterLabels {
				labels[k] = v
			}
			obj.SetLabels(labels)
		}
		err = RetryTransient(ctx, func() error {
			_, err := ri.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: FieldManager, Force: force})
			return err
		})
		if err != nil {
			return fmt.Errorf("apply %s %s: %w", obj.GetKind(), obj.GetName(), err)
		}
	}
	return nil
}
