package backup

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// manifestName is the file, in a backup folder, that lists what the backup
// holds. It is written last: a folder without one is an unfinished backup.
const manifestName = "manifest.json"

// manifestFormat is the version of the manifest's layout.
const manifestFormat = 1

// manifest describes one backup: its database and the attached files it
// needs, which live in the shared store beside the backup folders.
type manifest struct {
	Format    int       `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	Schema    int       `json:"schema_version"` // last migration applied to the database
	Database  entry     `json:"database"`
	Files     []entry   `json:"files"`
}

// entry is one file with what it must be: its size and SHA-256.
type entry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// size is the database and every file the backup lists, in bytes.
func (m *manifest) size() int64 {
	n := m.Database.Size
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

func readManifest(folder string) (*manifest, error) {
	b, err := os.ReadFile(filepath.Join(folder, manifestName))
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", manifestName, err)
	}
	if m.Format != manifestFormat {
		return nil, fmt.Errorf("%s: format %d, want %d", manifestName, m.Format, manifestFormat)
	}
	return &m, nil
}

func writeManifest(folder string, m *manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileSynced(filepath.Join(folder, manifestName), b)
}
