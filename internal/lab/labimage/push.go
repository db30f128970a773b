package labimage

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Named is an image the lab engine puts on nodes, with the reference the nodes know it by
// (kcnaprep.local/...).
type Named struct {
	Ref   name.Tag
	Image v1.Image
}

// Pushed is an image pushed to a registry: where it went and its manifest digest.
type Pushed struct {
	Source string // kcnaprep.local/labapp:1.0
	Target string // REGISTRY/labapp:1.0
	Digest v1.Hash
}

// PushOptions configure Push.
type PushOptions struct {
	// Insecure allows plain HTTP and unverified TLS to the registry (localhost and loopback
	// registries are plain HTTP anyway).
	Insecure bool
	// Remote are extra go-containerregistry options (a transport, say). Credentials come from
	// the Docker config (~/.docker/config.json, what "docker login" writes) unless given here.
	Remote []remote.Option
}

// Target is where src goes in registry (host[:port][/path]): the repository without its
// kcnaprep.local registry, with the same tag, e.g. registry.example:5000/kcnaprep/labapp:1.0. A
// node whose container runtime mirrors kcnaprep.local to registry then pulls it under its
// usual name, the one lab texts and manifests use.
func Target(registry string, src name.Tag, opts ...name.Option) (name.Tag, error) {
	registry = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(registry, "https://"), "http://"), "/")
	if registry == "" {
		return name.Tag{}, fmt.Errorf("no registry: give one, e.g. registry.example:5000 or registry.example/kcnaprep")
	}
	t, err := name.NewTag(registry+"/"+src.RepositoryStr()+":"+src.TagStr(), append([]name.Option{name.StrictValidation}, opts...)...)
	if err != nil {
		return name.Tag{}, fmt.Errorf("registry %q: %w", registry, err)
	}
	return t, nil
}

// Push pushes each image to registry (see Target) and returns where each went. It stops at the
// first failure, naming the image and the registry.
func Push(ctx context.Context, registry string, images []Named, o PushOptions) ([]Pushed, error) {
	var nopts []name.Option
	ropts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	if o.Insecure {
		nopts = append(nopts, name.Insecure)
		ropts = append(ropts, remote.WithTransport(insecureTransport()))
	}
	ropts = append(ropts, o.Remote...)
	var out []Pushed
	for _, im := range images {
		dst, err := Target(registry, im.Ref, nopts...)
		if err != nil {
			return out, err
		}
		if err := remote.Write(dst, im.Image, ropts...); err != nil {
			return out, fmt.Errorf("push %s to %s: %w", im.Ref, dst, err)
		}
		d, err := im.Image.Digest()
		if err != nil {
			return out, fmt.Errorf("digest of %s: %w", im.Ref, err)
		}
		out = append(out, Pushed{Source: im.Ref.String(), Target: dst.String(), Digest: d})
	}
	return out, nil
}
