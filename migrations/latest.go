package migrations

import "io/fs"

// Latest is the highest version in set: a database recording a higher one
// was shaped by a newer program.
func Latest(set fs.FS) (int, error) {
	all, err := list(set)
	if err != nil || len(all) == 0 {
		return 0, err
	}
	return all[len(all)-1].version, nil
}
