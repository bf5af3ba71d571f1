package recent

import "testing"

// TestMap: the oldest key goes first; a key whose value changes keeps its
// place; Replace never adds a key.
func TestMap(t *testing.T) {
	m := New[int, string](3)
	m.Put(1, "a")
	m.Put(2, "b")
	m.Put(1, "a2") // keeps its place, the oldest
	m.Replace(9, "x")
	m.Put(3, "c")
	m.Put(4, "d") // 1 goes
	for _, c := range []struct {
		k    int
		want string
		ok   bool
	}{{1, "", false}, {2, "b", true}, {3, "c", true}, {4, "d", true}, {9, "", false}} {
		if v, ok := m.Get(c.k); v != c.want || ok != c.ok {
			t.Errorf("Get(%d) = %q, %v; want %q, %v", c.k, v, ok, c.want, c.ok)
		}
	}
	m.Replace(2, "b2")
	m.Put(5, "e") // 2 goes, though its value changed last
	if _, ok := m.Get(2); ok || m.Len() != 3 {
		t.Errorf("after a fourth new key: 2 kept %v, %d keys; want gone, 3", ok, m.Len())
	}
	if New[int, int](0).n != 1 {
		t.Error("a map of no keys")
	}
}
