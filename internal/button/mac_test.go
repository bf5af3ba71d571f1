package button

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"sync"
	"testing"
)

// refMAC is the signature as the first builds computed it: buttons sent
// by them must still be read.
func refMAC(secret []byte, chatID int64, body string) string {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(strconv.FormatInt(chatID, 10)))
	h.Write([]byte{0})
	h.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))[:macLen]
}

// TestMACUnchanged: the pooled HMAC signs as a fresh one does, with two
// secrets taking turns (a pooled HMAC of the other secret is not used)
// and from many goroutines.
func TestMACUnchanged(t *testing.T) {
	secrets := [][]byte{[]byte("first secret of 32 bytes........"), []byte("another")}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				secret := secrets[i%2]
				chatID := int64(i*7919) - 500
				body := "1:rv:" + strconv.Itoa(i) + ":y"
				if got, want := (Codec{Secret: secret}).mac(chatID, body), refMAC(secret, chatID, body); got != want {
					t.Errorf("mac(%d, %q) = %q, want %q", chatID, body, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkMAC(b *testing.B) {
	c := Codec{Secret: []byte("first secret of 32 bytes........")}
	b.Run("pooled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.mac(123456789, "1:ev:42")
		}
	})
	b.Run("fresh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			refMAC(c.Secret, 123456789, "1:ev:42")
		}
	})
}
