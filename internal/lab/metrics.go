package lab

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the lab engine's Prometheus metrics; the HTTP server registers them beside its
// own (Collectors) and serves them on /metrics.
type metrics struct {
	poolReady prometheus.Gauge
	start     *prometheus.HistogramVec
	check     prometheus.Histogram
}

func newMetrics() *metrics {
	return &metrics{
		poolReady: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kcnaprep_lab_pool_ready",
			Help: "Lab environments prepared in advance and ready to claim.",
		}),
		start: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kcnaprep_lab_start_seconds",
			Help:    "Time from a learner's Start to the lab being ready, by path: warm (a pooled environment) or cold.",
			Buckets: []float64{0.5, 1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300},
		}, []string{"path"}),
		check: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "kcnaprep_lab_check_seconds",
			Help:    "Time to grade a learner's lab (a whole Check).",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 50},
		}),
	}
}

// Collectors returns the lab engine's metrics for a Prometheus registry.
func (s *Service) Collectors() []prometheus.Collector {
	return []prometheus.Collector{s.metrics.poolReady, s.metrics.start, s.metrics.check}
}
