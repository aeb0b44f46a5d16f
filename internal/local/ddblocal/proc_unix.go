//go:build unix

package ddblocal

import "syscall"

func killGroup(pid int, sig syscall.Signal) error {
	return syscall.Kill(-pid, sig)
}
