package app

import (
	"runtime"
	"testing"
)

// BenchmarkLoadCatalog loads and validates the embedded content the way the server does at
// start (lessons, questions, lab bundles with their CEL checks compiled). Besides time and
// allocations per load it reports MiB-retained: the live heap one loaded catalog keeps.
//
//	go test -run '^$' -bench LoadCatalog -benchmem ./internal/app/
func BenchmarkLoadCatalog(b *testing.B) {
	var retained float64
	for b.Loop() {
		var before, after runtime.MemStats
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		cat, err := LoadCatalog("")
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(cat)
		retained += float64(after.HeapAlloc) - float64(before.HeapAlloc)
		b.StartTimer()
	}
	b.ReportMetric(retained/float64(b.N)/(1<<20), "MiB-retained")
}
