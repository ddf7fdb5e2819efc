package project

import "errors"

// Advice says, in a practice manager's words, what an error from this package means and what to
// do next. Screens and the CLI both use it so the words are the same everywhere.
func Advice(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrNotFerry):
		return "This file is not a Ferry project. Open a file ending in .ferry, or start a new project and add this file in Sources."
	case errors.Is(err, ErrNewerVersion):
		return "This project was saved by a newer version of Ferry. Install the latest Ferry to open it; the file has not been changed."
	case errors.Is(err, ErrLocked):
		return "Someone (or another Ferry window) has this project open. Close it there first, or open it as View only."
	case errors.Is(err, ErrDamaged):
		return "The project file is damaged or incomplete (perhaps copied while it was open). Open your most recent copy, or the backup Ferry made before the last big step."
	case errors.Is(err, ErrReadOnly):
		return "The project cannot be changed: it is open as View only or the file is read-only. Use Save as… to make a copy you can change."
	case errors.Is(err, ErrExists):
		return "A file with that name already exists. Choose another name, or open the existing project."
	case errors.Is(err, ErrDiskFull), isDiskFull(err):
		return "The disk is full, so Ferry could not save this change; the project is as it was before it. Free some space (empty the Recycle Bin or Trash, move old exports or backups elsewhere), or use Save as… to move the project to a disk with room, then try again."
	case errors.Is(err, ErrNotFound):
		return "There is no file at that place any more. It may have been moved or renamed; use Open project… to find it."
	}
	return ""
}
