package boltdb

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Files too large for one short write transaction — a part of a school
// year's archive is megabytes, and a transaction of 8 MB took up to a
// third of a second on the benchmarks' machine, holding every update up —
// are stored as blobs: in chunks of blobChunk, each written in a
// transaction of its own, under a header that says when the blob was
// begun and, once its last chunk is in, how long it is. A message then
// names the blob (chat.StoreFiles) and its transport reads the bytes when
// it sends, outside any write. Blobs are removed by age (PurgeBlobs),
// well after their messages went, or gave up.

// bucketBlobs maps a blob id and a chunk number (4 bytes) to the chunk,
// and the id with chunk number blobHeader to the header: the time the
// blob was begun and its length (8 bytes each), the length 0 until the
// last chunk is in.
var bucketBlobs = []byte("blobs")

// blobChunk is the size of a blob's chunk, each a write transaction of a
// few milliseconds.
const blobChunk = 256 << 10

// blobHeader is the chunk number of a blob's header.
const blobHeader = 0xffffffff

func migrateBlobs(tx *bolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketBlobs)
	return err
}

func blobKey(id uint64, n uint32) []byte {
	return binary.BigEndian.AppendUint32(itob(id), n)
}

// PutBlob stores data as a new blob, a chunk per write transaction, and
// returns its id. A blob cut short (a failed write, a stop) has no length
// and is never read; PurgeBlobs removes it with the others of its age.
func (db *DB) PutBlob(data []byte) (uint64, error) {
	if len(data) == 0 {
		return 0, fmt.Errorf("put blob: no data")
	}
	var id uint64
	if err := db.update(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketBlobs)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		id = seq
		return b.Put(blobKey(id, blobHeader), blobHeaderValue(db.now(), 0))
	}); err != nil {
		return 0, fmt.Errorf("put blob: %w", err)
	}
	for n := 0; n*blobChunk < len(data); n++ {
		chunk := data[n*blobChunk : min((n+1)*blobChunk, len(data))]
		last := (n+1)*blobChunk >= len(data)
		if err := db.update(func(btx *bolt.Tx) error {
			b := btx.Bucket(bucketBlobs)
			if err := b.Put(blobKey(id, uint32(n)), chunk); err != nil {
				return err
			}
			if !last {
				return nil
			}
			h := b.Get(blobKey(id, blobHeader))
			if len(h) != 16 {
				return fmt.Errorf("blob %d lost its header", id)
			}
			return b.Put(blobKey(id, blobHeader), blobHeaderValue(time.Unix(int64(btoi(h[:8])), 0), len(data)))
		}); err != nil {
			return 0, fmt.Errorf("put blob %d, chunk %d: %w", id, n, err)
		}
	}
	return id, nil
}

func blobHeaderValue(begun time.Time, length int) []byte {
	return binary.BigEndian.AppendUint64(itob(uint64(begun.Unix())), uint64(length))
}

// Blob returns the bytes of a blob, or mmo.ErrNotFound for one removed or
// never finished.
func (db *DB) Blob(id uint64) ([]byte, error) {
	var out []byte
	err := db.bolt.View(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketBlobs)
		h := b.Get(blobKey(id, blobHeader))
		if len(h) != 16 || btoi(h[8:]) == 0 {
			return mmo.ErrNotFound
		}
		length := int(btoi(h[8:]))
		out = make([]byte, 0, length)
		c := b.Cursor()
		prefix := itob(id)
		for k, v := c.Seek(prefix); k != nil && len(k) == 12 && string(k[:8]) == string(prefix) && binary.BigEndian.Uint32(k[8:]) != blobHeader; k, v = c.Next() {
			out = append(out, v...)
		}
		if len(out) != length {
			return fmt.Errorf("blob %d: %d of %d bytes", id, len(out), length)
		}
		return nil
	})
	return out, err
}

// PurgeBlobs removes the blobs begun before cut, finished or not, one
// blob per write transaction; it writes nothing when there are none, and
// returns how many it removed.
func (db *DB) PurgeBlobs(cut time.Time) (int, error) {
	var old []uint64
	if err := db.bolt.View(func(btx *bolt.Tx) error {
		return btx.Bucket(bucketBlobs).ForEach(func(k, v []byte) error {
			if len(k) == 12 && binary.BigEndian.Uint32(k[8:]) == blobHeader && len(v) == 16 && int64(btoi(v[:8])) < cut.Unix() {
				old = append(old, btoi(k[:8]))
			}
			return nil
		})
	}); err != nil {
		return 0, err
	}
	for i, id := range old {
		if err := db.update(func(btx *bolt.Tx) error {
			c := btx.Bucket(bucketBlobs).Cursor()
			prefix := itob(id)
			for k, _ := c.Seek(prefix); k != nil && string(k[:8]) == string(prefix); k, _ = c.Seek(prefix) {
				if err := c.Delete(); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return i, fmt.Errorf("purge blob %d: %w", id, err)
		}
	}
	return len(old), nil
}
