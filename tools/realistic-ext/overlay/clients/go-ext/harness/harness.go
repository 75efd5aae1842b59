// Package harness is the shared driver of the Go "ext" app servers (net/http + log,
// net/http + zap): it reads the plan, performs every call through a real http.Client,
// applies the retry policy every client of the kit shares and writes the manifest (a
// harness side file, never part of the log).
//
//	401                                     -> refresh the app token once, retry
//	time-out / conn error / 429/502/503/504 -> back off (20 ms, 40 ms), 3 attempts at most
package harness

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Step is one line of the plan.
type Step struct {
	T       string          `json:"t"`
	API     string          `json:"api"`
	Op      string          `json:"op"`
	Rid     string          `json:"rid"`
	Method  string          `json:"method"`
	Path    string          `json:"path"`
	Body    *string         `json:"body"`
	Ctype   *string         `json:"ctype"`
	Desc    string          `json:"desc"`
	Answers []string        `json:"answers"`
	Style   string          `json:"style"`
	Tstyle  string          `json:"tstyle"`
	Svc     string          `json:"svc"`
	Level   string          `json:"level"`
	Logger  string          `json:"logger"`
	Msg     string          `json:"msg"`
	Data    json.RawMessage `json:"data"`
}

// Result is what the server answered.
type Result struct {
	StatusCode int
	Status     string // "400 Bad Request", as resp.Status
	Body       []byte
}

// Ctx describes the attempt being logged.
type Ctx struct {
	Rid     string
	Attempt int
	URL     string
	Ms      int64
	Next    string // retry | refresh | giveup | fail
	DelayMs int
}

// Adapter does all the logging.
type Adapter interface {
	Success(s *Step, r *Result, c *Ctx)
	Failure(s *Step, r *Result, err error, c *Ctx) // r == nil: no response, err set
	TokenRefreshed(s *Step, r *Result, c *Ctx)
	Other(s *Step, r *Result, err error, c *Ctx)
	Line(s *Step)
	Close()
}

const MaxAttempts = 3

var retryable = map[int]bool{429: true, 502: true, 503: true, 504: true}

type entry struct {
	Rid     string      `json:"rid"`
	Attempt interface{} `json:"attempt"`
	Status  *int        `json:"status"`
	Outcome string      `json:"outcome"`
	API     string      `json:"api"`
	Method  string      `json:"method"`
	Path    string      `json:"path"`
}

// Env is the process environment the generator passes.
type Env struct {
	Plan, Manifest, Log, Easemob, Other, Dead, Blackhole string
	Timeout                                   time.Duration
}

func MustEnv() Env {
	e := Env{Plan: os.Getenv("PLAN"), Manifest: os.Getenv("MANIFEST"), Log: os.Getenv("LOG"),
		Easemob: os.Getenv("EASEMOB_BASE"), Other: os.Getenv("OTHER_BASE"), Dead: os.Getenv("DEAD_BASE"), Blackhole: os.Getenv("BLACKHOLE_BASE")}
	ms, err := strconv.Atoi(os.Getenv("TIMEOUT_MS"))
	if err != nil {
		ms = 300
	}
	e.Timeout = time.Duration(ms) * time.Millisecond
	for k, v := range map[string]string{"PLAN": e.Plan, "MANIFEST": e.Manifest, "LOG": e.Log, "EASEMOB_BASE": e.Easemob, "OTHER_BASE": e.Other, "DEAD_BASE": e.Dead, "BLACKHOLE_BASE": e.Blackhole} {
		if v == "" {
			fmt.Fprintf(os.Stderr, "missing env %s\n", k)
			os.Exit(2)
		}
	}
	return e
}

type runner struct {
	env      Env
	client   *http.Client
	token    string
	manifest []entry
	a        Adapter
}

// Suffix is the wording every client of the kit uses for what happens next.
func Suffix(c *Ctx) string {
	switch c.Next {
	case "retry":
		return fmt.Sprintf("; retrying in %dms (attempt %d/%d)", c.DelayMs, c.Attempt, MaxAttempts)
	case "refresh":
		return "; token rejected, refreshing app token and retrying"
	case "giveup":
		return fmt.Sprintf("; giving up after %d attempts", c.Attempt)
	}
	return ""
}

func (r *runner) send(s *Step, base, rid string) (string, *Result, error, int64) {
	url := base + s.Path
	var body io.Reader
	if s.Body != nil {
		body = strings.NewReader(*s.Body)
	}
	t0 := time.Now()
	req, err := http.NewRequest(s.Method, url, body)
	if err != nil {
		return url, nil, err, 0
	}
	req.Header.Set("X-Request-Id", rid)
	req.Header.Set("Authorization", "Bearer "+r.token)
	if s.Ctype != nil {
		req.Header.Set("Content-Type", *s.Ctype)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return url, nil, err, time.Since(t0).Milliseconds()
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return url, nil, err, time.Since(t0).Milliseconds()
	}
	return url, &Result{StatusCode: resp.StatusCode, Status: resp.Status, Body: b}, nil, time.Since(t0).Milliseconds()
}

