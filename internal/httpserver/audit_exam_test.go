package httpserver_test

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"sync"
	"testing"
)

// Twenty simultaneous POST /exams (a double click, several tabs) open one exam, and every
// response sends its learner to that exam (issue 14, point 1).
func TestParallelExamStartsOpenOneExam(t *testing.T) {
	e := newEnv(t, nil)
	const n = 20
	locs := make([]string, n)
	codes := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			req, err := http.NewRequest("POST", e.srv.URL+"/exams", nil)
			if err != nil {
				t.Error(err)
				return
			}
			resp, err := e.c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes[i], locs[i] = resp.StatusCode, resp.Header.Get("Location")
		})
	}
	close(start)
	wg.Wait()
	u, err := e.db.EnsureLocalUser(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	open, err := e.db.OpenExam(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Count in the file itself, not through the store's "latest open exam" query.
	raw, err := sql.Open("sqlite", "file:"+e.db.Path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n2 int
	if err := raw.QueryRow(`SELECT count(*) FROM exams WHERE user_id = ? AND submitted_at IS NULL`, u.ID).Scan(&n2); err != nil {
		t.Fatal(err)
	}
	if n2 != 1 {
		t.Errorf("%d open exams after %d parallel starts, want 1", n2, n)
	}
	want := "/exams/" + strconv.FormatInt(open.ID, 10)
	for i := range n {
		if codes[i] != http.StatusSeeOther || locs[i] != want {
			t.Errorf("start %d: %d %q, want 303 %q", i, codes[i], locs[i], want)
		}
	}
}
