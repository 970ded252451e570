package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const shippedUnit = "deploy/ligue.service"

// systemdAnalyze is the path of systemd-analyze; the test is skipped
// without it.
func systemdAnalyze(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed (Debian's systemd package): the unit is not checked")
	}
	return path
}

// unitForCheck is the shipped unit with ExecStart pointing at a binary that
// exists here (this test's): systemd-analyze checks that it does.
func unitForCheck(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(shippedUnit)
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit := strings.Replace(string(b), "ExecStart=/usr/local/bin/ligue ", "ExecStart="+self+" ", 1)
	if unit == string(b) {
		t.Fatalf("%s: no ExecStart=/usr/local/bin/ligue", shippedUnit)
	}
	path := filepath.Join(t.TempDir(), "ligue.service")
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSystemdUnitVerifies(t *testing.T) {
	analyze := systemdAnalyze(t)
	unit := unitForCheck(t)
	// An unknown or misspelt setting is only a warning: any output fails.
	out, err := exec.Command(analyze, "verify", unit).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err = exec.Command(analyze, "security", "--offline=true", "--no-pager", unit).CombinedOutput()
	if err != nil && strings.Contains(string(out), "--offline") {
		t.Skipf("this systemd-analyze cannot rate a unit offline: %s", out)
	}
	if m := regexp.MustCompile(`Overall exposure level for \S+: (\S+) (\S+)`).FindStringSubmatch(string(out)); m == nil ||
		(m[2] != "SAFE" && m[2] != "OK") {
		t.Errorf("systemd-analyze security: %v\n%s", err, out)
	}
}

// Every setting the example environment file shows is one serve reads.
func TestExampleEnvironmentFile(t *testing.T) {
	f, err := os.Open("deploy/ligue.env")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var source []byte // the command's own files, where it reads its settings
	files, _ := filepath.Glob("*.go")
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		source = append(source, b...)
	}
	setting := regexp.MustCompile(`^#?(LIGUE_[A-Z_]+)=`)
	seen := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if m := setting.FindStringSubmatch(sc.Text()); m != nil {
			seen++
			if !strings.Contains(string(source), `"`+m[1]+`"`) {
				t.Errorf("deploy/ligue.env sets %s, which ligue does not read", m[1])
			}
		}
	}
	if seen < 5 {
		t.Errorf("deploy/ligue.env shows %d settings", seen)
	}
}
