package composite

import (
	"runtime"
	"sync"
)

// parallelFor runs f over [0, n) split into contiguous chunks of at least
// minChunk items, on up to workers goroutines (0 means GOMAXPROCS). Each
// index is processed exactly once and results written per index, so the
// outcome does not depend on the number of workers. All goroutines end
// before it returns.
func parallelFor(n, workers, minChunk int, f func(lo, hi int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	chunks := min(workers, max(1, n/max(minChunk, 1)))
	if chunks <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for c := range chunks {
		lo, hi := c*n/chunks, (c+1)*n/chunks
		wg.Go(func() { f(lo, hi) })
	}
	wg.Wait()
}
