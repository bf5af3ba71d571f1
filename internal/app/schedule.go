package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/chat"
)

// Scheduled backups (config backup.*): every backup.every, by the bot's
// clock, a compacted copy of the database is written to backup.dir as
// <name>-<UTC date>-<time><ext> (mmo-20261123-090000.db), through a
// temporary file that takes the name only once it was synced and opened
// as a whole database; 0600; then all but the newest backup.keep of
// those names are deleted, and nothing else in the directory ever is.
// When the bot starts, the newest backup there says when the next is due,
// so a restart neither skips one nor writes one early.
//
// A backup that fails is logged, counted in the metrics and told to the
// administrators in their language, and tried again after retryBackup;
// while backups keep failing the administrators hear of it again once a
// day, and once more when they work again.

// DefaultBackupCheck is how often the schedule looks at the clock.
const DefaultBackupCheck = time.Minute

// backupTime is the layout of the time in a backup's name.
const backupTime = "20060102-150405"

// backupFile is a scheduled backup found in the directory.
type backupFile struct {
	name string
	at   time.Time
	size int64
}

// backupName is the name of a backup of dataPath written at t.
func backupName(dataPath string, t time.Time) string {
	stem, ext := backupStem(dataPath)
	return stem + "-" + t.UTC().Format(backupTime) + ext
}

func backupStem(dataPath string) (stem, ext string) {
	base := filepath.Base(dataPath)
	ext = filepath.Ext(base)
	return strings.TrimSuffix(base, ext), ext
}

// listBackups returns the scheduled backups of dataPath in dir, oldest
// first. Only names backupName gives are listed.
func listBackups(dir, dataPath string) ([]backupFile, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	stem, ext := backupStem(dataPath)
	var out []backupFile
	for _, e := range entries {
		mid, ok := strings.CutPrefix(e.Name(), stem+"-")
		if !ok || !e.Type().IsRegular() {
			continue
		}
		if mid, ok = strings.CutSuffix(mid, ext); !ok {
			continue
		}
		at, err := time.Parse(backupTime, mid)
		if err != nil || backupName(dataPath, at) != e.Name() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, backupFile{name: e.Name(), at: at, size: fi.Size()})
	}
	slices.SortFunc(out, func(a, b backupFile) int { return a.at.Compare(b.at) })
	return out, nil
}

// removeUnfinished deletes what a backup cut short (the bot killed
// during one) left in dir: the temporary files of backupName's names.
// Only the bot that holds the database writes backups of it, so none is
// in progress.
func removeUnfinished(dir, dataPath string, log *slog.Logger) {
	stem, ext := backupStem(dataPath)
	left, _ := filepath.Glob(filepath.Join(dir, stem+"-*"+ext+".*"))
	for _, path := range left {
		name, _, _ := strings.Cut(filepath.Base(path), ext+".")
		rest := strings.TrimPrefix(filepath.Base(path), name+ext+".")
		at, err := time.Parse(backupTime, strings.TrimPrefix(name, stem+"-"))
		if err != nil || backupName(dataPath, at) != name+ext ||
			!strings.HasPrefix(rest, "snapshot-") && !strings.HasPrefix(rest, "tmp-") {
			continue
		}
		if err := os.Remove(path); err == nil {
			log.Info("scheduled backups: removed what an interrupted one left", "file", path)
		}
	}
}

// retryBackup is how long after a failed backup it is tried again.
func (m *Main) retryBackup() time.Duration { return min(m.Config.Backup.Every, time.Hour) }

// alertAgain is how often administrators hear of backups that keep
// failing.
const alertAgain = 24 * time.Hour

