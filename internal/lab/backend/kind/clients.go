package kind

import (
	"bytes"

	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
)

// Admin clients are cached per cluster: building one is cheap, but its discovery (the REST
// mapper every set-up and Check needs) costs round trips to the API server, and a Check used
// to pay them every time. A cached client is used while the cluster's kubeconfig file holds the
// same bytes (a recreated cluster writes a new one), and is forgotten when the cluster is
// deleted.

type cachedClient struct {
	kubeconfig []byte
	client     *kube.Client
}

// client returns the admin client of the cluster whose kubeconfig is data, building it only
// when the cluster has none cached for these bytes.
func (b *Backend) client(cluster string, data []byte) (*kube.Client, error) {
	b.clientsMu.Lock()
	c, ok := b.clients[cluster]
	b.clientsMu.Unlock()
	if ok && bytes.Equal(c.kubeconfig, data) {
		return c.client, nil
	}
	cfg, err := kube.ConfigFromKubeconfig(data)
	if err != nil {
		return nil, err
	}
	client, err := kube.New(cfg)
	if err != nil {
		return nil, err
	}
	b.clientsMu.Lock()
	b.clients[cluster] = cachedClient{kubeconfig: bytes.Clone(data), client: client}
	b.clientsMu.Unlock()
	return client, nil
}

// forget drops the cluster's cached client (the cluster is being deleted).
func (b *Backend) forget(cluster string) {
	b.clientsMu.Lock()
	delete(b.clients, cluster)
	b.clientsMu.Unlock()
}

// cachedClients is how many clusters have a cached client (tests).
func (b *Backend) cachedClients() int {
	b.clientsMu.Lock()
	defer b.clientsMu.Unlock()
	return len(b.clients)
}
