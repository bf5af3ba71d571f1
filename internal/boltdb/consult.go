package boltdb

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// CreateConsultation stores a new request with its indexes and sets its ID
// (the number the asker is told).
func (tx *Tx) CreateConsultation(c *mmo.Consultation) error {
	b := tx.tx.Bucket(bucketConsults)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	c.ID = seq
	if err := putJSON(b, itob(seq), c); err != nil {
		return err
	}
	if err := tx.tx.Bucket(bucketConsultsByAssoc).Put(append(itob(c.AssociationID), itob(seq)...), nil); err != nil {
		return err
	}
	if err := tx.tx.Bucket(bucketConsultsByTime).Put(timeIDKey(c.CreatedAt, seq), nil); err != nil {
		return err
	}
	if err := tx.indexConsultation(nil, c); err != nil {
		return err
	}
	return tx.tx.Bucket(bucketConsultsByAsker).Put(append(itob(uint64(c.AskerID)), itob(seq)...), nil)
}

// Consultation returns a request, or mmo.ErrNotFound.
func (tx *Tx) Consultation(id uint64) (*mmo.Consultation, error) {
	var c mmo.Consultation
	if err := tx.getJSON(tx.tx.Bucket(bucketConsults), itob(id), &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// PutConsultation saves a request (the association, the asker and the
// creation time never change), moving its deadline index entry.
func (tx *Tx) PutConsultation(c *mmo.Consultation) error {
	old, err := tx.Consultation(c.ID)
	if err != nil {
		return fmt.Errorf("put consultation %d: %w", c.ID, err)
	}
	if err := tx.indexConsultation(old, c); err != nil {
		return err
	}
	return putJSON(tx.tx.Bucket(bucketConsults), itob(c.ID), c)
}

func (tx *Tx) consultsBy(bucket []byte, key uint64) ([]*mmo.Consultation, error) {
	var out []*mmo.Consultation
	prefix := itob(key)
	c := tx.tx.Bucket(bucket).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		r, err := tx.Consultation(btoi(k[8:]))
		if err != nil {
			return nil, fmt.Errorf("consultation index: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// AssociationConsultations returns an association's requests, oldest first.
func (tx *Tx) AssociationConsultations(aid uint64) ([]*mmo.Consultation, error) {
	return tx.consultsBy(bucketConsultsByAssoc, aid)
}

// UserConsultations returns the requests a user asked, oldest first.
func (tx *Tx) UserConsultations(uid int64) ([]*mmo.Consultation, error) {
	return tx.consultsBy(bucketConsultsByAsker, uint64(uid))
}

// Consultations calls fn for every request until fn returns false.
func (tx *Tx) Consultations(fn func(*mmo.Consultation) bool) error {
	c := tx.tx.Bucket(bucketConsults).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var r mmo.Consultation
		if err := tx.decode(v, &r); err != nil {
			return fmt.Errorf("decode consultation %d: %w", btoi(k), err)
		}
		if !fn(&r) {
			return nil
		}
	}
	return nil
}

// AddConsultMessage appends a message to a request's conversation and sets
// its Seq.
func (tx *Tx) AddConsultMessage(m *mmo.ConsultMessage) error {
	b := tx.tx.Bucket(bucketConsultMessages)
	prefix := itob(m.ConsultID)
	seq := 1
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		seq = int(binary.BigEndian.Uint32(k[8:])) + 1
	}
	m.Seq = seq
	k := make([]byte, 12)
	copy(k, prefix)
	binary.BigEndian.PutUint32(k[8:], uint32(seq))
	return putJSON(b, k, m)
}

// ConsultMessages returns a request's conversation in order.
func (tx *Tx) ConsultMessages(id uint64) ([]*mmo.ConsultMessage, error) {
	var out []*mmo.ConsultMessage
	prefix := itob(id)
	c := tx.tx.Bucket(bucketConsultMessages).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var m mmo.ConsultMessage
		if err := tx.decode(v, &m); err != nil {
			return nil, fmt.Errorf("decode consultation message: %w", err)
		}
		out = append(out, &m)
	}
	return out, nil
}

// DeleteConsultation removes a request with its indexes and conversation
// (retention).
func (tx *Tx) DeleteConsultation(id uint64) error {
	c, err := tx.Consultation(id)
	if err != nil {
		return err
	}
	if err := tx.tx.Bucket(bucketConsultsByAssoc).Delete(append(itob(c.AssociationID), itob(id)...)); err != nil {
		return err
	}
	if err := tx.tx.Bucket(bucketConsultsByAsker).Delete(append(itob(uint64(c.AskerID)), itob(id)...)); err != nil {
		return err
	}
	if err := tx.tx.Bucket(bucketConsultsByTime).Delete(timeIDKey(c.CreatedAt, id)); err != nil {
		return err
	}
	if err := tx.indexConsultation(c, nil); err != nil {
		return err
	}
	b := tx.tx.Bucket(bucketConsultMessages)
	prefix := itob(id)
	cur := b.Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Seek(prefix) {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return tx.tx.Bucket(bucketConsults).Delete(itob(id))
}
