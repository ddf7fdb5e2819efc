package advice_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/app/advice"
	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

func TestEveryPackagesErrorsGetTheirAdviceThroughOnePlace(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("opening x.ferry: %w", project.ErrLocked), "View only"},
		{fmt.Errorf("importing: %w", staging.ErrNothing), ""},
		{fmt.Errorf("loading into pb: %w", load.ErrNoSecret), "FERRY_SECRET"},
		{fmt.Errorf("pb: %w", load.ErrNoDestination), "Add…"},
		{fmt.Errorf("reading back: %w", load.ErrCannotReadBack), "export its records"},
		{fmt.Errorf("something else"), ""},
	} {
		got := advice.For(c.err)
		if c.want == "" {
			if c.err.Error() == "something else" && got != "" {
				t.Errorf("%v: advice %q for an error nobody knows", c.err, got)
			}
			continue
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("%v: advice %q, want it to mention %q", c.err, got, c.want)
		}
	}
	if staging.Advice(staging.ErrNothing) != advice.For(staging.ErrNothing) {
		t.Error("staging's own advice is not what advice.For gives")
	}
}
