package main

import (
	"fmt"
	"io"
	"syscall"
	"time"
)

// hold opens path with share mode 0, the way Excel holds an open CSV, for d.
func hold(path string, d time.Duration, out io.Writer) error {
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return err
	}
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0, nil, syscall.OPEN_EXISTING, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return fmt.Errorf("holding %s: %w", path, err)
	}
	defer syscall.CloseHandle(h)
	fmt.Fprintln(out, "holding", path)
	time.Sleep(d)
	return nil
}
