// App server "gopher-im" (zap flavour): net/http + zap's production configuration
// (zap.NewProductionConfig(): JSON, epoch-seconds "ts", "caller", stacktraces at error
// level, sampling 100/100 per second) writing to a file instead of stderr.
//
// Failure styles: zstr (zap.String("body", …)), zobj (zap.Any("response", decoded map):
// a nested object), sugar (the SugaredLogger: Errorf/Warnf with the body in the message, or
// Errorw/Warnw key-value pairs), and for calls without a response zap.Error(err) or sugar.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"gopher-im/harness"
)

type adapter struct {
	log   *zap.Logger
	sugar *zap.SugaredLogger
	root  *zap.Logger
}

func (a adapter) at(c *harness.Ctx) zapcore.Level {
	if c.Next == "retry" || c.Next == "refresh" {
		return zapcore.WarnLevel
	}
	return zapcore.ErrorLevel
}

func (a adapter) Success(s *harness.Step, r *harness.Result, c *harness.Ctx) {
	a.log.Info("easemob request ok", zap.String("request_id", c.Rid), zap.String("method", s.Method), zap.String("url", c.URL),
		zap.Int("status", r.StatusCode), zap.Int64("duration_ms", c.Ms), zap.ByteString("body", r.Body))
}

// sugarForm alternates the sugared logger's two idioms by request, deterministically.
func sugarForm(rid string) bool { return rid[len(rid)-3]%2 == 0 }

func (a adapter) Failure(s *harness.Step, r *harness.Result, err error, c *harness.Ctx) {
	lvl := a.at(c)
	sfx := harness.Suffix(c)
	base := []zap.Field{zap.String("request_id", c.Rid), zap.String("op", s.Op), zap.String("method", s.Method), zap.String("url", c.URL), zap.Int("attempt", c.Attempt)}
	if c.Next != "fail" {
		base = append(base, zap.String("next", c.Next))
	}
	if r == nil {
		if s.Tstyle == "sugar" {
			if lvl == zapcore.WarnLevel {
				a.sugar.Warnf("%s failed: %v (request_id=%s)%s", s.Desc, err, c.Rid, sfx)
			} else {
				a.sugar.Errorf("%s failed: %v (request_id=%s)%s", s.Desc, err, c.Rid, sfx)
			}
			return
		}
		a.log.Check(lvl, "easemob request failed").Write(append(base, zap.Error(err))...)
		return
	}
	var m map[string]interface{}
	switch {
	case s.Style == "zobj" && json.Unmarshal(r.Body, &m) == nil && m != nil:
		a.log.Check(lvl, "easemob request failed").Write(append(base, zap.Int("status", r.StatusCode), zap.Any("response", m))...)
	case s.Style == "sugar" && sugarForm(c.Rid):
		if lvl == zapcore.WarnLevel {
			a.sugar.Warnf("easemob %s %s returned %s: %s (request_id=%s)%s", s.Method, c.URL, r.Status, r.Body, c.Rid, sfx)
		} else {
			a.sugar.Errorf("easemob %s %s returned %s: %s (request_id=%s)%s", s.Method, c.URL, r.Status, r.Body, c.Rid, sfx)
		}
	case s.Style == "sugar":
		kv := []interface{}{"request_id", c.Rid, "method", s.Method, "url", c.URL, "status", r.StatusCode, "body", string(r.Body)}
		if lvl == zapcore.WarnLevel {
			a.sugar.Warnw(s.Desc+" failed"+sfx, kv...)
		} else {
			a.sugar.Errorw(s.Desc+" failed"+sfx, kv...)
		}
	default:
		a.log.Check(lvl, "easemob request failed").Write(append(base, zap.Int("status", r.StatusCode), zap.ByteString("body", r.Body))...)
	}
}

func (a adapter) TokenRefreshed(s *harness.Step, r *harness.Result, c *harness.Ctx) {
	a.log.Info("easemob app token refreshed", zap.String("request_id", c.Rid), zap.Int("status", r.StatusCode))
}

func (a adapter) Other(s *harness.Step, r *harness.Result, err error, c *harness.Ctx) {
	l := a.root.Named(s.Svc)
	f := []zap.Field{zap.String("request_id", c.Rid), zap.String("method", s.Method), zap.String("url", c.URL)}
	switch {
	case r != nil && r.StatusCode < 400:
		l.Info(s.Desc+" ok", append(f, zap.Int("status", r.StatusCode), zap.ByteString("body", r.Body))...)
	case r != nil:
		l.Error(s.Desc+" failed", append(f, zap.Int("status", r.StatusCode), zap.ByteString("body", r.Body))...)
	default:
		l.Error(s.Desc+" failed", append(f, zap.Error(err))...)
	}
}

func (a adapter) Line(s *harness.Step) {
	l := a.root.Named(s.Logger)
	var fields []zap.Field
	if len(s.Data) > 0 {
		var v map[string]interface{}
		if json.Unmarshal(s.Data, &v) == nil {
			if s.Logger == "easemob.callback" {
				fields = append(fields, zap.Any("payload", v))
			} else {
				for k, x := range v {
					fields = append(fields, zap.Any(k, x))
				}
			}
		}
	}
	switch s.Level {
	case "debug":
		l.Debug(s.Msg, fields...)
	case "info":
		l.Info(s.Msg, fields...)
	case "warn":
		l.Warn(s.Msg, fields...)
	default:
		l.Error(s.Msg, fields...)
	}
}

func (a adapter) Close() { _ = a.root.Sync() }

func main() {
	env := harness.MustEnv()
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(zapcore.DebugLevel)
	cfg.OutputPaths = []string{env.Log}
	root, err := cfg.Build()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	l := root.Named("easemob")
	if err := harness.Run(env, adapter{log: l, sugar: l.Sugar(), root: root}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
