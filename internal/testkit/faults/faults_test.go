package faults

import (
	"context"
	"errors"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"broadsheet/internal/dynamo"
	"broadsheet/internal/local/ddblocal"
	"broadsheet/internal/testkit/dynamotest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.RunTests(m)) }

func TestDecideIsSeededAndKeepsItsRate(t *testing.T) {
	seq := func(seed uint64) []Kind {
		p, err := New(Config{Target: "http://127.0.0.1:1", Rate: 0.2, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		out := make([]Kind, 20000)
		for i := range out {
			out[i] = p.Decide("GetItem")
		}
		return out
	}
	a, b, c := seq(7), seq(7), seq(8)
	same, faults := true, 0
	kinds := map[Kind]int{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("decision %d differs with the same seed: %q vs %q", i, a[i], b[i])
		}
		same = same && a[i] == c[i]
		if a[i] != "" {
			faults++
			kinds[a[i]]++
		}
	}
	if same {
		t.Error("another seed gave the same decisions")
	}
	if got := float64(faults) / float64(len(a)); got < 0.18 || got > 0.22 {
		t.Errorf("fault share %.3f, want about 0.2", got)
	}
	if len(kinds) != len(AllKinds) {
		t.Errorf("kinds drawn: %v", kinds)
	}
}

// harness: a table on DynamoDB Local, the proxy in front of it, and the
// store's own client (dynamo.NewClient: retryer and timeouts as deployed)
// pointed at the proxy.
type harness struct {
	proxy  *Proxy
	faulty *dynamodb.Client // through the proxy
	direct *dynamodb.Client // straight to DynamoDB Local
	table  string
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	endpoint := dynamotest.Endpoint(t)
	cfg.Target = endpoint
	p, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	env := map[string]string{"DYNAMODB_ENDPOINT": p.URL()}
	faulty, err := dynamo.NewClient(context.Background(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{proxy: p, faulty: faulty, direct: ddblocal.NewClient(endpoint), table: ddblocal.UniqueName("faults")}
	_, err = h.direct.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName: &h.table, BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func pk(v string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: v}}
}

// bump adds 1 to the counter n of item k in a transaction with no condition:
// applied twice, it shows as 2.
func (h *harness) bump(ctx context.Context, k string) error {
	_, err := h.faulty.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{Update: &types.Update{
		TableName: &h.table, Key: pk(k), UpdateExpression: aws.String("ADD n :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
	}}}})
	return err
}

func (h *harness) counter(t *testing.T, k string) int {
	t.Helper()
	out, err := h.direct.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &h.table, Key: pk(k), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	v, ok := out.Item["n"].(*types.AttributeValueMemberN)
	if !ok {
		return 0
	}
	n, _ := strconv.Atoi(v.Value)
	return n
}

// TestOneFaultIsRetried: each kind, injected once, is absorbed by the store
// client's retryer; a transaction whose first answer was lost (DropAfter) or
// late (Slow) is applied exactly once, because the SDK sends the same
// ClientRequestToken with every attempt and DynamoDB deduplicates on it.
func TestOneFaultIsRetried(t *testing.T) {
	for _, kind := range AllKinds {
		t.Run(string(kind), func(t *testing.T) {
			var once atomic.Bool
			h := newHarness(t, Config{Rate: 1, Kinds: []Kind{kind}, SlowDelay: 2500 * time.Millisecond,
				Ops: func(op string) bool { return op == "TransactWriteItems" && once.CompareAndSwap(false, true) }})
			ctx := context.Background()
			if err := h.bump(ctx, "k"); err != nil {
				t.Fatalf("bump after one %s: %v", kind, err)
			}
			st := h.proxy.Stats()
			if st.Faults[kind] != 1 || st.Requests != 2 || st.Retries != 1 {
				t.Fatalf("stats: %v", st)
			}
			if kind == Slow {
				time.Sleep(800 * time.Millisecond) // let the late original land too
			}
			if n := h.counter(t, "k"); n != 1 {
				t.Fatalf("after one %s the transaction was applied %d times, want exactly 1", kind, n)
			}
		})
	}
}

// TestPersistentFaultsFailWithinBudget: when every attempt fails, the call
// gives up after maxAttempts with the last error, well inside the Lambda
// timeout (10 s), even when every attempt hangs.
func TestPersistentFaultsFailWithinBudget(t *testing.T) {
	want := map[Kind]string{Throttle: "ProvisionedThroughputExceededException", Throttling: "ThrottlingException", ServerError: "InternalServerError"}
	for _, kind := range AllKinds {
		t.Run(string(kind), func(t *testing.T) {
			if kind == Slow && testing.Short() {
				t.Skip("takes about 7 s")
			}
			h := newHarness(t, Config{Rate: 1, Kinds: []Kind{kind}, SlowDelay: 3 * time.Second})
			start := time.Now()
			err := h.bump(context.Background(), "k")
			took := time.Since(start)
			if err == nil {
				t.Fatal("no error with every attempt failing")
			}
			if code := want[kind]; code != "" {
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != code {
					t.Fatalf("error %v, want %s", err, code)
				}
			}
			if st := h.proxy.Stats(); st.Requests != 3 {
				t.Fatalf("attempts: %v, want 3", st)
			}
			if took > 8*time.Second {
				t.Fatalf("gave up after %s: beyond the budget", took)
			}
			if kind == DropAfter {
				// Three attempts reached DynamoDB, all with one token: applied once.
				if n := h.counter(t, "k"); n != 1 {
					t.Fatalf("applied %d times", n)
				}
			}
			t.Logf("%s: gave up after %s", kind, took.Round(time.Millisecond))
		})
	}
}
