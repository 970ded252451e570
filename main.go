// Command ligue runs the Ligue site and its maintenance tasks.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/ligue-mednum/ligue/backup"
	"github.com/ligue-mednum/ligue/bench/gen"
	"github.com/ligue-mednum/ligue/content"
	"github.com/ligue-mednum/ligue/search"
	"github.com/ligue-mednum/ligue/server"
)

const usage = `ligue — le forum et la base de connaissances de la Ligue des mednum.

Usage:
  ligue serve   [--addr 127.0.0.1:8080] [--data ./data] [--base-url URL] [--flag-threshold 3]
                [--metrics-addr 127.0.0.1:9100] [--metrics-token TOKEN] [--page-cache-mb 32]
                [--trusted-proxies 127.0.0.1,::1] [--log-format text|json]
                (logs on standard output)
  ligue migrate [--data ./data] [--dry-run]   (--dry-run lists the pending migrations, changes nothing)
  ligue version [--data ./data]   (the build, its schema, and with --data the database's)
  ligue user create --pseudo P --email E [--role member|moderator|admin] [--data ./data]
                (password read from standard input; the account counts as vouched for,
                its charter as accepted)
  ligue token create --pseudo P [--name NAME] [--data ./data]
  ligue backup FILE [--data ./data]   (copy of the live database)
  ligue backup --dir DIR [--keep 14] [--data ./data]
                (full backup, database and attached files, verified, as the server's schedule makes)
  ligue restore BACKUP [--data ./data]
                (BACKUP: a folder DIR/ligue-… or a .db file; the server must be stopped)
  ligue rerender [--data ./data]   (renders every post again after a renderer change)
  ligue reindex [--data ./data]    (rebuilds the search index; a running server switches to it)
  ligue gen --data DIR [--topics N] [--posts-per-topic M] [--members U] [--fiches K] [--texts T]
                (fills a new data folder with a generated community, for the benchmark)

Environment: LIGUE_ADDR, LIGUE_DATA, LIGUE_BASE_URL, LIGUE_FLAG_THRESHOLD, LIGUE_SMTP_URL, LIGUE_MAIL_FROM,
LIGUE_TRUSTED_PROXIES, LIGUE_LOG_FORMAT,
LIGUE_METRICS_ADDR, LIGUE_METRICS_TOKEN, LIGUE_PAGE_CACHE_MB,
LIGUE_BACKUP_DIR, LIGUE_BACKUP_EVERY, LIGUE_BACKUP_KEEP (serve: --backup-dir, --backup-every 24h, --backup-keep 14),
LIGUE_BENCH_FILE (serve also serves that file at /banc/fichier: the load benchmark's baseline).
Each command has --help.
`

func main() {
	// The maintenance commands log on standard error, their results going
	// to standard output; serve logs on standard output, for the journal
	// (newLogger).
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfiles := startProfiles()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, log)
	stopProfiles()
	stop()
	os.Exit(code)
}

