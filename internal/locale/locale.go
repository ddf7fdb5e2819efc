// Package locale gives the process a parseable locale before Fyne reads it. Minimal systems,
// containers and CI set LANG=C (or nothing), which Fyne logs as an error at start-up; Go initialises
// this package (imported by main, depending only on os and strings) before fyne.io/fyne/v2/lang.
package locale

import (
	"os"
	"strings"
)

func init() {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(k)
		if v == "" {
			continue
		}
		base := strings.SplitN(strings.SplitN(v, ".", 2)[0], "@", 2)[0]
		if base != "C" && base != "POSIX" {
			return // a real locale: leave it
		}
		os.Unsetenv(k)
	}
	os.Setenv("LANG", "en_US.UTF-8")
}
