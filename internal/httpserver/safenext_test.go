package httpserver

import "testing"

// safeNext lets only clean same-site paths through (issue 14, point 5). The cases are the
// values as the handler sees them, after the query or form decoding.
func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/domains/alpha", "/domains/alpha"},
		{"/search?q=pods&x=1", "/search?q=pods&x=1"},
		{"/exams/3/q/2", "/exams/3/q/2"},
		{"/lessons/a%20b", "/lessons/a%20b"},
		{"", "/"},
		{"domains/alpha", "/"},
		{"//evil.example/x", "/"},
		{"/\\evil.example/x", "/"},
		{"/\t/host/x", "/"},           // next=/%09/host/x once decoded
		{"/%09/host/x", "/"},          // next=/%2509/host/x: the tab is one decoding away
		{"/\n/host/x", "/"},           // newline
		{"/\r\nSet-Cookie: a=b", "/"}, // header injection
		{"/%2F/evil.example", "/"},    // "//" once decoded
		{"/%5Cevil.example", "/"},     // "/\" once decoded
		{"/x\\y", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"/\x00", "/"},
		{"/\x7f", "/"},
		{"/\u0085x", "/"}, // a C1 control
		{"/%zz", "/"},     // not decodable
		{" /domains", "/"},
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
