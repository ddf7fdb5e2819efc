package secrets

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"
)

// TestTheRealStore uses this computer's own password store: Credential Manager on Windows (and
// under Wine in make windows-smoke), the Secret Service on Linux. Where there is none, the calls
// must fail with ErrNoKeyring rather than hang or crash.
func TestTheRealStore(t *testing.T) {
	if testing.Short() {
		t.Skip("touches the real password store")
	}
	service := fmt.Sprintf("Ferry test %d-%d", os.Getpid(), time.Now().UnixNano())
	err := Set(service, "reception", "pa55 wörd")
	if errors.Is(err, ErrNoKeyring) {
		if _, gerr := Get(service, "reception"); !errors.Is(gerr, ErrNoKeyring) {
			t.Fatalf("Set said no keyring but Get said %v", gerr)
		}
		t.Skipf("no password store here, as expected on CI: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer Delete(service, "reception")
	got, err := Get(service, "reception")
	if err != nil || got != "pa55 wörd" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := Delete(service, "reception"); err != nil {
		t.Fatal(err)
	}
	if _, err := Get(service, "reception"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after Delete: want ErrNotFound, got %v", err)
	}
	t.Logf("round trip through the real store worked")
}
