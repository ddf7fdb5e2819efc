package project

// Where a project file lives decides how SQLite may journal it. WAL keeps recent changes in a
// NAME.ferry-wal file and coordinates through a memory-mapped NAME.ferry-shm: on a network share
// the mapping is not coherent between machines (SQLite's docs: "WAL does not work over a network
// filesystem"), and a sync client (OneDrive, Dropbox, Google Drive, iCloud) uploads the three
// files separately, so the copy another computer receives can lack committed changes or be
// damaged. There the writer uses a rollback journal instead (journal_mode=DELETE): every commit
// lands in the .ferry file itself and the journal exists only during a write, so what a sync
// client copies between writes is a complete project. Locking stays NORMAL rather than EXCLUSIVE:
// exclusive locking would shut out the read-only pool, and the NAME.ferry.lock file already keeps
// a second Ferry from writing. The cost is that a long write makes readers wait (busy_timeout).

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// StorageKind says what kind of place holds a project file.
type StorageKind int

const (
	// StorageLocal: a disk of this computer. WAL.
	StorageLocal StorageKind = iota
	// StorageNetwork: a network share or remote file system. Rollback journal.
	StorageNetwork
	// StorageSynced: a folder a sync client copies to the cloud and other computers. Rollback journal.
	StorageSynced
)

// Storage describes where a project file lives.
type Storage struct {
	Kind StorageKind
	// Where names the place for a person: "OneDrive", `the network share \\server\share`,
	// "an NFS network file system". Empty for a local disk.
	Where string
}

// StorageAt examines the place path is in. The file need not exist yet (its nearest existing
// folder is examined), so the GUI can warn before a project is created there.
func StorageAt(path string) Storage {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	if where := remoteFS(abs); where != "" {
		return Storage{Kind: StorageNetwork, Where: where}
	}
	if where := syncedFolder(abs); where != "" {
		return Storage{Kind: StorageSynced, Where: where}
	}
	return Storage{Kind: StorageLocal}
}

// journalMode is the writer's journal pragma for a project at path.
func journalMode(path string) string {
	if StorageAt(path).Kind == StorageLocal {
		return "journal_mode(WAL)"
	}
	return "journal_mode(DELETE)"
}

// Warning is what to tell the person about a project called name kept here; "" on a local disk.
func (s Storage) Warning(name string) string {
	switch s.Kind {
	case StorageNetwork:
		return fmt.Sprintf("%s is on %s. Ferry saves every change straight into the file there, which is safe "+
			"but slower. Do not open it from two computers at once, and if you can, copy it to this "+
			"computer for the migration.", name, s.Where)
	case StorageSynced:
		return fmt.Sprintf("%s is in a folder that %s syncs. Ferry saves every change straight into the file so "+
			"that %s always has a complete copy, but do not work on it from two computers at once, and let %s "+
			"finish syncing before you open it on another computer. A folder outside %s is faster.",
			name, s.Where, s.Where, s.Where, s.Where)
	}
	return ""
}

// Storage examines where the project file is now.
func (p *Project) Storage() Storage { return StorageAt(p.Path) }

// StorageWarning is the sentence the window and the CLI show when the project is on a network
// share or in a synced folder; "" when it is on a local disk.
func (p *Project) StorageWarning() string { return p.Storage().Warning(p.Name() + Ext) }

// syncFolders are folder names (compared without case) that sync clients create, and the service
// each belongs to. A name ending in "*" matches as a prefix: "OneDrive - Harbour View Dental" is
// OneDrive for Business, "Dropbox (Personal)" and "GoogleDrive-ann@example.com" (macOS) likewise.
var syncFolders = []struct{ name, service string }{
	{"OneDrive", "OneDrive"},
	{"OneDrive - *", "OneDrive"},
	{"OneDrive-*", "OneDrive"}, // macOS: ~/Library/CloudStorage/OneDrive-Personal
	{"Dropbox", "Dropbox"},
	{"Dropbox (*", "Dropbox"},
	{"Dropbox-*", "Dropbox"},
	{"Google Drive", "Google Drive"},
	{"GoogleDrive", "Google Drive"},
	{"GoogleDrive-*", "Google Drive"},
	{"My Drive", "Google Drive"}, // Google Drive for desktop: G:\My Drive
	{"Shared drives", "Google Drive"},
	{"iCloudDrive", "iCloud Drive"}, // Windows: %USERPROFILE%\iCloudDrive
	{"iCloud Drive", "iCloud Drive"},
	{"Mobile Documents", "iCloud Drive"}, // macOS: ~/Library/Mobile Documents/com~apple~CloudDocs
	{"com~apple~CloudDocs", "iCloud Drive"},
	{"Box", "Box"}, // Box Drive: %USERPROFILE%\Box
	{"Box Sync", "Box"},
	{"pCloudDrive", "pCloud"},
	{"MEGA", "MEGA"},
	{"Nextcloud", "Nextcloud"},
	{"ownCloud", "ownCloud"},
	{"SynologyDrive", "Synology Drive"},
}

// syncRootVars are environment variables that hold the roots of OneDrive folders on Windows,
// which may have been renamed or moved.
var syncRootVars = []struct{ env, service string }{
	{"OneDrive", "OneDrive"},
	{"OneDriveCommercial", "OneDrive"},
	{"OneDriveConsumer", "OneDrive"},
}

// syncedFolder names the sync service whose folder holds path, or "". Both / and \ separate
// folders, so Windows paths are recognised on any system.
func syncedFolder(path string) string {
	lower := strings.ToLower(strings.ReplaceAll(path, `\`, "/"))
	for _, v := range syncRootVars {
		root := strings.TrimRight(strings.ToLower(strings.ReplaceAll(os.Getenv(v.env), `\`, "/")), "/")
		if root != "" && (lower == root || strings.HasPrefix(lower, root+"/")) {
			return v.service
		}
	}
	parts := strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '\\' })
	// The last part is the file itself: "Dropbox.ferry" is not a Dropbox folder.
	if len(parts) > 0 {
		parts = parts[:len(parts)-1]
	}
	for _, part := range parts {
		for _, f := range syncFolders {
			if prefix, ok := strings.CutSuffix(f.name, "*"); ok {
				if len(part) > len(prefix) && strings.EqualFold(part[:len(prefix)], prefix) {
					return f.service
				}
			} else if strings.EqualFold(part, f.name) {
				return f.service
			}
		}
	}
	return ""
}

// uncShare returns `\\server\share` when path is a UNC path (\\server\share\..., //server/share/...
// or \\?\UNC\server\share\...), else "". \\?\C:\ and \\.\ device paths are not shares.
func uncShare(path string) string {
	p := strings.ReplaceAll(path, "/", `\`)
	if rest, ok := strings.CutPrefix(p, `\\?\`); ok {
		if len(rest) < 4 || !strings.EqualFold(rest[:4], `UNC\`) {
			return ""
		}
		p = `\\` + rest[4:]
	}
	if !strings.HasPrefix(p, `\\`) || strings.HasPrefix(p, `\\.\`) {
		return ""
	}
	parts := strings.SplitN(p[2:], `\`, 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return ""
	}
	return `\\` + parts[0] + `\` + parts[1]
}

// existingDir is the nearest folder of path that exists: the file itself may not yet.
func existingDir(path string) string {
	dir := path
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return dir
	}
	for {
		parent := filepath.Dir(dir)
		if st, err := os.Stat(parent); err == nil && st.IsDir() {
			return parent
		}
		if parent == dir {
			return parent
		}
		dir = parent
	}
}
