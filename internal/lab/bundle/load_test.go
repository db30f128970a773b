package bundle_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/lab/bundle"
	"github.com/kcnaprep/kcnaprep/internal/testcontent"
)

// loaded is what both loaders made of a content tree.
type loaded struct {
	*catalog.Catalog
	bundles bundle.Bundles
}

func load(t *testing.T, files map[string]string) (loaded, catalog.Problems) {
	t.Helper()
	src, err := catalog.DirSources(testcontent.Write(t, files))
	if err != nil {
		t.Fatal(err)
	}
	bundles := bundle.Bundles{}
	c, err := catalog.Load(src, catalog.WithLabLoader(bundle.Loader(bundles)))
	var ps catalog.Problems
	if err != nil && !errors.As(err, &ps) {
		t.Fatalf("unexpected error: %v", err)
	}
	return loaded{c, bundles}, ps
}

func TestLoadValidLab(t *testing.T) {
	c, ps := load(t, testcontent.LabFiles("scale-web"))
	if len(ps) > 0 {
		t.Fatalf("problems:\n%v", ps)
	}
	l := c.Lab("scale-web")
	if l == nil || l.Domain.ID != "alpha" || l.Competencies[0].ID != "one" || l.Scope != "namespace" || len(l.Tasks) != 1 {
		t.Fatalf("lab = %+v", l)
	}
	if !strings.Contains(l.IntroHTML, `href="/lessons/alpha/01-first"`) || !strings.Contains(l.Tasks[0].Hints[0], "kubectl scale") {
		t.Errorf("markdown not rendered or link not resolved: %s", l.IntroHTML)
	}
	if c.Competency("one").Labs[0] != l || c.Lesson("alpha/01-first").Labs[0] != l {
		t.Error("lab not linked to its competency and lessons")
	}
	b := c.bundles.Lab(l.ID)
	if b == nil {
		t.Fatal("no bundle for the lab")
	}
	docs, err := b.Setup("lab-x")
	if err != nil || len(docs) != 1 || docs[0].Object.GetKind() != "Deployment" || docs[0].Line != 1 {
		t.Fatalf("setup = %+v, %v", docs, err)
	}
	if b.Check("scale/replicas") == nil || b.Check("scale/nope") != nil || !strings.HasPrefix(string(b.Solution), "#!") {
		t.Error("bundle lookups")
	}
}

