package streams_test

import (
	"testing"

	"broadsheet/internal/testkit/dynamotest"
)

// TestDynamoDB runs the poller against DynamoDB Local's streams: one
// top-level test, so `go test -short` skips one test here. Run one with
// -run 'TestDynamoDB/Retries'.
func TestDynamoDB(t *testing.T) {
	dynamotest.Endpoint(t) // skips under -short without DynamoDB Local
	t.Run("DeliversFilteredRecordsInOrder", testDeliversFilteredRecordsInOrder)
	t.Run("RetriesFailedBatch", testRetriesFailedBatch)
	t.Run("PartialBatchFailureResumesFromFirstFailure", testPartialBatchFailureResumesFromFirstFailure)
	t.Run("BisectAndDiscardPoisonRecord", testBisectAndDiscardPoisonRecord)
	t.Run("CheckpointFileAvoidsReplay", testCheckpointFileAvoidsReplay)
	t.Run("LatestSkipsOldRecords", testLatestSkipsOldRecords)
}
