package labimage_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/kcnaprep/kcnaprep/internal/lab/labimage"
)

func TestTarget(t *testing.T) {
	src := name.MustParseReference("kcnaprep.local/toolbox:v1.37.2-0123456789ab").(name.Tag)
	for registry, want := range map[string]string{
		"registry.example:5000":              "registry.example:5000/toolbox:v1.37.2-0123456789ab",
		"https://registry.example/kcnaprep/": "registry.example/kcnaprep/toolbox:v1.37.2-0123456789ab",
		"127.0.0.1:5000/class-a":             "127.0.0.1:5000/class-a/toolbox:v1.37.2-0123456789ab",
	} {
		got, err := labimage.Target(registry, src)
		if err != nil || got.String() != want {
			t.Errorf("Target(%q) = %v, %v; want %s", registry, got, err, want)
		}
	}
	for _, bad := range []string{"", "Registry Example", "registry.example/UPPER"} {
		if got, err := labimage.Target(bad, src); err == nil {
			t.Errorf("Target(%q) = %v, want an error", bad, got)
		}
	}
}

// TestPushToRegistry pushes two images to go-containerregistry's registry (in process, over
// HTTP) and reads them back: same manifest digests, under the names Target gives.
func TestPushToRegistry(t *testing.T) {
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	mk := func(ref string, data string) labimage.Named {
		img, err := labimage.Static([]labimage.File{{Name: "hello", Mode: 0o644, Data: []byte(data)}}, "amd64",
			func(c *v1.Config) { c.Entrypoint = []string{"/hello"} })
		if err != nil {
			t.Fatal(err)
		}
		tag, err := name.NewTag(ref)
		if err != nil {
			t.Fatal(err)
		}
		return labimage.Named{Ref: tag, Image: img}
	}
	images := []labimage.Named{mk("kcnaprep.local/labapp:1.0", "app"), mk("kcnaprep.local/toolbox:v1-abc", "tools")}
	pushed, err := labimage.Push(context.Background(), host+"/class", images, labimage.PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pushed) != 2 {
		t.Fatalf("pushed %+v", pushed)
	}
	for i, p := range pushed {
		want, _ := images[i].Image.Digest()
		if p.Target != host+"/class/"+images[i].Ref.RepositoryStr()+":"+images[i].Ref.TagStr() || p.Digest != want {
			t.Errorf("pushed[%d] = %+v, want digest %s", i, p, want)
		}
		target, err := name.ParseReference(p.Target)
		if err != nil {
			t.Fatal(err)
		}
		desc, err := remote.Get(target)
		if err != nil {
			t.Fatalf("pull back %s: %v", p.Target, err)
		}
		if desc.Digest != want {
			t.Errorf("%s in the registry has digest %s, pushed %s", p.Target, desc.Digest, want)
		}
	}
	// A registry that is not there: an error naming the image and where it was going.
	srv.Close()
	_, err = labimage.Push(context.Background(), host, images[:1], labimage.PushOptions{})
	if err == nil || !strings.Contains(err.Error(), "kcnaprep.local/labapp:1.0") || !strings.Contains(err.Error(), host) {
		t.Errorf("push to a closed registry: %v", err)
	}
}
