package e2e

import (
	"testing"

	"broadsheet/internal/testkit/dynamotest"
)

// TestSystem runs every test that needs the whole local stack (DynamoDB
// Local behind the functions and the local API): one top-level test, so
// `go test -short` skips one test here, not one per scenario. Each scenario
// starts its own stack because they configure it differently (moderation,
// the fault proxy). Run one with -run 'TestSystem/RaceIfMatch'.
func TestSystem(t *testing.T) {
	dynamotest.Endpoint(t) // skips under -short without DynamoDB Local
	for _, s := range []struct {
		name string
		test func(*testing.T)
	}{
		{"AuthorisationMatrix", testAuthorisationMatrix},
		{"HostileInput", testHostileInput},
		{"ResponseHygiene", testResponseHygiene},
		{"FaultInjection", testFaultInjection},
		{"RaceComments", testRaceComments},
		{"RaceIfMatch", testRaceIfMatch},
		{"RaceSlug", testRaceSlug},
		{"VerifiedCommenters", testVerifiedCommenters},
		{"ReaderMail", testReaderMail},
	} {
		t.Run(s.name, s.test)
	}
}
