// Package settings keeps what belongs to the person, not the project: their name, the recent
// projects list and the theme, in the user's config folder (%APPDATA%\Ferry on Windows,
// ~/.config/Ferry on Linux). FERRY_CONFIG_DIR overrides the folder (tests, portable installs).
package settings

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
)

// MaxRecent is how many recent projects are remembered.
const MaxRecent = 10

// Settings is the stored preferences file.
type Settings struct {
	UserName string   `json:"user_name,omitempty"`
	Recent   []string `json:"recent,omitempty"`
	Theme    string   `json:"theme,omitempty"` // "", "light", "dark"
}

var mu sync.Mutex

// Dir is the folder settings live in.
func Dir() (string, error) {
	if d := os.Getenv("FERRY_CONFIG_DIR"); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "Ferry"), nil
}

// ProjectsDir is where new projects and the demo go unless the person picks another place.
func ProjectsDir() string {
	if d := os.Getenv("FERRY_PROJECTS_DIR"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "."
	}
	docs := filepath.Join(home, "Documents")
	if st, err := os.Stat(docs); err == nil && st.IsDir() {
		return filepath.Join(docs, "Ferry")
	}
	return filepath.Join(home, "Ferry")
}

func file() (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "settings.json"), nil
}

// Load reads the settings; a missing or unreadable file gives defaults.
func Load() Settings {
	mu.Lock()
	defer mu.Unlock()
	return load()
}

func load() Settings {
	var s Settings
	f, err := file()
	if err != nil {
		return s
	}
	b, err := os.ReadFile(f)
	if err != nil {
		return s
	}
	_ = json.Unmarshal(b, &s)
	return s
}

// Update changes the settings under a lock and saves them atomically.
func Update(fn func(*Settings)) error {
	mu.Lock()
	defer mu.Unlock()
	s := load()
	fn(&s)
	f, err := file()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(s, "", "  ")
	tmp := f + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, f)
}

// AddRecent puts path first in the recent list.
func AddRecent(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return Update(func(s *Settings) {
		out := []string{abs}
		for _, r := range s.Recent {
			if r != abs && len(out) < MaxRecent {
				out = append(out, r)
			}
		}
		s.Recent = out
	})
}

// RemoveRecent drops a path from the recent list (it was moved or deleted).
func RemoveRecent(path string) error {
	return Update(func(s *Settings) {
		out := s.Recent[:0]
		for _, r := range s.Recent {
			if r != path {
				out = append(out, r)
			}
		}
		s.Recent = out
	})
}

// RecentExisting returns the recent projects that still exist.
func RecentExisting() []string {
	var out []string
	for _, r := range Load().Recent {
		if _, err := os.Stat(r); !errors.Is(err, os.ErrNotExist) {
			out = append(out, r)
		}
	}
	return out
}
