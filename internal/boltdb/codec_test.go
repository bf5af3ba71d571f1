package boltdb

import (
	stdjson "encoding/json"
	"strings"
	"testing"

	json "github.com/goccy/go-json"

	"github.com/mmobot/mmobot/internal/mmo"
)

// An event and a user as the seeded region stores them.
const (
	eventRecord = `{"id":60040,"association_id":1501,"format":"conference","topic":"Тема события 8 учебного года","agenda":"1. Вступительное слово руководителя.\n2. Выступления участников.\n3. Разное.","start":"2027-05-19T12:00:00Z","duration":5400000000000,"place":"МБОУ СОШ № 5, каб. 21","state":"published","version":1,"created_by":7981,"created_at":"2026-12-03T06:18:19.679859362Z","published_at":"2026-12-03T07:18:19.679859362Z","cancelled_at":"0001-01-01T00:00:00Z","changed_at":"2026-12-03T07:18:19.679859362Z","announcement":112685,"checkin":{"code":"0218"}}`
	userRecord  = `{"id":30000,"accounts":[{"messenger":"telegram","id":700030000}],"language_code":"ru","name":"Педагогова Анна Сергеевна 30000","school":"МБОУ СОШ № 1","position":"учитель","consent_at":"2022-07-31T21:00:00Z","registered_at":"2022-07-31T21:00:00Z","blocked_at":"0001-01-01T00:00:00Z","created_at":"2022-07-31T21:00:00Z","updated_at":"2022-07-31T21:00:00Z"}`
)

// TestCrossCheckIsOn: the test binaries compare the codecs, and a
// difference either way is an error.
func TestCrossCheckIsOn(t *testing.T) {
	if !crossCheck {
		t.Fatal("the codecs are not compared in tests")
	}
	var e mmo.Event
	if err := Unmarshal([]byte(eventRecord), &e); err != nil || e.ID != 60040 || e.Topic == "" {
		t.Fatalf("decode: %v %+v", err, e)
	}
	data, err := Marshal(&e)
	if err != nil || string(data) != eventRecord {
		t.Fatalf("encode: %v\n%s", err, data)
	}
	if err := checkEncode([]byte(`{"id":1}`), &e); err == nil || !strings.Contains(err.Error(), "disagree") {
		t.Errorf("different bytes: %v", err)
	}
	if err := checkDecode([]byte(eventRecord), &struct{ ID uint64 }{}); err != nil {
		t.Errorf("a value of another type decodes alike: %v", err)
	}
	if err := checkDecode([]byte(`{"id":"x"}`), &e); err == nil {
		t.Errorf("a value encoding/json refuses passes")
	}
}

// BenchmarkCodec decodes and encodes an event and a user of the region
// with the store's codec and with encoding/json, in the same run.
func BenchmarkCodec(b *testing.B) {
	type codec struct {
		name      string
		unmarshal func([]byte, any) error
		marshal   func(any) ([]byte, error)
	}
	for _, rec := range []struct {
		name string
		data string
		v    func() any
	}{
		{"event", eventRecord, func() any { return new(mmo.Event) }},
		{"user", userRecord, func() any { return new(mmo.User) }},
	} {
		for _, c := range []codec{{"goccy", json.Unmarshal, json.Marshal}, {"encoding-json", stdjson.Unmarshal, stdjson.Marshal}} {
			b.Run(rec.name+"/decode/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := c.unmarshal([]byte(rec.data), rec.v()); err != nil {
						b.Fatal(err)
					}
				}
			})
			v := rec.v()
			stdjson.Unmarshal([]byte(rec.data), v)
			b.Run(rec.name+"/encode/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.marshal(v); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
