package load

import "errors"

// Advice says what to do about an error of this package, in words a practice manager can act
// on ("" when it has none to add).
func Advice(err error) string {
	switch {
	case errors.Is(err, ErrNoDestination):
		return "Set up where the data goes first: in the Full load step choose Add… (import files, the new system's API or a FHIR server), or run ferry target FILE.ferry --add NAME."
	case errors.Is(err, ErrBadConfig):
		return "Open the destination with Edit… and correct what the message names (or fix the JSON you imported), then test the connection again."
	case errors.Is(err, ErrNoSecret):
		return "Type the password, token or API key when Ferry asks, or save it in the computer's keyring from the destination's Edit… dialog. For the command line, set FERRY_SECRET."
	case errors.Is(err, ErrNoRun):
		return "Nothing was left unfinished: start a new load instead of resuming one."
	case errors.Is(err, ErrCannotReadBack):
		return "Ferry only wrote import files for this destination. After the new system has imported them, export its records and reconcile against that export."
	case errors.Is(err, ErrNoReason):
		return "Type in your own words why the full load goes ahead without a passing sample run; it is kept in the custody log for the report."
	}
	return ""
}
