package labimage

import (
	"crypto/tls"
	"net/http"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// insecureTransport is the default transport without TLS verification (a classroom registry
// with a self-signed certificate, pushed to with --insecure).
func insecureTransport() http.RoundTripper {
	t := remote.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for with --insecure
	return t
}
