// Package recent remembers the latest of something, bounded: a map that
// keeps the last n keys put, each with a value, and forgets the oldest
// key first. A key stays in one place among the n, whatever its value
// becomes, until it is the oldest: changing the value of a key kept does
// not make it new again, so a key that keeps changing cannot take more
// than its one place.
package recent

import "sync"

// Map is safe for concurrent use.
type Map[K comparable, V any] struct {
	mu   sync.Mutex
	n    int
	vals map[K]V
	ring []K // the keys in the order they came, the oldest at next once full
	next int
}

// New returns a map that keeps the last n keys (at least one).
func New[K comparable, V any](n int) *Map[K, V] {
	n = max(n, 1)
	return &Map[K, V]{n: n, vals: make(map[K]V, n), ring: make([]K, 0, n)}
}

// Put sets the value of k, which takes the oldest key's place if it is
// new and n keys are kept.
func (m *Map[K, V]) Put(k K, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.vals[k]; !ok {
		if len(m.ring) < m.n {
			m.ring = append(m.ring, k)
		} else {
			delete(m.vals, m.ring[m.next])
			m.ring[m.next] = k
			m.next = (m.next + 1) % m.n
		}
	}
	m.vals[k] = v
}

// Replace sets the value of k only if k is kept.
func (m *Map[K, V]) Replace(k K, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.vals[k]; ok {
		m.vals[k] = v
	}
}

// Get returns the value of k, and whether k is kept.
func (m *Map[K, V]) Get(k K) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.vals[k]
	return v, ok
}

// Len is the number of keys kept.
func (m *Map[K, V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.vals)
}
