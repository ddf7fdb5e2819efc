//go:build race

package screens

// raceEnabled: built with -race, where timings say nothing about the program.
const raceEnabled = true
