//go:build loadonly

package sample_test

import (
	"context"
	"os"
	"testing"

	"github.com/ferry-migrate/ferry/app/audit"
	"github.com/ferry-migrate/ferry/app/demo"
	"github.com/ferry-migrate/ferry/app/demoflow"
	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/app/project"
	"github.com/ferry-migrate/ferry/app/sample"
	"github.com/ferry-migrate/ferry/assets"
	"github.com/ferry-migrate/ferry/importers"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
)

func TestZZShot(t *testing.T) {
	path := os.Getenv("SHOT")
	if path == "" {
		t.Skip()
	}
	ctx := context.Background()
	p, err := demo.CreateProject(ctx, path, project.Options{Actor: "Dana"}, assets.Demo, importers.Service{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	audit.Run(ctx, p, audit.Options{ReferenceDate: demo.ReferenceDate}, nil)
	if err := demoflow.Ready(ctx, p); err != nil {
		t.Fatal(err)
	}
	f, _ := mapping.New(p).Feed(ctx)
	pb := pocketbase.Start(t)
	if err := pb.CreateCollections(f.Def, pocketbase.Options{MaxLength: map[string]int{"Patient.address.line": 16}}); err != nil {
		t.Fatal(err)
	}
	token, _ := pb.UserToken()
	secret := func(load.Destination) (string, error) { return token, nil }
	cfg := load.Config{Kind: load.KindREST, URL: pb.URL, Auth: load.Auth{Type: load.AuthBearer},
		Entities: load.PocketBaseEntities(f.Def), Concurrency: 8}
	load.SaveDestination(ctx, p, load.Destination{Name: "Cliniko sandbox", Kind: load.KindREST, Role: "sandbox", Config: cfg})
	load.SaveDestination(ctx, p, load.Destination{Name: "Cliniko live", Kind: load.KindREST, Role: "live", Config: cfg})
	res, err := sample.Run(ctx, p, sample.RunOptions{Destination: "Cliniko sandbox", Secret: secret})
	t.Log(res.Counts, err)
}