// runBackups writes the scheduled backups until ctx is done. A backup in
// progress then is abandoned (see boltdb.DB.BackupCompacted), so that a
// bot told to stop does not wait for it: runBackups returns at once (a
// plain copy being taken stops at its next write), and what the
// compaction leaves if the process exits before it ends is removed at the
// next start (removeUnfinished).
func (m *Main) runBackups(ctx context.Context) {
	every := m.Config.Backup.Every
	if every <= 0 {
		return
	}
	dir := m.Config.BackupDir()
	check := m.BackupCheck
	if check <= 0 {
		check = DefaultBackupCheck
	}
	removeUnfinished(dir, m.Config.Data.Path, m.Log)
	var next time.Time // due now, unless a backup on disk says otherwise
	if have, err := listBackups(dir, m.Config.Data.Path); err != nil {
		m.Log.Warn("scheduled backups: cannot list the directory", "dir", dir, "error", err)
	} else if len(have) > 0 {
		last := have[len(have)-1]
		next = last.at.Add(every)
		m.lastBackup = last.at
		m.Metrics.SetLastBackup(last.at, last.size)
	}
	m.Log.Info("scheduled backups", "dir", dir, "every", every.String(), "keep", m.Config.Backup.Keep)
	tick := time.NewTicker(check)
	defer tick.Stop()
	for {
		now := m.Now()
		var wrote string
		var err error
		if !now.Before(next) {
			wrote, err = m.scheduledBackup(ctx, dir, now)
			if err == nil {
				next = now.Add(every)
			} else {
				next = now.Add(m.retryBackup())
			}
		}
		if m.OnBackupCheck != nil {
			m.OnBackupCheck(now, wrote, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// scheduledBackup writes one backup at now and prunes the old ones; it
// returns the file written.
func (m *Main) scheduledBackup(ctx context.Context, dir string, now time.Time) (string, error) {
	path := filepath.Join(dir, backupName(m.Config.Data.Path, now))
	started := time.Now()
	n, err := m.writeBackup(ctx, dir, path)
	if err != nil && ctx.Err() != nil {
		// Not a failure: the next start writes it, since it is due.
		m.Log.Info("scheduled backup abandoned: the bot is stopping", "file", path)
		return "", err
	}
	if err != nil {
		m.Metrics.BackupFailed()
		m.Log.Error("scheduled backup failed", "dir", dir, "error", err, "retry_in", m.retryBackup().String())
		if m.failingSince.IsZero() {
			m.failingSince = now
		}
		if m.alertedAt.IsZero() || now.Sub(m.alertedAt) >= alertAgain {
			m.alertedAt = now
			m.alert(chat.BackupAlert{Err: err, Dir: dir, Last: m.lastBackup, Retry: now.Add(m.retryBackup())})
		}
		return "", err
	}
	m.Metrics.BackupDone(now, n)
	m.Log.Info("scheduled backup written", "file", path, "bytes", n, "took", time.Since(started).Round(time.Millisecond).String())
	m.lastBackup = now
	if !m.failingSince.IsZero() {
		m.alert(chat.BackupAlert{Dir: dir, File: path})
		m.failingSince, m.alertedAt = time.Time{}, time.Time{}
	}
	m.pruneBackups(dir)
	return path, nil
}

func (m *Main) writeBackup(ctx context.Context, dir, path string) (int64, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, err
	}
	if err := refuseOwnFiles(m.Config.Data.Path, path); err != nil {
		return 0, err
	}
	return m.DB.BackupCompacted(ctx, path)
}

func (m *Main) alert(a chat.BackupAlert) {
	if err := m.Engine.AlertBackup(a); err != nil {
		m.Log.Error("tell the administrators about the backups", "error", err)
	}
}

// pruneBackups deletes all but the newest backup.keep backups.
func (m *Main) pruneBackups(dir string) {
	have, err := listBackups(dir, m.Config.Data.Path)
	if err != nil {
		m.Log.Warn("scheduled backups: cannot list the directory to prune it", "dir", dir, "error", err)
		return
	}
	for len(have) > m.Config.Backup.Keep {
		path := filepath.Join(dir, have[0].name)
		if err := os.Remove(path); err != nil {
			m.Log.Warn("scheduled backups: cannot delete an old one", "file", path, "error", err)
		} else {
			m.Log.Info("scheduled backups: deleted an old one", "file", path)
		}
		have = have[1:]
	}
}
