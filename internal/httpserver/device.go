package httpserver

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"time"
)

// deviceCookie marks a browser that has signed in to an account before. Its value is a random
// device id and an HMAC of the id and the (lower-cased) username under a key the server draws
// at start, so it cannot be forged, and is worthless for any other account. Failed sign-ins
// from such a device count against the device, not the account: someone guessing passwords
// elsewhere cannot keep the owner out. A restart draws a new key, and devices are then
// treated as new until their next successful sign-in.
const (
	deviceCookie = "kcnaprep_device"
	deviceMaxAge = 180 * 24 * time.Hour
)

func newDeviceKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k) // crypto/rand.Read never fails (Go 1.24+)
	return k
}

func (s *Server) deviceMAC(id, username string) string {
	m := hmac.New(sha256.New, s.deviceKey)
	m.Write([]byte(id + "|" + strings.ToLower(username)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// knownDevice returns the device id if the request carries a valid device cookie for username.
func (s *Server) knownDevice(r *http.Request, username string) (string, bool) {
	c, err := r.Cookie(deviceCookie)
	if err != nil {
		return "", false
	}
	id, mac, ok := strings.Cut(c.Value, ".")
	if !ok || id == "" || !hmac.Equal([]byte(mac), []byte(s.deviceMAC(id, username))) {
		return "", false
	}
	return id, true
}

// rememberDevice sets the device cookie for username after a successful sign-in.
func (s *Server) rememberDevice(w http.ResponseWriter, r *http.Request, username string) {
	id, ok := s.knownDevice(r, username)
	if !ok {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		id = base64.RawURLEncoding.EncodeToString(b)
	}
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: id + "." + s.deviceMAC(id, username), Path: "/",
		MaxAge: int(deviceMaxAge.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.sessions != nil && s.sessions.Cookie.Secure})
}

// clientAddr is the key of the per-address limit: the peer's IP (an IPv6 client by its /64,
// which one host usually holds whole). Forwarding headers are not trusted: a proxy in front
// makes every client one address, which the limit's burst allows for.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String()
	}
	return ip.String()
}
