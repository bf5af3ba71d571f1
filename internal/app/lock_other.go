//go:build !unix

package app

import (
	"errors"
	"os"
)

// lockFile cannot take bbolt's lock on this system, so a restore is
// refused rather than risked under a running bot.
func lockFile(*os.File) error {
	return errors.New("this system cannot check for a running bot; stop it and copy the file by hand")
}
