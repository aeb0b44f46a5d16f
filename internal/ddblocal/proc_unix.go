//go:build unix

package ddblocal

import (
	"os"
	"syscall"
)

func killGroup(pid int, sig syscall.Signal) error {
	return syscall.Kill(-pid, sig)
}

// lockFile takes an exclusive flock on path and returns the unlock function.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}
