package ocr

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>

typedef void (*omp_set_fn)(int);

// ocr_omp_single_thread makes OpenMP parallel regions started from the
// calling thread inactive (max-active-levels 0), so they run on that thread
// alone even when the code asks for num_threads(N), as Tesseract's LSTM
// does; omp_set_num_threads would not override that clause. It reports
// whether an OpenMP runtime is loaded (Tesseract links libgomp).
static int ocr_omp_single_thread(void) {
	omp_set_fn f = (omp_set_fn)dlsym(RTLD_DEFAULT, "omp_set_max_active_levels");
	if (f == 0) return 0;
	f(0);
	return 1;
}
*/
import "C"

// ompSingleThread limits Tesseract's OpenMP parallel regions started from
// the calling OS thread to one thread (measured: a page took 18 s with the
// default threads on the loaded 2-core machine, 5–7 s single-threaded). It is needed in addition to
// OMP_THREAD_LIMIT because libgomp reads its environment when the shared
// library is loaded, before any Go code runs: setting the variable from Go
// only helps child processes. The setting is per thread, so callers lock
// the goroutine to its thread around the Tesseract calls.
func ompSingleThread() bool { return C.ocr_omp_single_thread() != 0 }
