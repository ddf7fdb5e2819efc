package importers

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ferry-migrate/ferry/app/fsutil"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// ImportFile stages one file into p: it hashes the file, chooses the importer by content and
// name, and streams every table of the file into the project in one transaction, together with
// the file's registry rows and a source.import custody event. A failed or cancelled import
// leaves the project as it was.
func ImportFile(ctx context.Context, p *project.Project, path string, opts Options, progress Progress) (staging.ImportResult, error) {
	name := filepath.Base(path)
	before, err := os.Stat(path)
	if err != nil {
		return staging.ImportResult{}, fmt.Errorf("reading %s: %w", path, err)
	}
	if before.IsDir() {
		return staging.ImportResult{}, fmt.Errorf("reading %s: it is a folder, not a file", path)
	}
	sum, err := fsutil.SHA256(ctx, path)
	if err != nil {
		return staging.ImportResult{}, err
	}
	imp, err := Detect(path)
	if err != nil {
		return staging.ImportResult{}, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	src := staging.SourceInfo{Path: abs, FileName: name, SHA256: sum, Size: before.Size(), Format: imp.Format()}
	return staging.NewStager(p).Import(ctx, src, func(ctx context.Context, sink staging.Sink) error {
		if err := imp.Import(ctx, path, opts, sink, progress); err != nil {
			return fsutil.Check(path, err)
		}
		// The hash recorded must be the hash of what was read.
		after, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
			return fmt.Errorf("%s changed while it was being imported; wait until the old system has finished writing it and import it again", name)
		}
		return nil
	})
}

// Service is the importers' side of staging.FileImporter: screens and app/demo import files
// through that interface, cmd hands them a Service.
type Service struct{}

var _ staging.FileImporter = Service{}

// ImportFile implements staging.FileImporter.
func (Service) ImportFile(ctx context.Context, p *project.Project, req staging.ImportRequest, progress staging.ImportProgress) (staging.ImportResult, error) {
	opts := Options{Table: req.Table, Encoding: req.Encoding, Delimiter: req.Delimiter, Header: req.Header,
		SkipLines: req.SkipLines, Sheet: req.Sheet, Tables: req.Tables}
	return ImportFile(ctx, p, req.Path, opts, Progress(progress))
}
