package dynamo_test

import (
	"testing"

	"broadsheet/internal/testkit/dynamotest"
	"broadsheet/internal/testkit/storetest"
)

// TestConformance runs the same store contract on DynamoDB Local, each case on
// a fresh table created from template.yaml.
func TestConformance(t *testing.T) {
	t.Run("articles", func(t *testing.T) {
		storetest.RunArticles(t, func(t *testing.T) storetest.ArticleStore { return dynamotest.NewStore(t) })
	})
	t.Run("comments", func(t *testing.T) {
		storetest.RunComments(t, func(t *testing.T) storetest.CommentStore { return dynamotest.NewStore(t) })
	})
}
