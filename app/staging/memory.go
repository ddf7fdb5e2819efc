package staging

import (
	"context"
	"sync"
)

// MemoryTable is a table captured by a MemorySink.
type MemoryTable struct {
	Spec   TableSpec
	Rows   []Row
	Issues []Issue
	Closed bool
}

// MemorySink keeps everything in memory. Importer tests use it to assert exactly what would be
// staged without a project file; it copies cells, so importers may reuse their buffers.
type MemorySink struct {
	mu     sync.Mutex
	Tables []*MemoryTable
}

// Table implements Sink.
func (m *MemorySink) Table(_ context.Context, spec TableSpec) (TableWriter, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	spec.Columns = append([]string(nil), spec.Columns...)
	t := &MemoryTable{Spec: spec}
	m.Tables = append(m.Tables, t)
	return memoryWriter{t}, nil
}

// Find returns the table with the given spec name, or nil.
func (m *MemorySink) Find(name string) *MemoryTable {
	for _, t := range m.Tables {
		if t.Spec.Name == name {
			return t
		}
	}
	return nil
}

type memoryWriter struct{ t *MemoryTable }

func (w memoryWriter) Write(r Row) error {
	r.Cells = append([]string(nil), r.Cells...)
	r.Nulls = append([]bool(nil), r.Nulls...)
	r.Overflow = append([]string(nil), r.Overflow...)
	w.t.Rows = append(w.t.Rows, r)
	return nil
}

func (w memoryWriter) Issue(i Issue) { w.t.Issues = append(w.t.Issues, i) }

func (w memoryWriter) Close() error { w.t.Closed = true; return nil }
