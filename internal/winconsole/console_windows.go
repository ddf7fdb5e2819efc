package winconsole

import (
	"os"
	"syscall"
)

const attachParentProcess = ^uint32(0) // ATTACH_PARENT_PROCESS, (DWORD)-1

func init() {
	if len(os.Args) < 2 {
		return // started for the window (double-click, ferry.exe alone): no console wanted
	}
	if valid(syscall.STD_OUTPUT_HANDLE) && valid(syscall.STD_ERROR_HANDLE) {
		return // redirected to a file or pipe, or run under a console already
	}
	attach := syscall.NewLazyDLL("kernel32.dll").NewProc("AttachConsole")
	if attach.Find() != nil {
		return
	}
	if r, _, _ := attach.Call(uintptr(attachParentProcess)); r == 0 {
		return // the parent has no console (Explorer, a scheduled task): nothing to attach to
	}
	if !valid(syscall.STD_OUTPUT_HANDLE) {
		if f := openConsole("CONOUT$", syscall.GENERIC_READ|syscall.GENERIC_WRITE); f != nil {
			os.Stdout = f
		}
	}
	if !valid(syscall.STD_ERROR_HANDLE) {
		if f := openConsole("CONOUT$", syscall.GENERIC_READ|syscall.GENERIC_WRITE); f != nil {
			os.Stderr = f
		}
	}
	if !valid(syscall.STD_INPUT_HANDLE) {
		if f := openConsole("CONIN$", syscall.GENERIC_READ|syscall.GENERIC_WRITE); f != nil {
			os.Stdin = f
		}
	}
}

// valid reports whether the process has a usable standard handle of this kind.
func valid(std int) bool {
	h, err := syscall.GetStdHandle(std)
	return err == nil && h != 0 && h != syscall.InvalidHandle
}

func openConsole(name string, access uint32) *os.File {
	p, err := syscall.UTF16PtrFromString(name)
	if err != nil {
		return nil
	}
	h, err := syscall.CreateFile(p, access, syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE, nil, syscall.OPEN_EXISTING, 0, 0)
	if err != nil {
		return nil
	}
	return os.NewFile(uintptr(h), name)
}
