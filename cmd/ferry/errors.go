package main

import (
	"fmt"
	"os"

	"github.com/ferry-migrate/ferry/app/advice"
	"github.com/ferry-migrate/ferry/app/project"
)

// hintFor returns what the person should do about err, when Ferry knows.
func hintFor(err error) string { return advice.For(err) }

func version() string { return project.Version }

// warnStorage says on stderr (so --json output stays clean) when the project sits on a network
// drive or in a synced folder, where Ferry saves the slower, safer way.
func warnStorage(p *project.Project) {
	if w := p.StorageWarning(); w != "" {
		fmt.Fprintln(os.Stderr, "Note:", w)
	}
}
