// Package fsutil opens the files people hand to Ferry and says in plain words why one cannot be
// read. On Windows the usual reason is that the export is still open in Excel, which holds CSV
// files (and often workbooks) with a share mode that refuses every other reader: Windows answers
// ERROR_SHARING_VIOLATION or, in the middle of a read, ERROR_LOCK_VIOLATION. Importers open their
// input through OpenForRead (or pass any error through Check) so that the person reads
// "patients.csv is open in another program (Excel?). Close it there and try again." instead of
// "The process cannot access the file because it is being used by another process".
package fsutil

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// ErrFileInUse is what every sharing or lock violation wraps: test for it with errors.Is.
var ErrFileInUse = errors.New("the file is open in another program")

// InUseError names the file another program holds. It wraps ErrFileInUse and the OS error.
type InUseError struct {
	Path string
	Err  error // the OS error, e.g. *fs.PathError{Err: ERROR_SHARING_VIOLATION}
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("%s is open in another program (Excel?). Close it there and try again.", filepath.Base(e.Path))
}

// Unwrap lets errors.Is find both ErrFileInUse and the OS error.
func (e *InUseError) Unwrap() []error { return []error{ErrFileInUse, e.Err} }

// retries is how often, and how far apart, an open that meets a sharing violation is tried again.
// Virus scanners and sync clients hold new files for a moment; Excel holds them until it closes
// them, so the whole wait stays well under a second.
var retries = []time.Duration{50 * time.Millisecond, 150 * time.Millisecond, 300 * time.Millisecond}

// OpenForRead opens path for reading like os.Open. When another program holds the file it tries
// again briefly, then returns an *InUseError wrapping ErrFileInUse.
func OpenForRead(path string) (*os.File, error) {
	f, err := os.Open(path)
	for _, d := range retries {
		if err == nil || !inUse(err) {
			break
		}
		time.Sleep(d)
		f, err = os.Open(path)
	}
	if err != nil {
		return nil, Check(path, err)
	}
	return f, nil
}

// ReadFile reads a whole file like os.ReadFile, with OpenForRead's handling of files in use.
func ReadFile(path string) ([]byte, error) {
	f, err := OpenForRead(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, Check(path, err)
	}
	return b, nil
}

// Check turns a sharing or lock violation from any call on path (os.Open, Read, a library's own
// open such as excelize.OpenFile) into an *InUseError. Any other error, and nil, come back as
// they were, so importers can wrap every error from reading their input with it.
func Check(path string, err error) error {
	if err == nil || errors.Is(err, ErrFileInUse) || !inUse(err) {
		return err
	}
	return &InUseError{Path: path, Err: err}
}

// IsInUse reports whether err says another program holds the file.
func IsInUse(err error) bool { return errors.Is(err, ErrFileInUse) || (err != nil && inUse(err)) }

// SHA256 is the hex SHA-256 of a file's bytes, read with OpenForRead (so a file Excel holds open
// gets "close it there" advice) and stopping when ctx is cancelled.
func SHA256(ctx context.Context, path string) (string, error) {
	f, err := OpenForRead(path)
	if err != nil {
		if IsInUse(err) {
			return "", err
		}
		return "", fmt.Errorf("reading %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", filepath.Base(path), err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
