//go:build !race

package screens

const raceEnabled = false
