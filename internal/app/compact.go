package app

import (
	"fmt"
	"net"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
)

// Compact replaces the database at dataPath by a compacted copy, with
// the bot stopped: its socket must not answer, and the database's lock
// is held throughout (see boltdb.Compact). The file as it was is kept as
// <dataPath>.before-compact-<time> (a hard link: no space is used until
// the compacted file is written), to be deleted once the bot runs well.
func Compact(dataPath string, openTimeout time.Duration, now time.Time) (boltdb.Compacted, error) {
	if conn, err := net.DialTimeout("unix", BackupSocket(dataPath), time.Second); err == nil {
		conn.Close()
		return boltdb.Compacted{}, fmt.Errorf("compact: the bot is running (it answers on %s); stop it first, or run `mmobot backup`, which writes a compacted copy while it runs", BackupSocket(dataPath))
	}
	stamp := now.UTC().Format("20060102-150405")
	keep := dataPath + ".before-compact-" + stamp
	for i := 2; fileExists(keep); i++ {
		keep = fmt.Sprintf("%s.before-compact-%s-%d", dataPath, stamp, i)
	}
	return boltdb.Compact(dataPath, keep, openTimeout)
}
