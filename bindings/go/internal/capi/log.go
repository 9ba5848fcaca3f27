package capi

// The library's structured events (cni_set_log_callback) as log/slog
// records: one process-wide logger, off until one is set.

/*
#include "cniinvoke.h"
*/
import "C"

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
)

// logger receives the events; nil when they are off.
var logger atomic.Pointer[slog.Logger]

// setMu orders SetLogger calls, so the callback's state follows the last.
var setMu sync.Mutex

// SetLogger sends every later event to l, or turns events off (l nil).
// Off, the library builds no event at all.
func SetLogger(l *slog.Logger) {
	setMu.Lock()
	defer setMu.Unlock()
	if l == nil {
		setLogCallback(false)
		logger.Store(nil)
		return
	}
	logger.Store(l)
	setLogCallback(true)
}

// Logger is the logger SetLogger set, or nil.
func Logger() *slog.Logger { return logger.Load() }

//export goLogEvent
func goLogEvent(level C.int, eventJSON *C.char) {
	l := logger.Load()
	if l == nil {
		return
	}
	ctx := context.Background()
	lvl := slogLevel(int(level))
	if !l.Enabled(ctx, lvl) {
		return
	}
	attrs := eventAttrs([]byte(C.GoString(eventJSON)))
	// A panic must not unwind through libcniinvoke: a handler that panics
	// loses the record, and the call goes on (logging is informational).
	defer func() { _ = recover() }()
	l.LogAttrs(ctx, lvl, eventMessage(attrs), attrs...)
}

// slogLevel maps a cni_log_level onto slog's scale: TRACE below Debug,
// then Debug, Info, Warn and Error.
func slogLevel(level int) slog.Level {
	switch {
	case level < C.CNI_LOG_LEVEL_DEBUG:
		return slog.LevelDebug - 4
	case level < C.CNI_LOG_LEVEL_INFO:
		return slog.LevelDebug
	case level < C.CNI_LOG_LEVEL_WARN:
		return slog.LevelInfo
	case level < C.CNI_LOG_LEVEL_ERROR:
		return slog.LevelWarn
	default:
		return slog.LevelError
	}
}

// eventAttrs are the event's fields in the library's order, under the
// library's names: text as strings, numbers as int64 (float64 if not
// whole). A malformed event becomes one "event" attribute with its text.
func eventAttrs(event []byte) []slog.Attr {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var attrs []slog.Attr
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return []slog.Attr{slog.String("event", string(event))}
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return []slog.Attr{slog.String("event", string(event))}
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return []slog.Attr{slog.String("event", string(event))}
		}
		attrs = append(attrs, eventAttr(key.(string), v))
	}
	return attrs
}

// eventAttr is one field as an attribute.
func eventAttr(key string, v any) slog.Attr {
	switch v := v.(type) {
	case string:
		return slog.String(key, v)
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return slog.Int64(key, i)
		}
		f, _ := v.Float64()
		return slog.Float64(key, f)
	default:
		return slog.Any(key, v)
	}
}

// eventMessage is "<kind> <verb>", as "plugin ADD" or "list DEL".
func eventMessage(attrs []slog.Attr) string {
	var kind, verb string
	for _, a := range attrs {
		switch a.Key {
		case "kind":
			kind = a.Value.String()
		case "verb":
			verb = a.Value.String()
		}
	}
	return kind + " " + verb
}