// run dispatches a command line and returns the exit code: 0 done,
// 1 failed, 2 misused.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, log *slog.Logger) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, rest := args[0], args[1:]
	if (cmd == "user" || cmd == "token") && len(rest) > 0 && rest[0] == "create" {
		cmd, rest = cmd+" create", rest[1:]
	}
	fs := flag.NewFlagSet("ligue "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", envOr("LIGUE_DATA", "data"), "folder holding the database and index (LIGUE_DATA)")
	var err error
	switch cmd {
	case "serve":
		addr := fs.String("addr", envOr("LIGUE_ADDR", server.DefaultAddr), "listen address (LIGUE_ADDR)")
		baseURL := fs.String("base-url", os.Getenv("LIGUE_BASE_URL"), "public URL of the site, used in mails (LIGUE_BASE_URL)")
		maxUpload := fs.Int64("max-upload-mb", envInt("LIGUE_MAX_UPLOAD_MB", 8), "largest attached file, in MB (LIGUE_MAX_UPLOAD_MB)")
		accessLog := fs.String("access-log", envOr("LIGUE_ACCESS_LOG", "slow"),
			"which requests are logged: slow (server errors and requests over 250 ms), all, or off (LIGUE_ACCESS_LOG)")
		flagThreshold := fs.Int64("flag-threshold", envInt("LIGUE_FLAG_THRESHOLD", content.DefaultFlagThreshold),
			"weight of members' flags that hides a content pending review (LIGUE_FLAG_THRESHOLD)")
		trustedProxies := fs.String("trusted-proxies", os.Getenv("LIGUE_TRUSTED_PROXIES"),
			"comma-separated addresses or CIDRs of the reverse proxies whose X-Forwarded-For is believed (LIGUE_TRUSTED_PROXIES)")
		logFormat := fs.String("log-format", envOr("LIGUE_LOG_FORMAT", "text"), "log lines on standard output: text or json (LIGUE_LOG_FORMAT)")
		metricsAddr := fs.String("metrics-addr", os.Getenv("LIGUE_METRICS_ADDR"),
			"where /metrics and /debug/pprof/ listen, e.g. 127.0.0.1:9100; empty: off (LIGUE_METRICS_ADDR)")
		metricsToken := fs.String("metrics-token", os.Getenv("LIGUE_METRICS_TOKEN"),
			"Bearer token the metrics listener requires; needed beyond loopback (LIGUE_METRICS_TOKEN)")
		backups := backupFlags(fs)
		pageCache := fs.Int64("page-cache-mb", envInt("LIGUE_PAGE_CACHE_MB", server.DefaultPageCacheMB),
			"memory for the pages kept rendered for visitors, in MB; 0 turns the cache off (LIGUE_PAGE_CACHE_MB)")
		if code, ok := parse(fs, rest, 0); !ok {
			return code
		}
		serverLog, ok := newLogger(*logFormat, stdout)
		if !ok {
			fmt.Fprintf(stderr, "--log-format %q : text ou json\n", *logFormat)
			fs.Usage()
			return 2
		}
		if *pageCache == 0 || os.Getenv("LIGUE_PAGE_CACHE_MB") == "0" && !flagSet(fs, "page-cache-mb") {
			*pageCache = -1
		}
		cfg := server.Config{PageCacheMB: int(*pageCache), Addr: *addr, DataDir: *data, BaseURL: *baseURL, MaxUpload: *maxUpload << 20, FlagThreshold: int(*flagThreshold),
			SMTPURL: os.Getenv("LIGUE_SMTP_URL"), MailFrom: os.Getenv("LIGUE_MAIL_FROM"), AccessLog: *accessLog,
			BenchFile: os.Getenv("LIGUE_BENCH_FILE"), MetricsAddr: *metricsAddr, MetricsToken: *metricsToken,
			TrustedProxies: splitList(*trustedProxies)}
		if err := backups.into(&cfg); err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		err = serve(ctx, cfg, serverLog)
	case "migrate":
		dry := fs.Bool("dry-run", false, "list the migrations that would run, change nothing")
		if code, ok := parse(fs, rest, 0); !ok {
			return code
		}
		if *dry {
			err = dryRun(ctx, stdout, *data)
			break
		}
		err = withDB(ctx, *data, func(db *content.DB) error { fmt.Fprintln(stdout, "base de données à jour"); return nil })
	case "version":
		if code, ok := parse(fs, rest, 0); !ok {
			return code
		}
		dataDir := ""
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "data" {
				dataDir = *data
			}
		})
		err = printVersion(ctx, stdout, dataDir)
	case "user create":
		pseudo := fs.String("pseudo", "", "pseudo of the new account (required)")
		email := fs.String("email", "", "e-mail address (required)")
		role := fs.String("role", "member", "member, moderator or admin")
		if code, ok := parse(fs, rest, 0); !ok {
			return code
		}
		if *pseudo == "" || *email == "" {
			fmt.Fprintln(stderr, "--pseudo et --email sont obligatoires")
			fs.Usage()
			return 2
		}
		err = createUser(ctx, *data, content.NewUser{Pseudo: *pseudo, Email: *email, Role: content.Role(*role), Verified: true}, stdin, stdout)
	case "token create":
		pseudo := fs.String("pseudo", "", "pseudo of the account (required)")
		name := fs.String("name", "ligne de commande", "what the token is for")
		if code, ok := parse(fs, rest, 0); !ok {
			return code
		}
		if *pseudo == "" {
			fmt.Fprintln(stderr, "--pseudo est obligatoire")
			fs.Usage()
			return 2
		}
		err = withDB(ctx, *data, func(db *content.DB) error {
			store := content.NewStore(db)
			u, err := store.UserByPseudo(ctx, *pseudo)
			if err != nil {
				return fmt.Errorf("compte %q : %w", *pseudo, err)
			}
			value, _, err := store.CreateAPIToken(ctx, u, *name)
			if err == nil {
				fmt.Fprintln(stdout, value)
			}
			return err
		})
	case "rerender":
		if code, ok := parse(fs, rest, 0); !ok {
			return code
		}
		err = withDB(ctx, *data, func(db *content.DB) error {
			n, err := content.NewStore(db).RerenderAll(ctx)
			if err == nil {
				fmt.Fprintf(stdout, "%d message(s) mis à jour\n", n)
			}
			return err
		})
	case "reindex":
		if code, ok := parse(fs, rest, 0); !ok {
			return code
		}
		err = withDB(ctx, *data, func(db *content.DB) error {
			store := content.NewStore(db)
			if err := search.Rebuild(ctx, *data, store.SearchSources(), store.Events(), log); err != nil {
				return err
			}
			fmt.Fprintln(stdout, "index de recherche reconstruit")
			return nil
		})
	case "gen":
		o := gen.Options{}
		fs.IntVar(&o.Topics, "topics", 1000, "discussions to generate")
		fs.IntVar(&o.PostsPerTopic, "posts-per-topic", 20, "posts per discussion, on average (the first has --long-topic)")
		fs.IntVar(&o.Members, "members", 500, "members to generate")
		fs.IntVar(&o.Fiches, "fiches", 0, "published fiches to generate")
		fs.IntVar(&o.Texts, "texts", 0, "published textes de propositions to generate")
		fs.IntVar(&o.LongTopic, "long-topic", 500, "posts of the first discussion")
		fs.Uint64Var(&o.Seed, "seed", 1, "random seed: the same seed generates the same content")
		if code, ok := parse(fs, rest, 0); !ok {
			return code
		}
		o.DataDir = *data
		_, err = gen.Run(ctx, o, stdout, log)
	case "backup":
		dir := fs.String("dir", "", "make a full backup (database and attached files, verified) in this backup folder")
		keep := fs.Int64("keep", envInt("LIGUE_BACKUP_KEEP", backup.DefaultKeep), "full backups kept in --dir (LIGUE_BACKUP_KEEP)")
		if hasFlag(rest, "dir") {
			if code, ok := parse(fs, rest, 0); !ok {
				return code
			}
			err = withDB(ctx, *data, func(db *content.DB) error { return fullBackup(ctx, db, *data, *dir, int(*keep), stdout) })
			break
		}
		if code, ok := parse(fs, rest, 1); !ok {
			return code
		}
		dest := fs.Arg(0)
		if _, statErr := os.Stat(dest); statErr == nil {
			fmt.Fprintf(stderr, "%s existe déjà : choisissez un autre nom de fichier\n", dest)
			return 1
		}
		err = withDB(ctx, *data, func(db *content.DB) error {
			if err := db.Backup(ctx, dest); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "sauvegarde écrite dans %s\n", dest)
			return nil
		})
	case "restore":
		if code, ok := parse(fs, rest, 1); !ok {
			return code
		}
		err = restore(ctx, fs.Arg(0), *data, stdout, log)
	default:
		fmt.Fprintf(stderr, "commande inconnue : %q\n\n%s", strings.Join(args, " "), usage)
		return 2
	}
	if err != nil {
		if v, ok := content.AsValidation(err); ok {
			for _, f := range v.Fields {
				fmt.Fprintf(stderr, "%s : %s\n", f.Field, f.Message)
			}
		} else {
			fmt.Fprintln(stderr, "erreur :", err)
		}
		return 1
	}
	return 0
}