// TestProblemsNameFileAndLine breaks one thing at a time and expects one exact problem.
func TestProblemsNameFileAndLine(t *testing.T) {
	good := testcontent.LabYAML("scale-web")
	replace := func(pairs ...string) map[string]string {
		files := testcontent.LabFiles("scale-web")
		y := good
		for i := 0; i+1 < len(pairs); i += 2 {
			if !strings.Contains(y, pairs[i]) {
				t.Fatalf("test bug: %q not in lab.yaml", pairs[i])
			}
			y = strings.Replace(y, pairs[i], pairs[i+1], 1)
		}
		files["labs/scale-web/lab.yaml"] = y
		return files
	}
	withFile := func(name, data string) map[string]string {
		files := testcontent.LabFiles("scale-web")
		files["labs/scale-web/"+name] = data
		return files
	}
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"cel typo", replace("object.spec.replicas == 3", "object.spec.replicas =="),
			"labs/scale-web/lab.yaml:22: CEL 1:24: Syntax error: mismatched input"},
		{"cel unknown variable", replace("object.spec.replicas == 3", "obj.spec.replicas == 3"),
			"labs/scale-web/lab.yaml:22: CEL 1:1: undeclared reference to 'obj' (did you mean 'object'?)"},
		{"observed typo", replace("observed: object.spec.replicas", "observed: object.spec.replicas +"),
			"labs/scale-web/lab.yaml:23: CEL 1:23: Syntax error"},
		{"unknown field", replace("        expect:", "        expext:"),
			"labs/scale-web/lab.yaml:22: field expext not found"},
		{"bad selector", replace("object: {apiVersion: apps/v1, kind: Deployment, name: web}", "list: {apiVersion: v1, kind: Pod, selector: 'app in (web'}",
			"object.spec.replicas == 3", "objects.size() == 3", "observed: object.spec.replicas", "observed: objects.size()"),
			"labs/scale-web/lab.yaml:21: selector \"app in (web\": unable to parse"},
		{"no message", replace("        message: The Deployment web asks for 3 replicas.\n", ""),
			"labs/scale-web/lab.yaml:19: check replicas has no message"},
		{"id not folder", replace("id: scale-web", "id: scale"), "labs/scale-web/lab.yaml:1: id \"scale\" must match the folder name"},
		{"unknown domain", replace("domain: alpha", "domain: gamma"), "labs/scale-web/lab.yaml:4: domain \"gamma\" is not in curriculum.yaml"},
		{"competency of other domain", replace("competencies: [one]", "competencies: [two]"),
			"labs/scale-web/lab.yaml:5: competency two belongs to domain beta, not alpha"},
		{"scope", replace("scope: namespace", "scope: everywhere"), "labs/scale-web/lab.yaml:7: scope must be namespace or cluster"},
		{"no hints", replace("    hints:\n      - Use kubectl scale.\n", ""), "labs/scale-web/lab.yaml:12: task scale needs at least one hint"},
		{"wrong labapp tag", replace("Scale the Deployment web to 3 replicas.", "Use kcnaprep.local/labapp:0.9 here."),
			"labs/scale-web/lab.yaml:15: kcnaprep.local/labapp:0.9: this server builds kcnaprep.local/labapp:1.0"},
		{"missing setup file", replace("setup: [setup.yaml]", "setup: [setup.yaml, more.yaml]"),
			"labs/scale-web/lab.yaml:10: set-up file more.yaml:"},
		{"setup yaml error", withFile("setup.yaml", testcontent.LabSetup+"---\nkind: Service\nmetadata: {name: web\n"),
			"labs/scale-web/setup.yaml:"},
		{"setup without apiVersion", withFile("setup.yaml", testcontent.LabSetup+"---\nkind: Service\nmetadata: {name: web}\n"),
			"labs/scale-web/setup.yaml:17: object has no apiVersion"},
		{"setup pull policy", withFile("setup.yaml", strings.Replace(testcontent.LabSetup, "imagePullPolicy: IfNotPresent", "imagePullPolicy: Always", 1)),
			"labs/scale-web/setup.yaml:1: Deployment web: container web needs imagePullPolicy: IfNotPresent"},
		{"setup foreign image", withFile("setup.yaml", strings.Replace(testcontent.LabSetup, "kcnaprep.local/labapp:1.0", "nginx:1.27", 1)),
			"labs/scale-web/setup.yaml:1: Deployment web: image nginx:1.27 is neither"},
		{"setup cluster-scoped in namespace lab", withFile("setup.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n"),
			"labs/scale-web/setup.yaml:1: Namespace is cluster-scoped"},
		{"setup namespace set", withFile("setup.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n"),
			"labs/scale-web/setup.yaml:1: ConfigMap x: leave metadata.namespace out"},
		{"no solution", withFile("solution.sh", ""), "labs/scale-web/solution.sh: a lab needs solution.sh"},
		{"near miss without fails", withFile("nearmiss/two.sh", "#!/bin/sh\nkubectl scale deployment web --replicas=2\n"),
			"labs/scale-web/nearmiss/two.sh:1: a near miss needs a line"},
		{"near miss unknown check", withFile("nearmiss/two.sh", "#!/bin/sh\n# fails: scale/replica\nkubectl scale deployment web --replicas=2\n"),
			"labs/scale-web/nearmiss/two.sh:2: fails: scale/replica is not a check of this lab"},
		{"alternative without #!", withFile("alternatives/patch.sh", "kubectl scale deployment web --replicas=3\n"),
			"labs/scale-web/alternatives/patch.sh:1: an alternative solution must start with a #! line"},
		{"alternative not a script", withFile("alternatives/notes.txt", "#!/bin/sh\n"),
			"labs/scale-web/alternatives/notes.txt: alternatives/ holds only .sh scripts"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := load(t, tc.files)
			for _, p := range ps {
				if strings.HasPrefix(p.String(), tc.want) {
					if len(ps) != 1 {
						t.Errorf("want one problem, got:\n%v", ps)
					}
					return
				}
			}
			t.Errorf("want %q, got:\n%v", tc.want, ps)
		})
	}
}

func TestNearMissesLoad(t *testing.T) {
	files := testcontent.LabFiles("scale-web")
	files["labs/scale-web/nearmiss/two-replicas.sh"] = "#!/bin/sh\n# fails: scale/replicas\nkubectl scale deployment web --replicas=2\n"
	c, ps := load(t, files)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	b := c.bundles.Lab("scale-web")
	if len(b.NearMisses) != 1 || b.NearMisses[0].Name != "two-replicas" || b.NearMisses[0].Fails[0] != "scale/replicas" {
		t.Errorf("near misses = %+v", b.NearMisses)
	}
}

func TestAlternativesLoad(t *testing.T) {
	files := testcontent.LabFiles("scale-web")
	files["labs/scale-web/alternatives/patch.sh"] = "#!/bin/sh\nkubectl patch deployment web -p '{\"spec\":{\"replicas\":3}}'\n"
	c, ps := load(t, files)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	b := c.bundles.Lab("scale-web")
	if len(b.Alternatives) != 1 || b.Alternatives[0].Name != "patch" || !strings.Contains(string(b.Alternatives[0].Script), "kubectl patch") {
		t.Errorf("alternatives = %+v", b.Alternatives)
	}
}
