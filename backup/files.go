package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// storeName is the folder, beside the backup folders, holding the attached
// files of every backup once: they are named by their content hash, so a
// file already there is the same file and costs nothing more.
const storeName = "fichiers"

// listFiles returns the names of the regular files of dir, sorted; hidden
// ones (an upload being written) are skipped. A missing dir holds none.
func listFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// hashFile returns the size and SHA-256 of the file at path.
func hashFile(path string) (entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return entry{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return entry{}, err
	}
	return entry{Name: filepath.Base(path), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// copyFile copies src to dst through a hidden temporary file synced to
// disk, so dst is either absent or whole, and returns what it copied.
func copyFile(src, dst string) (entry, error) {
	in, err := os.Open(src)
	if err != nil {
		return entry{}, err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".copie-*")
	if err != nil {
		return entry{}, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), in)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return entry{}, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return entry{}, err
	}
	return entry{Name: filepath.Base(dst), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// linkOrCopy puts src at dst: a hard link when both are on one disk (no
// space taken; uploads are replaced by rename, never changed in place, so
// the link keeps the bytes it saw), a copy otherwise.
func linkOrCopy(src, dst string) (entry, error) {
	if err := os.Link(src, dst); err == nil {
		return hashFile(dst)
	}
	return copyFile(src, dst)
}

// writeFileSynced writes data to path through a synced temporary file.
func writeFileSynced(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ecriture-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
