package kind

import (
	"testing"
)

func kubeconfigFor(server string) []byte {
	return []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "` + server + `"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`)
}

// A cluster's admin client (and so its discovery) is built once and reused while its
// kubeconfig is unchanged; a new kubeconfig (a recreated cluster) or a deletion drops it.
func TestClientCachedPerCluster(t *testing.T) {
	b := New("test", t.TempDir())
	first, err := b.client("a", kubeconfigFor("https://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.client("a", kubeconfigFor("https://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Error("same cluster, same kubeconfig: the client was built again")
	}
	other, _ := b.client("b", kubeconfigFor("https://127.0.0.1:1"))
	if other == first {
		t.Error("two clusters share a client")
	}
	moved, _ := b.client("a", kubeconfigFor("https://127.0.0.1:2"))
	if moved == first || moved.Config.Host != "https://127.0.0.1:2" {
		t.Errorf("recreated cluster (new kubeconfig): got the old client for %s", moved.Config.Host)
	}
	b.forget("a")
	if n := b.cachedClients(); n != 1 {
		t.Errorf("after forgetting a, %d clients cached, want 1", n)
	}
	fresh, _ := b.client("a", kubeconfigFor("https://127.0.0.1:2"))
	if fresh == moved {
		t.Error("a deleted cluster's client was reused")
	}
	if _, err := b.client("c", []byte("not: [a kubeconfig")); err == nil {
		t.Error("a malformed kubeconfig gave a client")
	}
}
