//go:build unix

package app

import (
	"os"
	"syscall"
)

// lockFile takes the lock a running bot holds on its database (bbolt's
// exclusive flock), without waiting; it is released when f is closed.
func lockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
