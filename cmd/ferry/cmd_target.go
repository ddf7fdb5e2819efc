package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/target"
)

// secretEnv is the environment variable `ferry target --test` and `ferry load` read a
// destination's token, API key or password from when the keyring has none.
const secretEnv = "FERRY_SECRET"

func init() {
	register(&command{
		Name:    "target",
		Args:    "FILE.ferry",
		Summary: "Configure where the full load goes: import files, a REST API or a FHIR server (no secret is ever stored in the project).",
		Setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer) error {
			list := fs.Bool("list", false, "list the destinations (the default)")
			add := fs.String("add", "", "add a destination called `name`, or replace the one of that name")
			show := fs.String("show", "", "print the configuration of destination `name` as JSON")
			export := fs.String("export", "", "write destination `name` as JSON (to --out, else to standard output), without secrets")
			importFile := fs.String("import", "", "add the destination in `file` (written by --export)")
			test := fs.String("test", "", "test the connection to destination `name`")
			del := fs.String("delete", "", "remove destination `name` (only if nothing was loaded to it)")
			out := fs.String("out", "", "with --export: the `file` to write")
			kind := fs.String("kind", "", "with --add: `rest`, fhir or files")
			url := fs.String("url", "", "with --add: the base `URL` of a rest or fhir destination")
			auth := fs.String("auth", "", "with --add: `bearer`, api_key or basic (the secret: OS keyring entry --keyring, else $"+secretEnv+" or a prompt at run time)")
			header := fs.String("header", "", "with --auth api_key: the header's `name` (default X-API-Key)")
			user := fs.String("user-name", "", "with --auth basic: the `user` name")
			keyring := fs.String("keyring", "", "the OS keyring `entry` (service Ferry) that holds the secret")
			rateLimit := fs.Float64("rate", 0, "with --add: at most `N` requests a second (0: no limit)")
			concurrency := fs.Int("concurrency", 0, "with --add: requests in flight at once (default 4)")
			preset := fs.String("preset", "", "with --add --kind rest: `pocketbase` fills in endpoints for collections named after the target's entities")
			dir := fs.String("dir", "", "with --add --kind files: the `folder` to write the files in")
			format := fs.String("format", "", "with --add --kind files: `csv` (default) or xlsx")
			chunk := fs.Int("chunk-rows", 0, "with --add --kind files: at most `N` rows per file (0: no limit)")
			configFile := fs.String("config", "", "with --add: the configuration `file` (JSON, format ferry-destination/1); flags given override it")
			system := fs.String("identifier-system", "", "with --add --kind fhir: the identifier system `URI` of legacy keys ({entity} is replaced)")
			role := fs.String("role", "", "with --add: live (default) or sandbox")
			asJSON := fs.Bool("json", false, "print JSON instead of text")
			actor := fs.String("user", "", "your name, recorded in the custody log (default: your login name)")
			return func(ctx context.Context, args []string, w io.Writer) error {
				if err := needArgs(args, 1, 1, "one project file: ferry target FILE.ferry [--list | --add NAME … | --show NAME | --export NAME | --import FILE | --test NAME | --delete NAME]"); err != nil {
					return err
				}
				actions := 0
				for _, on := range []bool{*list, *add != "", *show != "", *export != "", *importFile != "", *test != "", *del != ""} {
					if on {
						actions++
					}
				}
				if actions > 1 {
					return usageError("choose one of --list, --add, --show, --export, --import, --test, --delete")
				}
				if *add == "" && (*kind != "" || *url != "" || *auth != "" || *preset != "" || *dir != "" || *configFile != "") {
					return usageError("--kind, --url, --auth, --preset, --dir and --config go with --add NAME")
				}
				name := actorName(*actor)
				readOnly := *add == "" && *importFile == "" && *del == ""
				p, err := project.Open(ctx, args[0], project.Options{Actor: name, ReadOnly: readOnly})
				if err != nil {
					return err
				}
				defer p.Close()
				switch {
				case *add != "":
					cfg := load.Config{}
					if *configFile != "" {
						b, err := os.ReadFile(*configFile)
						if err != nil {
							return err
						}
						if cfg, err = load.ParseConfig(b); err != nil {
							return err
						}
					}
					if *kind != "" {
						cfg.Kind = *kind
					}
					if cfg.Kind == "" {
						return usageError("--add needs --kind rest, fhir or files")
					}
					if *url != "" {
						cfg.URL = *url
					}
					if *auth != "" {
						cfg.Auth.Type = *auth
					}
					if *header != "" {
						cfg.Auth.Header = *header
					}
					if *user != "" {
						cfg.Auth.User = *user
					}
					if *keyring != "" {
						cfg.Auth.Keyring = *keyring
					}
					if *rateLimit > 0 {
						cfg.RateLimit = *rateLimit
					}
					if *concurrency > 0 {
						cfg.Concurrency = *concurrency
					}
					if *system != "" {
						cfg.IdentifierSystem = *system
					}
					if *dir != "" || *format != "" || *chunk > 0 {
						fc := map[string]any{}
						if len(cfg.Files) > 0 {
							json.Unmarshal(cfg.Files, &fc)
						}
						if *dir != "" {
							fc["dir"] = *dir
						}
						if *format != "" {
							fc["format"] = *format
						}
						if *chunk > 0 {
							fc["chunk_rows"] = *chunk
						}
						cfg.Files, _ = json.Marshal(fc)
					}
					switch *preset {
					case "":
					case "pocketbase":
						t, err := target.Active(ctx, p)
						if err != nil {
							return fmt.Errorf("--preset pocketbase needs the project's target: %w", err)
						}
						cfg.Entities = load.PocketBaseEntities(t.Definition)
					default:
						return usageError(fmt.Sprintf("--preset %q: the preset there is is pocketbase", *preset))
					}
					d, err := load.SaveDestination(ctx, p, load.Destination{Name: *add, Kind: cfg.Kind, Role: *role, Config: cfg})
					if err != nil {
						return err
					}
					fmt.Fprintf(w, "Destination %s saved (%s, version %d).\n", d.Name, d.Kind, d.Version)
					if d.Config.NeedsSecret() && d.Config.Auth.Keyring == "" {
						fmt.Fprintf(w, "Its secret is not stored: give it in $%s or when asked, or name a keyring entry with --keyring.\n", secretEnv)
					}
					return nil
				case *show != "":
					d, err := load.GetDestination(ctx, p, *show)
					if err != nil {
						return err
					}
					return printTargetJSON(w, d)
				case *export != "":
					b, err := load.ExportDestination(ctx, p, *export)
					if err != nil {
						return err
					}
					if *out == "" {
						_, err = w.Write(append(b, '\n'))
						return err
					}
					if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
						return err
					}
					fmt.Fprintf(w, "Destination %s written to %s (no secret is in it).\n", *export, *out)
					return nil
				case *importFile != "":
					f, err := os.Open(*importFile)
					if err != nil {
						return err
					}
					defer f.Close()
					d, err := load.ImportDestination(ctx, p, f)
					if err != nil {
						return err
					}
					fmt.Fprintf(w, "Destination %s imported (%s, version %d).\n", d.Name, d.Kind, d.Version)
					return nil
				case *test != "":
					d, err := load.GetDestination(ctx, p, *test)
					if err != nil {
						return err
					}
					secret := ""
					if d.Config.NeedsSecret() {
						if secret, err = load.Secret(d, destinationSecret); err != nil {
							return err
						}
					}
					res := load.TestConnection(ctx, d, secret)
					if *asJSON {
						if err := printTargetJSON(w, res); err != nil {
							return err
						}
					} else {
						fmt.Fprintln(w, res.Message)
					}
					if !res.OK {
						return errTargetTest
					}
					return nil
				case *del != "":
					if err := load.DeleteDestination(ctx, p, *del); err != nil {
						return err
					}
					fmt.Fprintf(w, "Destination %s removed.\n", *del)
					return nil
				}
				ds, err := load.Destinations(ctx, p)
				if err != nil {
					return err
				}
				if *asJSON {
					if ds == nil {
						ds = []load.Destination{}
					}
					return printTargetJSON(w, ds)
				}
				if len(ds) == 0 {
					fmt.Fprintf(w, "%s has no destination yet: ferry target %s --add NAME --kind rest|fhir|files …\n", p.Name(), args[0])
					return nil
				}
				tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tKIND\tROLE\tVERSION\tWHERE\tAUTH")
				for _, d := range ds {
					where := d.Config.URL
					if d.Kind == load.KindFiles {
						var fc struct {
							Dir string `json:"dir"`
						}
						json.Unmarshal(d.Config.Files, &fc)
						where = fc.Dir
					}
					auth := d.Config.Auth.Type
					if auth == "" {
						auth = "none"
					} else if d.Config.Auth.Keyring != "" {
						auth += " (keyring " + d.Config.Auth.Keyring + ")"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", d.Name, d.Kind, d.Role, d.Version, where, auth)
				}
				return tw.Flush()
			}
		},
	})
}

// errTargetTest: exit 1, the message has been printed.
var errTargetTest = errors.New("the connection test failed")

func printTargetJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// destinationSecret is the secret for d: the keyring entry its configuration names, else
// $FERRY_SECRET, else a line typed at the terminal.
func destinationSecret(d load.Destination) (string, error) {
	if s := os.Getenv(secretEnv); s != "" {
		return s, nil
	}
	if st, err := os.Stdin.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
		fmt.Fprintf(os.Stderr, "The %s for %s (%s; what you type is shown): ", strings.ReplaceAll(d.Config.Auth.Type, "_", " "), d.Name, d.Config.URL)
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if s := strings.TrimSpace(line); s != "" {
			return s, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("destination %s needs its %s: save it in the OS keyring (--keyring), or set %s", d.Name, d.Config.Auth.Type, secretEnv)
}
