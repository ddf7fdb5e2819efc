// Package secrets keeps passwords and API keys for the systems Ferry talks to out of project files
// and settings: in the Windows Credential Manager, the macOS Keychain or the Linux Secret Service
// (GNOME Keyring, KWallet), through github.com/zalando/go-keyring. Where there is no such store
// (CI, a server, a bare Linux desktop, some Wine set-ups) every call fails with ErrNoKeyring, and
// the caller asks the person for the secret when it is needed instead of saving it.
package secrets

import (
	"errors"
	"fmt"

	"github.com/zalando/go-keyring"
)

var (
	// ErrNotFound: nothing is saved for that service and user.
	ErrNotFound = errors.New("no saved password")
	// ErrNoKeyring: this computer has no password store Ferry can use; ask at run time.
	ErrNoKeyring = errors.New("this computer has no password store Ferry can use, so Ferry will ask for the password each time it needs it")
	// ErrTooBig: the secret is longer than the store takes (2,560 bytes in Windows' Credential Manager).
	ErrTooBig = errors.New("too long for the password store")
)

// store is the keyring in use; tests swap in a fake and put the real one back.
var store = struct {
	set func(service, user, secret string) error
	get func(service, user string) (string, error)
	del func(service, user string) error
}{keyring.Set, keyring.Get, keyring.Delete}

// storeError wraps the store's own error under ErrNoKeyring, keeping it for logs.
type storeError struct{ err error }

func (e *storeError) Error() string   { return ErrNoKeyring.Error() + " (" + e.err.Error() + ")" }
func (e *storeError) Unwrap() []error { return []error{ErrNoKeyring, e.err} }

// Set saves secret for user at service, replacing what was there.
func Set(service, user, secret string) error {
	if err := store.set(service, user, secret); err != nil {
		return fmt.Errorf("saving the password for %s (%s): %w", service, user, classify(err))
	}
	return nil
}

// Get returns the saved secret, ErrNotFound when there is none, or ErrNoKeyring.
func Get(service, user string) (string, error) {
	s, err := store.get(service, user)
	if err != nil {
		return "", fmt.Errorf("reading the saved password for %s (%s): %w", service, user, classify(err))
	}
	return s, nil
}

// Delete forgets the saved secret. Forgetting one that is not there is not an error.
func Delete(service, user string) error {
	err := store.del(service, user)
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return fmt.Errorf("forgetting the password for %s (%s): %w", service, user, classify(err))
}

// classify maps go-keyring's errors to this package's. Anything but "not found" and "too big"
// means the store itself cannot be used: no D-Bus session or no Secret Service on Linux, an
// unsupported platform, Credential Manager refusing (no user profile) on Windows.
func classify(err error) error {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return ErrTooBig
	default:
		return &storeError{err: err}
	}
}
