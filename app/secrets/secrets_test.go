package secrets

import (
	"errors"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// fakeStore puts an in-memory store, or one that always fails with err, in place of the real one.
func fakeStore(t *testing.T, err error) {
	old := store
	t.Cleanup(func() { store = old })
	m := map[string]string{}
	store.set = func(s, u, p string) error {
		if err != nil {
			return err
		}
		m[s+"\x00"+u] = p
		return nil
	}
	store.get = func(s, u string) (string, error) {
		if err != nil {
			return "", err
		}
		p, ok := m[s+"\x00"+u]
		if !ok {
			return "", keyring.ErrNotFound
		}
		return p, nil
	}
	store.del = func(s, u string) error {
		if err != nil {
			return err
		}
		if _, ok := m[s+"\x00"+u]; !ok {
			return keyring.ErrNotFound
		}
		delete(m, s+"\x00"+u)
		return nil
	}
}

func TestSavedSecretsComeBackAndCanBeForgotten(t *testing.T) {
	fakeStore(t, nil)
	if _, err := Get("Ferry test", "reception"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("before saving: want ErrNotFound, got %v", err)
	}
	if err := Set("Ferry test", "reception", "s3cret pa55"); err != nil {
		t.Fatal(err)
	}
	if got, err := Get("Ferry test", "reception"); err != nil || got != "s3cret pa55" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := Delete("Ferry test", "reception"); err != nil {
		t.Fatal(err)
	}
	if _, err := Get("Ferry test", "reception"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after Delete: want ErrNotFound, got %v", err)
	}
	if err := Delete("Ferry test", "reception"); err != nil {
		t.Fatalf("forgetting twice: %v", err)
	}
}

func TestNoKeyringMeansAskAtRunTime(t *testing.T) {
	fakeStore(t, errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	for name, err := range map[string]error{
		"Set":    Set("Ferry test", "reception", "x"),
		"Delete": Delete("Ferry test", "reception"),
		"Get":    func() error { _, err := Get("Ferry test", "reception"); return err }(),
	} {
		if !errors.Is(err, ErrNoKeyring) {
			t.Errorf("%s: want ErrNoKeyring, got %v", name, err)
			continue
		}
		if !strings.Contains(err.Error(), "ask for the password") || !strings.Contains(err.Error(), "org.freedesktop.secrets") {
			t.Errorf("%s: the message should say what happens next and keep the cause: %v", name, err)
		}
	}
}

func TestALongSecretIsTooBig(t *testing.T) {
	fakeStore(t, keyring.ErrSetDataTooBig)
	if err := Set("Ferry test", "reception", "x"); !errors.Is(err, ErrTooBig) {
		t.Fatalf("want ErrTooBig, got %v", err)
	}
}
