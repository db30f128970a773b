// Package bundle loads lab bundles (labs/<id>/: lab.yaml, set-up manifests, solution.sh and
// optional near-miss scripts), validates them with file:line problems, compiles their checks and
// keeps them in a typed map (Bundles); the catalog gets only what pages show. labs/README.md
// documents the format.
package bundle

import (
	"fmt"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/lab/check"
	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
)

// NamespaceVar is replaced by the lab's namespace in set-up manifests.
const NamespaceVar = "${NAMESPACE}"

// Bundle is a lab's compiled, runnable form.
type Bundle struct {
	ID       string
	Scope    string
	Images   []string
	Tasks    []check.TaskChecks
	Solution []byte // solution.sh
	// Alternatives are other correct ways to solve the lab (labs/<id>/alternatives/<name>.sh):
	// every check must pass after each, which proves the checks accept more than one answer.
	Alternatives []Alternative
	NearMisses   []NearMiss
	setup        []setupFile
}

type setupFile struct {
	name string
	data []byte
}

// Alternative is another correct solution of a lab.
type Alternative struct {
	Name   string
	Script []byte
}

// NearMiss is a script that does the task almost right (labs/<id>/nearmiss/<name>.sh); the
// checks it names on a "# fails: task/check ..." line must fail after it runs. CI runs them to
// prove the checks reject near misses.
type NearMiss struct {
	Name   string
	Script []byte
	Fails  []string // "task/check"
}

// Setup returns the set-up objects for a session in namespace, in file and document order.
func (b *Bundle) Setup(namespace string) ([]kube.Doc, error) {
	var all []kube.Doc
	for _, f := range b.setup {
		docs, err := kube.ParseManifests([]byte(strings.ReplaceAll(string(f.data), NamespaceVar, namespace)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		all = append(all, docs...)
	}
	return all, nil
}

// Check returns the compiled check "task/check", or nil.
func (b *Bundle) Check(ref string) *check.Check {
	task, id, _ := strings.Cut(ref, "/")
	for _, t := range b.Tasks {
		if t.ID != task {
			continue
		}
		for _, c := range t.Checks {
			if c.ID == id {
				return c
			}
		}
	}
	return nil
}

// Bundles are the lab engine's compiled bundles, by lab id. Loader fills them; the lab service
// runs labs from them.
type Bundles map[string]*Bundle

// Lab returns the bundle of the lab, or nil.
func (bs Bundles) Lab(id string) *Bundle { return bs[id] }
