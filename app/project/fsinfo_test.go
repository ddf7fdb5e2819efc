package project

import (
	"strings"
	"testing"
)

func TestSyncFoldersAreRecognisedByName(t *testing.T) {
	for path, want := range map[string]string{
		`C:\Users\Ann\OneDrive\Migration\Harbour View.ferry`:                       "OneDrive",
		`C:\Users\Ann\OneDrive - Harbour View Dental\Documents\Harbour View.ferry`: "OneDrive",
		"/Users/ann/Library/CloudStorage/OneDrive-Personal/Harbour View.ferry":     "OneDrive",
		`D:\Dropbox (Harbour View)\Harbour View.ferry`:                             "Dropbox",
		"/home/ann/Dropbox/clients/Harbour View.ferry":                             "Dropbox",
		`G:\My Drive\Ferry\Harbour View.ferry`:                                     "Google Drive",
		"/Users/ann/Library/CloudStorage/GoogleDrive-ann@example.com/x/a.ferry":    "Google Drive",
		`C:\Users\Ann\Google Drive\a.ferry`:                                        "Google Drive",
		`C:\Users\Ann\iCloudDrive\a.ferry`:                                         "iCloud Drive",
		"/Users/ann/Library/Mobile Documents/com~apple~CloudDocs/a.ferry":          "iCloud Drive",
		`c:\users\ann\onedrive\a.ferry`:                                            "OneDrive", // any case
		`C:\Users\Ann\Documents\Ferry\Harbour View.ferry`:                          "",
		"/home/ann/Ferry/Dropbox.ferry":                                            "", // the file, not a folder
		"/home/ann/OneDriveBackup/a.ferry":                                         "", // not a prefix rule
		`Z:\tmp\my projects\Harbour View.ferry`:                                    "",
		"/home/ann/Documents/Ferry/Harbour View Dental (Dropbox export)/a.ferry":   "",
		"/srv/practices/Box/a.ferry":                                               "Box",
		`C:\Users\Ann\Documents\Ferry\OneDrive - notes is not a folder here.ferry`: "",
		`\\nas\Practice\Nextcloud\a.ferry`:                                         "Nextcloud",
		"/home/ann/Documents/Ferry/Harbour View.ferry.d/../Harbour View.ferry":     "",
		"/home/ann/sync/SynologyDrive/a.ferry":                                     "Synology Drive",
		`C:\Users\Ann\AppData\Local\Temp\Harbour View.ferry`:                       "",
		"/tmp/TestSomething/001/Harbour View # 1?.ferry":                           "",
		"relative/OneDrive/a.ferry":                                                "OneDrive",
		"a.ferry":                                                                  "",
		"":                                                                         "",
		`\\?\C:\Users\Ann\OneDrive\a.ferry`:                                        "OneDrive",
		`C:\Users\Ann\Desktop\Harbour View Dental - OneDrive export\Harbour.ferry`: "",
	} {
		if got := syncedFolder(path); got != want {
			t.Errorf("syncedFolder(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestOneDriveIsRecognisedByItsEnvironmentVariableWhenRenamed(t *testing.T) {
	t.Setenv("OneDriveCommercial", `C:\Users\Ann\Harbour View Dental Ltd`)
	if got := syncedFolder(`c:\users\ann\harbour view dental ltd\Migration\a.ferry`); got != "OneDrive" {
		t.Fatalf("got %q", got)
	}
	if got := syncedFolder(`C:\Users\Ann\Harbour View Dental Ltd2\a.ferry`); got != "" {
		t.Fatalf("a sibling folder with a longer name is not OneDrive: got %q", got)
	}
}

func TestUNCPathsNameTheirShare(t *testing.T) {
	for path, want := range map[string]string{
		`\\server\practice\Ferry\Harbour View.ferry`: `\\server\practice`,
		`//server/practice/Harbour View.ferry`:       `\\server\practice`,
		`\\?\UNC\nas.local\Shared Files\a.ferry`:     `\\nas.local\Shared Files`,
		`\\?\C:\Users\Ann\a.ferry`:                   "",
		`\\.\PhysicalDrive0`:                         "",
		`C:\Users\Ann\a.ferry`:                       "",
		`Z:\tmp\my projects\Harbour View.ferry`:      "",
		`\\server`:                                   "",
		"/home/ann/a.ferry":                          "",
	} {
		if got := uncShare(path); got != want {
			t.Errorf("uncShare(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestWarningsSayWhereAndWhatToDo(t *testing.T) {
	if w := (Storage{Kind: StorageLocal}).Warning("a.ferry"); w != "" {
		t.Fatalf("a local disk needs no warning: %q", w)
	}
	w := Storage{Kind: StorageSynced, Where: "OneDrive"}.Warning("Harbour View.ferry")
	for _, want := range []string{"Harbour View.ferry", "a folder that OneDrive syncs", "two computers"} {
		if !strings.Contains(w, want) {
			t.Errorf("synced warning lacks %q: %s", want, w)
		}
	}
	w = Storage{Kind: StorageNetwork, Where: `the network share \\server\practice`}.Warning("Harbour View.ferry")
	for _, want := range []string{`\\server\practice`, "two computers", "copy it to this computer"} {
		if !strings.Contains(w, want) {
			t.Errorf("network warning lacks %q: %s", want, w)
		}
	}
}
