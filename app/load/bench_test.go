package load_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/app/load"
	"github.com/ferry-migrate/ferry/app/mapping"
	"github.com/ferry-migrate/ferry/internal/pocketbase"
)

// benchPocketBase is a PocketBase with the demo's collections and no rate limiter.
func benchPocketBase(b *testing.B, f *mapping.Feed) (*pocketbase.Server, string) {
	pb := pocketbase.Start(b)
	if err := pb.CreateCollections(f.Def, pocketbase.Options{}); err != nil {
		b.Fatal(err)
	}
	token, err := pb.UserToken()
	if err != nil {
		b.Fatal(err)
	}
	return pb, token
}

// BenchmarkLoadPocketBase: Ferry's engine loading the demo (4,440 records) into a local
// PocketBase with no limit, 8 requests in flight; records/s.
func BenchmarkLoadPocketBase(b *testing.B) {
	for range b.N {
		b.StopTimer()
		p := demoCopyB(b)
		f, _ := feedRecords(b, p)
		pb, token := benchPocketBase(b, f)
		cfg := load.Config{Kind: load.KindREST, URL: pb.URL, Auth: load.Auth{Type: load.AuthBearer},
			Entities: load.PocketBaseEntities(f.Def), Concurrency: 8}
		if _, err := load.SaveDestination(context.Background(), p, load.Destination{Name: "pb", Kind: load.KindREST, Config: cfg}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		res, err := load.Run(context.Background(), p, load.Options{Destination: "pb", Secret: secretIs(token)})
		if err != nil || !res.Complete() {
			b.Fatalf("%+v %v", res, err)
		}
		b.ReportMetric(float64(res.Total)/time.Since(start).Seconds(), "records/s")
	}
}

// BenchmarkPlainClientPocketBase: the same POSTs (same bodies, same order, references already
// translated by a map in memory) from a plain net/http client with 8 goroutines and no
// bookkeeping at all: the ceiling Ferry is measured against.
func BenchmarkPlainClientPocketBase(b *testing.B) {
	for range b.N {
		b.StopTimer()
		p := demoCopyB(b)
		f, recs := feedRecords(b, p)
		pb, token := benchPocketBase(b, f)
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
		b.StartTimer()
		start := time.Now()
		ids := map[string]map[string]string{}
		var mu sync.Mutex
		n := 0
		for _, e := range f.Entities {
			ids[e.Name] = map[string]string{}
			work := make(chan mapping.Record)
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for rec := range work {
						body := map[string]string{"legacy_key": rec.Key}
						mu.Lock()
						for i, fl := range e.Fields {
							v := rec.Values[i]
							if fl.References != "" && v != "" {
								v = ids[fl.References][v]
							}
							if v != "" {
								body[load.BodyField(fl.Name)] = v
							}
						}
						mu.Unlock()
						bb, _ := json.Marshal(body)
						req, _ := http.NewRequest("POST", pb.URL+"/api/collections/"+load.CollectionName(e.Name)+"/records", bytes.NewReader(bb))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Authorization", "Bearer "+token)
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							continue
						}
						var out struct {
							ID string `json:"id"`
						}
						json.NewDecoder(resp.Body).Decode(&out)
						resp.Body.Close()
						if resp.StatusCode != 200 {
							b.Errorf("%s %s: HTTP %d", e.Name, rec.Key, resp.StatusCode)
						}
						mu.Lock()
						ids[e.Name][rec.Key] = out.ID
						mu.Unlock()
					}
				}()
			}
			for _, rec := range recs[e.Name] {
				work <- rec
				n++
			}
			close(work)
			wg.Wait()
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "records/s")
	}
}

// BenchmarkRateLimitShare: Ferry with a configured limit of 200 requests a second against a
// local PocketBase that could go faster; reports the achieved rate as a share of the limit.
func BenchmarkRateLimitShare(b *testing.B) {
	const limit = 200.0
	for range b.N {
		b.StopTimer()
		p := demoCopyB(b)
		f, _ := feedRecords(b, p)
		pb, token := benchPocketBase(b, f)
		cfg := load.Config{Kind: load.KindREST, URL: pb.URL, Auth: load.Auth{Type: load.AuthBearer},
			Entities: load.PocketBaseEntities(f.Def), Concurrency: 8, RateLimit: limit}
		if _, err := load.SaveDestination(context.Background(), p, load.Destination{Name: "pb", Kind: load.KindREST, Config: cfg}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		res, err := load.Run(context.Background(), p, load.Options{Destination: "pb", Secret: secretIs(token)})
		if err != nil || !res.Complete() {
			b.Fatalf("%+v %v", res, err)
		}
		// Whole run (writing the plan of 4,440 records first included), and the sending phase.
		got := float64(res.Total) / time.Since(start).Seconds()
		b.ReportMetric(got, "records/s")
		b.ReportMetric(100*got/limit, "%_of_limit_whole")
		b.ReportMetric(100*res.PerSecond/limit, "%_of_limit_sending")
	}
}
