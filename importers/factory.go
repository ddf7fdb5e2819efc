package importers

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ferry-migrate/ferry/app/fsutil"
	"github.com/ferry-migrate/ferry/app/staging"
)

// headSize is how much of a file the factory shows each importer's Probe.
const headSize = 64 << 10

// Detect chooses the importer for a file by its content first and its name second.
func Detect(path string) (Importer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, fsutil.Check(path, err))
	}
	defer f.Close()
	head := make([]byte, headSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	head = head[:n]
	var best Importer
	bestScore := 0
	for _, imp := range registry {
		if s := imp.Probe(head, filepath.Base(path)); s > bestScore {
			best, bestScore = imp, s
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%s: Ferry does not recognise this kind of file; export it from the old system as CSV or XLSX and add that instead: %w",
			filepath.Base(path), ErrUnsupported)
	}
	return best, nil
}

// Import detects the format and streams the file into sink.
func Import(ctx context.Context, path string, opts Options, sink staging.Sink, progress Progress) (string, error) {
	imp, err := Detect(path)
	if err != nil {
		return "", err
	}
	return imp.Format(), imp.Import(ctx, path, opts, sink, progress)
}
