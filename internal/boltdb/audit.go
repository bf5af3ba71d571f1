package boltdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// AuditEntry records who changed what, and when: role grants now, and
// membership changes as associations arrive.
type AuditEntry struct {
	At      time.Time `json:"at"`
	Actor   int64     `json:"actor"`             // the user who acted
	Action  string    `json:"action"`            // e.g. "coordinator.grant"
	Subject int64     `json:"subject,omitempty"` // the user acted upon
	// Association is the association concerned, if any; its log lists it.
	Association uint64 `json:"association,omitempty"`
	Note        string `json:"note,omitempty"`
}

// Audit appends an entry, stamped with the transaction's time.
func (tx *Tx) Audit(e AuditEntry) error {
	b := tx.tx.Bucket(bucketAudit)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.At = tx.now
	key := make([]byte, 16)
	binary.BigEndian.PutUint64(key, uint64(e.At.UnixNano()))
	binary.BigEndian.PutUint64(key[8:], seq)
	if err := putJSON(b, key, &e); err != nil {
		return err
	}
	if e.Association != 0 {
		return tx.tx.Bucket(bucketAuditByAssoc).Put(append(itob(e.Association), key...), nil)
	}
	return nil
}

// AssociationLog returns an association's audit entries, oldest first.
func (tx *Tx) AssociationLog(aid uint64) ([]AuditEntry, error) {
	var out []AuditEntry
	prefix := itob(aid)
	audit := tx.tx.Bucket(bucketAudit)
	c := tx.tx.Bucket(bucketAuditByAssoc).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		var e AuditEntry
		if err := tx.getJSON(audit, k[8:], &e); err != nil {
			return nil, fmt.Errorf("audit entry of association %d: %w", aid, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// AuditLog returns the entries in time order, optionally only those about
// one subject (0 means all).
func (db *DB) AuditLog(subject int64) ([]AuditEntry, error) {
	var out []AuditEntry
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAudit).ForEach(func(k, v []byte) error {
			var e AuditEntry
			if err := db.decode(v, &e); err != nil {
				return fmt.Errorf("decode audit entry: %w", err)
			}
			if subject == 0 || e.Subject == subject {
				out = append(out, e)
			}
			return nil
		})
	})
	return out, err
}
