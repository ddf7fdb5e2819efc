// Package winconsole lets the Windows build, which is a GUI program (linked with -H=windowsgui so
// that a double-click opens the window and no console), still print when it is run as a command
// in cmd.exe or PowerShell: it attaches to the console of the shell that started it. Import it
// for its side effect from main, before anything prints:
//
//	import _ "github.com/ferry-migrate/ferry/internal/winconsole"
//
// Off Windows it does nothing. Output that is redirected (ferry.exe verify X.ferry > out.txt, or a
// pipe) already works without it. A GUI program does not make cmd.exe wait, so an interactive
// prompt may come back before the output; batch files and PowerShell pipelines do wait.
package winconsole
