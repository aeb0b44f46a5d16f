// Package telemetry is how every function reports: slog configured once per
// process (logging.go) and CloudWatch EMF metrics (metrics.go). Logging writes
// JSON lines
// that CloudWatch Logs Insights parses without configuration.
package telemetry

import (
	"log/slog"
	"os"
)

// SetupLogging makes slog write JSON lines at the level named by LOG_LEVEL (the
// template's LogLevel parameter), INFO when unset or unknown.
func SetupLogging(getenv func(string) string) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(getenv("LOG_LEVEL"))); err != nil {
		level = slog.LevelInfo
	}
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level})))
}