// parse reads flags, allowed before or after the positional arguments, and
// checks how many positional arguments there are; fs.Arg(i) returns them
// afterwards.
func parse(fs *flag.FlagSet, args []string, positional int) (int, bool) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0, false
			}
			return 2, false
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(rest) != positional {
		fmt.Fprintf(fs.Output(), "nombre d’arguments inattendu : %q\n", rest)
		fs.Usage()
		return 2, false
	}
	fs.Parse(append([]string{"--"}, rest...))
	return 0, true
}

// newLogger is the server's logger: on standard output, which systemd
// hands to the journal, as text or as one JSON object a line.
func newLogger(format string, stdout io.Writer) (*slog.Logger, bool) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(stdout, nil)), true
	case "json":
		return slog.New(slog.NewJSONHandler(stdout, nil)), true
	}
	return nil, false
}

// splitList reads a comma-separated list, blanks around items dropped.
func splitList(s string) []string {
	var items []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}

func envInt(key string, fallback int64) int64 {
	if n, err := strconv.ParseInt(os.Getenv(key), 10, 64); err == nil && n > 0 {
		return n
	}
	return fallback
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

func serve(ctx context.Context, cfg server.Config, log *slog.Logger) error {
	s, err := server.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	return s.Run(ctx)
}

func withDB(ctx context.Context, dataDir string, fn func(*content.DB) error) error {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return err
	}
	db, err := content.OpenDB(ctx, dataDir+"/ligue.db")
	if err != nil {
		return err
	}
	return errors.Join(fn(db), db.Close())
}

func createUser(ctx context.Context, dataDir string, in content.NewUser, stdin io.Reader, stdout io.Writer) error {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	in.Password = strings.TrimRight(line, "\r\n")
	// An administrator made the account, for someone they know or for a
	// tool of theirs: vouched for, and the charter taken as accepted.
	in.Vouched, in.AcceptCharter = true, true
	return withDB(ctx, dataDir, func(db *content.DB) error {
		u, err := content.NewStore(db).CreateUser(ctx, in, nil)
		if err == nil {
			fmt.Fprintf(stdout, "compte %s créé (%s)\n", u.Pseudo, u.Role.Label())
		}
		return err
	})
}

// flagSet tells whether the command line set flag name (not only its default).
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
