// Package advice turns any error the engine returns into what a practice manager should do
// about it, asking each package that knows its own errors in turn. The screens and the command
// line both show it under the message.
package advice

import (
	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/staging"
)

// For is the advice for err, or "" when no package has any.
func For(err error) string {
	for _, f := range []func(error) string{project.Advice, staging.Advice, load.Advice} {
		if a := f(err); a != "" {
			return a
		}
	}
	return ""
}
