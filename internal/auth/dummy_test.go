package auth

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// The dummy hash must cost what real hashes cost, or a login for an unknown user would be
// faster than a wrong password and tell which usernames exist.
func TestDummyHashCost(t *testing.T) {
	c, err := bcrypt.Cost(dummyHash)
	if err != nil {
		t.Fatalf("dummy hash: %v", err)
	}
	if c != Cost {
		t.Errorf("dummy hash cost %d, new hashes cost %d", c, Cost)
	}
}
