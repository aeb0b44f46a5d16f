// Package webtest holds the browser tests of the reader page in web/: headless
// Chromium (driven by chromedp) against the whole local stack in process —
// the emulated HTTP API from template.yaml, the function handlers and
// DynamoDB Local.
//
// Run them with
//
//	go run ./cmd/withddb -- go test -count=1 ./internal/webtest
//
// or plain `go test ./internal/webtest` (DynamoDB Local is started on demand).
// They skip when no Chromium binary is found, except in CI (CI=true), where
// a missing browser is a failure. CHROMIUM names the binary explicitly.
// Screenshots go to reports/screenshots/ at the repository root.
package web
