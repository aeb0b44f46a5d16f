package ddblocal

import (
	"os"
	"testing"
)

// TestEngine runs the tests that start or share a DynamoDB Local JVM: one
// top-level test, so `go test -short` skips one test here.
func TestEngine(t *testing.T) {
	if testing.Short() && os.Getenv(EnvEndpoint) == "" {
		t.Skip("needs DynamoDB Local: skipped under -short without " + EnvEndpoint)
	}
	t.Run("SharedEndpointIsReused", testSharedEndpointIsReused)
	t.Run("DataDirPersistsAndStopKills", testDataDirPersistsAndStopKills)
}
