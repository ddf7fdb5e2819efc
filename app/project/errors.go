package project

import "errors"

// Sentinels that screens and the CLI turn into words for a person. Each is wrapped with the path
// and what was being done.
var (
	// ErrNotFerry: the file exists but is not a Ferry project (another SQLite file, a spreadsheet...).
	ErrNotFerry = errors.New("not a Ferry project")
	// ErrNewerVersion: the file was written by a newer Ferry with a schema this build does not know.
	ErrNewerVersion = errors.New("made by a newer version of Ferry")
	// ErrLocked: another Ferry has the project open for changes.
	ErrLocked = errors.New("open in another Ferry window")
	// ErrDamaged: SQLite reports the file as corrupt or truncated.
	ErrDamaged = errors.New("the project file is damaged")
	// ErrReadOnly: the project was opened for viewing only, or the file cannot be written.
	ErrReadOnly = errors.New("the project is open for viewing only")
	// ErrExists: creating a project where a file already is.
	ErrExists = errors.New("a file with that name already exists")
	// ErrNotFound: no file at that path.
	ErrNotFound = errors.New("no project file at that path")
	// ErrDiskFull: a write failed because the disk (or the user's file size limit) is full.
	ErrDiskFull = errors.New("the disk is full (or will not take more)")
)
