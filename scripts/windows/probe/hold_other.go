//go:build !windows

package main

import (
	"errors"
	"io"
	"time"
)

// hold needs Windows' share modes: Linux and macOS locks do not stop other readers.
func hold(string, time.Duration, io.Writer) error {
	return errors.New("hold works on Windows (or under Wine) only")
}
