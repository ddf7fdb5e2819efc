// Package crashtest holds Ferry's crash-safety and hostile-input tests: processes killed with
// SIGKILL in the middle of a command (through internal/killtest), damaged, truncated, read-only
// and newer project files, a full disk, hostile names and sizes in imported files, recipes and
// templates that reach for files outside what the person chose, and credentials that must never
// reach the project file. It has no code of its own outside tests.
package crashtest
