package server

import (
	"strconv"
	"strings"
	"syscall"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// The administrators' dashboard, /admin: is the network alive (members and
// contributions week by week), is the site healthy (search lag, mail
// failures, disk space). Charts are drawn by the server, each beside a
// table of its figures.

// dashboardWeeks and dashboardMailDays are how far back the dashboard looks.
const (
	dashboardWeeks    = 12
	dashboardMailDays = 7
)

type adminDashboardPage struct {
	Page
	Weeks                      []content.WeekActivity
	MembersChart, Contributing barChart
	MailDays                   []content.DayCount
	MailChart                  barChart
	Mail                       content.MailHealth
	Index                      indexHealth
	Disk                       diskSpace
	Backup                     backupHealth
	Database, WAL, IndexSize   string // sizes in words
}

// diskSpace is what is left on the filesystem of the data folder.
type diskSpace struct {
	Free, Total string // « 12,4 Go »
	Percent     int    // free, of the total
	Low         bool   // under lowDiskPercent: time to act
}

// lowDiskPercent is the free space under which the dashboard warns.
const lowDiskPercent = 10

func (s *Server) handleAdminDashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := &adminDashboardPage{Page: s.page(c, "Tableau de bord — administration")}
	var err error
	if p.Weeks, err = s.store.ActivityByWeek(ctx, dashboardWeeks); err != nil {
		return err
	}
	if p.MailDays, err = s.store.MailFailuresByDay(ctx, dashboardMailDays); err != nil {
		return err
	}
	if p.Mail, err = s.store.MailHealth(ctx); err != nil {
		return err
	}
	p.MembersChart, p.Contributing = activityCharts(p.Weeks)
	p.MailChart = mailFailureChart(p.MailDays)
	p.Index = s.indexHealth(ctx)
	p.Backup = s.backupHealth(ctx)
	main, wal, err := s.db.DatabaseFiles()
	if err != nil {
		return err
	}
	index, err := s.index.SizeOnDisk()
	if err != nil {
		return err
	}
	p.Database, p.WAL, p.IndexSize = frenchBytes(uint64(main)), frenchBytes(uint64(wal)), frenchBytes(uint64(index))
	if p.Disk, err = diskSpaceOf(s.cfg.DataDir); err != nil {
		return err
	}
	return s.render(c, 200, "admin/dashboard", p)
}

func activityCharts(weeks []content.WeekActivity) (members, contributions barChart) {
	labels := make([]string, len(weeks))
	joined, written := make([]int, len(weeks)), make([]int, len(weeks))
	for i, w := range weeks {
		labels[i], joined[i], written[i] = w.Label, w.Members, w.Contributions()
	}
	return newBarChart("Diagramme en barres des comptes créés chaque semaine. ", labels, joined, countOf("compte", "comptes")),
		newBarChart("Diagramme en barres des contributions de chaque semaine. ", labels, written, countOf("contribution", "contributions"))
}

func mailFailureChart(days []content.DayCount) barChart {
	labels, counts := make([]string, len(days)), make([]int, len(days))
	for i, d := range days {
		labels[i], counts[i] = d.Label, d.Count
	}
	return newBarChart("Diagramme en barres des courriels en échec chaque jour. ", labels, counts, countOf("courriel", "courriels"))
}

// countOf says a count with its noun: « 1 compte », « 3 comptes ».
func countOf(one, many string) func(int) string {
	return func(n int) string {
		if n < 2 {
			return strconv.Itoa(n) + " " + one
		}
		return strconv.Itoa(n) + " " + many
	}
}

func diskSpaceOf(dir string) (diskSpace, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return diskSpace{}, err
	}
	free, total := uint64(st.Bavail)*uint64(st.Bsize), uint64(st.Blocks)*uint64(st.Bsize)
	d := diskSpace{Free: frenchBytes(free), Total: frenchBytes(total)}
	if total > 0 {
		d.Percent = int(free * 100 / total)
	}
	d.Low = d.Percent < lowDiskPercent
	return d, nil
}

// frenchBytes says a size as French readers write it: « 12,4 Go », « 830 Ko ».
func frenchBytes(n uint64) string {
	units := []string{"octets", "Ko", "Mo", "Go", "To"}
	v, u := float64(n), 0
	for v >= 1000 && u < len(units)-1 {
		v /= 1000
		u++
	}
	digits := 0
	if u > 0 && v < 100 {
		digits = 1
	}
	return strings.Replace(strconv.FormatFloat(v, 'f', digits, 64), ".", ",", 1) + "\u00a0" + units[u]
}
