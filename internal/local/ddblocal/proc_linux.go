//go:build linux

package ddblocal

import "syscall"

// sysProcAttr puts DynamoDB Local in its own process group (so Stop can kill
// the JVM and anything it forks) and asks the kernel to kill it if the
// parent dies without calling Stop (e.g. a test binary that os.Exits).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
