package mmo

import (
	"testing"
	"time"
)

func TestRegistrationFlow(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	idle := time.Hour
	d := NewDialog(FlowRegister, StepConsent, now, idle)

	type step struct {
		in       Input
		wantStep string
		wantDone bool
		wantCode Code
	}
	steps := []step{
		{Input{Text: "Иванова Мария"}, StepConsent, false, CodeInvalid}, // text instead of the button
		{Input{Action: "bogus"}, StepConsent, false, CodeInvalid},
		{Input{Action: ActionAgree}, StepName, false, ""},
		{Input{Action: ActionAgree}, StepName, false, CodeConflict}, // a stale consent button
		{Input{Text: "Иванова"}, StepName, false, CodeInvalid},
		{Input{Text: "Иванова Мария Петровна"}, StepSchool, false, ""},
		{Input{Text: "1"}, StepSchool, false, CodeTooShort},
		{Input{Text: "МБОУ СОШ № 5"}, StepPosition, false, ""},
		{Input{Text: "учитель физики"}, "", true, ""},
	}
	for i, s := range steps {
		before := d
		next, done, err := RegistrationNext(d, s.in, now, idle)
		if got := codeOf(err); got != s.wantCode {
			t.Fatalf("step %d (%+v): code %q, want %q", i, s.in, got, s.wantCode)
		}
		if err != nil {
			if next.Step != before.Step || next.Nonce != before.Nonce {
				t.Fatalf("step %d: a refused input changed the state", i)
			}
			continue
		}
		if next.Step != s.wantStep || done != s.wantDone {
			t.Fatalf("step %d: step %q done %v, want %q %v", i, next.Step, done, s.wantStep, s.wantDone)
		}
		if next.Nonce == before.Nonce {
			t.Errorf("step %d: nonce did not change", i)
		}
		d = next
	}
	var u User
	ApplyRegistration(&u, d, now)
	if u.Name != "Иванова Мария Петровна" || u.School != "МБОУ СОШ № 5" || u.Position != "учитель физики" {
		t.Errorf("profile = %q / %q / %q", u.Name, u.School, u.Position)
	}
	if !u.ConsentAt.Equal(now) || !u.Registered() {
		t.Errorf("consent %v registered %v", u.ConsentAt, u.Registered())
	}
}

func TestRegistrationDecline(t *testing.T) {
	now := time.Now()
	d := NewDialog(FlowRegister, StepConsent, now, time.Hour)
	_, _, err := RegistrationNext(d, Input{Action: ActionDecline}, now, time.Hour)
	if ErrorCode(err) != CodeDeclined {
		t.Fatalf("decline: %v", err)
	}
}

func TestDialogDraftIsNotShared(t *testing.T) {
	now := time.Now()
	d := NewDialog(FlowRegister, StepConsent, now, time.Hour)
	d1, _, _ := RegistrationNext(d, Input{Action: ActionAgree}, now, time.Hour)
	d2, _, _ := RegistrationNext(d1, Input{Text: "Иванова Мария"}, now, time.Hour)
	if _, ok := d1.Draft[FieldName]; ok {
		t.Error("the next state wrote into the previous state's draft")
	}
	if d2.Draft[FieldName] != "Иванова Мария" {
		t.Errorf("draft name = %q", d2.Draft[FieldName])
	}
}

func TestDialogExpiry(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := NewDialog(FlowEdit, FieldName, now, time.Hour)
	if d.Expired(now.Add(59 * time.Minute)) {
		t.Error("expired too early")
	}
	if !d.Expired(now.Add(time.Hour)) {
		t.Error("not expired after the idle time")
	}
}
