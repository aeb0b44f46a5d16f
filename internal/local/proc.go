//go:build unix

// Package localproc holds what the local tools need to install and start
// helper processes (DynamoDB Local, the Lambda Runtime Interface Emulator):
// an install lock shared by parallel test binaries, and a free loopback port.
package local

import (
	"net"
	"os"
	"syscall"
)

// Lock takes an exclusive lock on the file at path (creating it), waiting for
// other processes that hold it, and returns the function that releases it.
func Lock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}

// FreePort returns a loopback TCP port that was free a moment ago, for a
// child process to listen on.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
