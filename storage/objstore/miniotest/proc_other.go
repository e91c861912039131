//go:build !linux

package miniotest

import "os/exec"

// killWithParent is a no-op where the kernel cannot tie the server's life
// to the test process.
func killWithParent(*exec.Cmd) {}
