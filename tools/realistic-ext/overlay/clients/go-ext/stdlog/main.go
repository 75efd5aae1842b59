// App server "gopher-im" (stdlib flavour): net/http + the standard log package with its
// default flags (log.LstdFlags: "2006/01/02 15:04:05 "), as most small Go services run.
//
// Failure styles: body (the app's error value carries the status line and the raw body,
// the caller logs it with %v), struct (the error body decoded into a struct and printed
// with %+v), and for calls without a response the *url.Error from http.Client.Do.
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"strings"

	"gopher-im/harness"
)

// apiError is the Easemob error body as the app decodes it.
type apiError struct {
	Error            string `json:"error"`
	Exception        string `json:"exception"`
	Timestamp        int64  `json:"timestamp"`
	Duration         int    `json:"duration"`
	ErrorDescription string `json:"error_description"`
}

// statusError is what the app's easemob package returns for a non-2xx answer.
type statusError struct {
	Method, URL, Status string
	Body                []byte
}

func (e *statusError) Error() string {
	return fmt.Sprintf("easemob: %s %s: unexpected status %s: %s", e.Method, e.URL, e.Status, strings.TrimSpace(string(e.Body)))
}

type adapter struct{}

func (adapter) Success(s *harness.Step, r *harness.Result, c *harness.Ctx) {
	log.Printf("easemob %s %s -> %d (%dms) request_id=%s body=%s", s.Method, c.URL, r.StatusCode, c.Ms, c.Rid, r.Body)
}

func (adapter) Failure(s *harness.Step, r *harness.Result, err error, c *harness.Ctx) {
	sfx := harness.Suffix(c)
	if r == nil {
		log.Printf("%s failed (request_id=%s): %v%s", s.Desc, c.Rid, err, sfx)
		return
	}
	var ae apiError
	if s.Style == "struct" && json.Unmarshal(r.Body, &ae) == nil && ae.Error != "" {
		log.Printf("easemob %s %s returned %d (request_id=%s): %+v%s", s.Method, c.URL, r.StatusCode, c.Rid, ae, sfx)
		return
	}
	e := &statusError{Method: s.Method, URL: c.URL, Status: r.Status, Body: r.Body}
	log.Printf("%s failed (request_id=%s): %v%s", s.Desc, c.Rid, e, sfx)
}

func (adapter) TokenRefreshed(s *harness.Step, r *harness.Result, c *harness.Ctx) {
	log.Printf("easemob app token refreshed (request_id=%s)", c.Rid)
}

func (adapter) Other(s *harness.Step, r *harness.Result, err error, c *harness.Ctx) {
	switch {
	case r != nil && r.StatusCode < 400:
		log.Printf("%s: %s %s -> %d request_id=%s body=%s", s.Svc, s.Method, c.URL, r.StatusCode, c.Rid, r.Body)
	case r != nil:
		log.Printf("%s failed (request_id=%s): %s %s: unexpected status %s: %s", s.Desc, c.Rid, s.Method, c.URL, r.Status, r.Body)
	default:
		log.Printf("%s failed (request_id=%s): %v", s.Desc, c.Rid, err)
	}
}

func (adapter) Line(s *harness.Step) {
	if len(s.Data) > 0 && s.Logger == "easemob.callback" {
		log.Printf("%s: %s", s.Msg, s.Data)
		return
	}
	prefix := ""
	switch s.Level {
	case "warn":
		prefix = "WARN "
	case "error":
		prefix = "ERROR "
	}
	log.Printf("%s%s: %s", prefix, s.Logger, s.Msg)
}

func (adapter) Close() {}

func main() {
	env := harness.MustEnv()
	f, err := os.Create(env.Log)
	if err != nil {
		log.Fatal(err)
	}
	log.SetOutput(f)
	if err := harness.Run(env, adapter{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
}
