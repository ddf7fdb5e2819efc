package files

// SetXLSXMaxRows lowers the rows an XLSX sheet holds, so a test reaches the limit cheaply; the
// returned function restores it.
func SetXLSXMaxRows(n int) func() {
	old := xlsxMaxRows
	xlsxMaxRows = n
	return func() { xlsxMaxRows = old }
}
