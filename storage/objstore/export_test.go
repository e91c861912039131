package objstore

// SetCopyLimit changes the size above which S3 copies in parts, for tests,
// and returns a function restoring it.
func SetCopyLimit(n int64) (restore func()) {
	old := copyLimit
	copyLimit = n
	return func() { copyLimit = old }
}