func (r *runner) record(s *Step, attempt interface{}, res *Result, outcome, api, method, path string) {
	var st *int
	if res != nil {
		v := res.StatusCode
		st = &v
		if outcome == "" {
			outcome = "http_error"
			if v < 400 {
				outcome = "ok"
			}
		}
	} else if outcome == "" {
		outcome = "no_response"
	}
	r.manifest = append(r.manifest, entry{Rid: s.Rid, Attempt: attempt, Status: st, Outcome: outcome, API: api, Method: method, Path: path})
}

func (r *runner) easemob(s *Step) {
	refreshed := false
	for attempt := 1; ; attempt++ {
		rid := fmt.Sprintf("req-%s-%d", s.Rid, attempt)
		// beyond the scripted answers the server answers "ok" (a timing hiccup can add an attempt)
		planned := "ok"
		if attempt <= len(s.Answers) {
			planned = s.Answers[attempt-1]
		}
		base := r.env.Easemob
		switch planned {
		case "refused":
			base = r.env.Dead
		case "ctimeout":
			base = r.env.Blackhole
		}
		url, res, err, ms := r.send(s, base, rid)
		r.record(s, attempt, res, "", "easemob", s.Method, s.Path)
		c := &Ctx{Rid: rid, Attempt: attempt, URL: url, Ms: ms, DelayMs: 20 << (attempt - 1)}
		if res != nil && res.StatusCode < 400 {
			r.a.Success(s, res, c)
			return
		}
		noResp := res == nil
		switch {
		case !noResp && res.StatusCode == 401 && !refreshed:
			c.Next = "refresh"
		case (noResp || retryable[res.StatusCode]) && attempt < MaxAttempts:
			c.Next = "retry"
		case noResp || retryable[res.StatusCode] || res.StatusCode == 401:
			c.Next = "giveup"
		default:
			c.Next = "fail"
		}
		r.a.Failure(s, res, err, c)
		switch c.Next {
		case "refresh":
			refreshed = true
			parts := strings.Split(s.Path, "/")
			body := fmt.Sprintf(`{"grant_type":"client_credentials","client_id":"YXA6%s","client_secret":"YXA6%s"}`, s.Rid, reverse(s.Rid))
			ct := "application/json"
			t := *s
			t.Op, t.Method, t.Path, t.Body, t.Ctype, t.Desc = "getAppToken", "POST", "/"+parts[1]+"/"+parts[2]+"/token", &body, &ct, "refresh app token"
			trid := fmt.Sprintf("req-%s-r", s.Rid)
			turl, tres, terr, tms := r.send(&t, r.env.Easemob, trid)
			r.record(s, "r", tres, "token", "easemob", "POST", t.Path)
			tc := &Ctx{Rid: trid, Attempt: 1, URL: turl, Ms: tms, Next: "fail"}
			if tres != nil && tres.StatusCode < 400 {
				r.a.TokenRefreshed(&t, tres, tc)
			} else {
				r.a.Failure(&t, tres, terr, tc)
			}
		case "retry":
			time.Sleep(time.Duration(c.DelayMs) * time.Millisecond)
		default:
			return
		}
	}
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// Run executes the plan through the adapter and writes the manifest.
func Run(env Env, a Adapter) error {
	f, err := os.Open(env.Plan)
	if err != nil {
		return err
	}
	defer f.Close()
	r := &runner{env: env, client: &http.Client{Timeout: env.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		token: fmt.Sprintf("YWMtGo%dLp0AAABjK6aQ3kAAAAAAAAAAAAAAAAAAAAA", os.Getpid()), a: a}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var s Step
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			return err
		}
		switch {
		case s.T == "log":
			a.Line(&s)
		case s.API == "other":
			rid := fmt.Sprintf("req-%s-1", s.Rid)
			url, res, err, ms := r.send(&s, env.Other, rid)
			r.record(&s, 1, res, "other", "other", s.Method, s.Path)
			a.Other(&s, res, err, &Ctx{Rid: rid, Attempt: 1, URL: url, Ms: ms})
		case s.API == "easemob":
			r.easemob(&s)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	a.Close()
	out, err := os.Create(env.Manifest)
	if err != nil {
		return err
	}
	defer out.Close()
	w := bufio.NewWriter(out)
	for _, m := range r.manifest {
		b, _ := json.Marshal(m)
		w.Write(b)
		w.WriteByte('\n')
	}
	return w.Flush()
}
