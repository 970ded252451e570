package main

import (
	"runtime/debug"
)

// Set by the Makefile's build target with -ldflags -X; a plain go build
// leaves them empty, and buildInfo falls back to what Go recorded.
var (
	version   string
	commit    string
	buildDate string
)

type build struct {
	Version, Commit, Date string
}

// buildInfo is what this binary was built from: the -ldflags values, else
// the version control settings go build records, else « dev ».
func buildInfo() build {
	b := build{Version: version, Commit: commit, Date: buildDate}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && b.Commit == "":
				b.Commit = s.Value
			case s.Key == "vcs.time" && b.Date == "":
				b.Date = s.Value
			}
		}
		if b.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			b.Version = info.Main.Version
		}
	}
	for _, v := range []*string{&b.Version, &b.Commit, &b.Date} {
		if *v == "" {
			*v = "dev"
		}
	}
	return b
}
