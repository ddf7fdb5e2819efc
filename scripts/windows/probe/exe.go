package main

import (
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// resourceTypes names the standard resource types (winuser.h RT_*) a packaged Windows app has.
var resourceTypes = map[uint32]string{3: "icon", 14: "group-icon", 16: "version", 24: "manifest"}

// describeExe prints the subsystem ("gui" means no console window) and the top-level resource
// types of a Windows executable, which is how fyne package's icon and version info show up.
func describeExe(path string, out io.Writer) error {
	f, err := pe.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok {
		return errors.New("not a 64-bit Windows executable")
	}
	sub := map[uint16]string{pe.IMAGE_SUBSYSTEM_WINDOWS_GUI: "gui", pe.IMAGE_SUBSYSTEM_WINDOWS_CUI: "console"}[oh.Subsystem]
	fmt.Fprintf(out, "subsystem=%s\n", sub)
	rsrc := f.Section(".rsrc")
	if rsrc == nil {
		fmt.Fprintln(out, "resources=")
		return nil
	}
	b, err := rsrc.Data()
	if err != nil {
		return err
	}
	if len(b) < 16 {
		return errors.New("resource section too short")
	}
	named := int(binary.LittleEndian.Uint16(b[12:]))
	ids := int(binary.LittleEndian.Uint16(b[14:]))
	var names []string
	for i := 0; i < named+ids; i++ {
		off := 16 + 8*i
		if off+8 > len(b) {
			break
		}
		id := binary.LittleEndian.Uint32(b[off:])
		if id&0x80000000 != 0 {
			continue // a named type, not a standard one
		}
		if n, ok := resourceTypes[id]; ok {
			names = append(names, n)
		} else {
			names = append(names, fmt.Sprint(id))
		}
	}
	sort.Strings(names)
	fmt.Fprintf(out, "resources=%s\n", strings.Join(names, ","))
	return nil
}
