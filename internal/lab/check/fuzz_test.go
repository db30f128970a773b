package check

import (
	"context"
	"io/fs"
	"regexp"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/labs"
)

// celLine finds the expect and observed expressions of the real labs, for seeds.
var celLine = regexp.MustCompile(`(?m)^\s*(?:expect|observed):\s*(.+)$`)

// FuzzCheckExpression compiles a lab check's CEL expressions (lab bundles are outside input)
// and evaluates what compiles against a Deployment: neither may panic or run unbounded.
func FuzzCheckExpression(f *testing.F) {
	_ = fs.WalkDir(labs.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := fs.ReadFile(labs.FS, p)
		for _, m := range celLine.FindAllSubmatch(data, -1) {
			f.Add(string(m[1]), "object.spec.replicas")
		}
		return nil
	})
	f.Add("object.spec.replicas == 3", "object.spec.replicas")
	f.Add("object.status.?readyReplicas.orValue(0) == 3", "")
	f.Add("quantity(object.spec.template.spec.containers[0].resources.requests.cpu) > 0.1", "[1,2].map(x, x * 2)")
	dep := &Target{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}
	obj := deployment(3, 2, "kcnaprep.local/labapp:1.0")
	f.Fuzz(func(t *testing.T, expect, observed string) {
		c, errs := Compile(Spec{ID: "fuzz", Message: "fuzz", Object: dep, Expect: expect, Observed: observed})
		if c == nil || len(errs) > 0 {
			for _, e := range errs {
				if e.Msg == "" || e.Field == "" {
					t.Fatalf("problem without field or message: %+v", e)
				}
			}
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.eval(ctx, map[string]any{"object": obj})
	})
}
