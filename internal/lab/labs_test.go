package lab_test

import (
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/check"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
)

// TestRepoLabs: the repository's labs load against the real curriculum, cover every domain,
// and use both scopes.
func TestRepoLabs(t *testing.T) {
	cat := testenv.MustLoadRepoContent(t).Catalog
	if len(cat.Labs) < 15 {
		t.Errorf("%d labs, want at least 15", len(cat.Labs))
	}
	scopes := map[string]int{}
	for _, l := range cat.Labs {
		scopes[l.Scope]++
	}
	for _, d := range cat.Domains {
		if len(d.Labs) == 0 {
			t.Errorf("domain %s has no lab", d.ID)
		}
	}
	if scopes[domain.LabScopeNamespace] == 0 || scopes[domain.LabScopeCluster] == 0 {
		t.Errorf("scopes = %v, want both", scopes)
	}
}

// TestNearMissesCoverEveryCheckKind: for each kind of check, some lab has a near miss that one
// of its checks of that kind must catch, so CI proves every kind rejects near misses.
func TestNearMissesCoverEveryCheckKind(t *testing.T) {
	covered := map[check.Kind][]string{}
	c := testenv.MustLoadRepoContent(t)
	for _, l := range c.Catalog.Labs {
		b := c.Bundles.Lab(l.ID)
		for _, nm := range b.NearMisses {
			for _, ref := range nm.Fails {
				c := b.Check(ref)
				covered[c.Kind] = append(covered[c.Kind], l.ID+"/"+nm.Name)
			}
		}
	}
	for _, k := range []check.Kind{check.KindObject, check.KindList, check.KindHTTP, check.KindAccess, check.KindConnect, check.KindTraffic} {
		if len(covered[k]) == 0 {
			t.Errorf("no near miss exercises a %s check", k)
		}
	}
}
