package main

import "github.com/ferry-migrate/ferry/app/project"

// hintFor returns what the person should do about err, when Ferry knows.
func hintFor(err error) string { return project.Advice(err) }

func version() string { return project.Version }
