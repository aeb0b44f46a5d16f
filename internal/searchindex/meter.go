package searchindex

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"broadsheet/internal/dynamo"
)

// Cost counts one request's DynamoDB work: calls, items returned, consumed
// read capacity (when the Meter asks for it) and sequential rounds. A round
// starts when a call (or a BeginRound) starts while nothing is in flight.
type Cost struct {
	mu       sync.Mutex
	Calls    int
	Items    int
	RCU      float64
	Rounds   int
	inflight int
}

// Snapshot returns a copy of the counters.
func (c *Cost) Snapshot() (calls, items, rounds int, rcu float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Calls, c.Items, c.Rounds, c.RCU
}

func (c *Cost) begin() {
	c.mu.Lock()
	if c.inflight == 0 {
		c.Rounds++
	}
	c.inflight++
	c.mu.Unlock()
}

func (c *Cost) end(items int, cc []types.ConsumedCapacity, one *types.ConsumedCapacity) {
	c.mu.Lock()
	c.inflight--
	c.Calls++
	c.Items += items
	for _, x := range cc {
		if x.CapacityUnits != nil {
			c.RCU += *x.CapacityUnits
		}
	}
	if one != nil && one.CapacityUnits != nil {
		c.RCU += *one.CapacityUnits
	}
	c.mu.Unlock()
}

type costKey struct{}

// WithCost returns a context whose DynamoDB calls through a Meter are counted.
func WithCost(ctx context.Context) (context.Context, *Cost) {
	c := &Cost{}
	return context.WithValue(ctx, costKey{}, c), c
}

func costOf(ctx context.Context) *Cost {
	c, _ := ctx.Value(costKey{}).(*Cost)
	return c
}

// BeginRound marks the start of a round of parallel calls, so that calls of
// the round that start late still count in it; call the returned func when the
// round's calls have all returned. Without a Cost in ctx it does nothing.
func BeginRound(ctx context.Context) func() {
	c := costOf(ctx)
	if c == nil {
		return func() {}
	}
	c.begin()
	return func() {
		c.mu.Lock()
		c.inflight--
		c.mu.Unlock()
	}
}

// Meter wraps a dynamo.API and counts the read calls of requests whose context
// carries a Cost (see WithCost). With Capacity it asks DynamoDB for the
// consumed capacity of each read.
type Meter struct {
	dynamo.API
	Capacity bool
}

// GetItem implements dynamo.API.
func (m *Meter) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c := costOf(ctx)
	if c == nil {
		return m.API.GetItem(ctx, in, opts...)
	}
	if m.Capacity {
		in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	}
	c.begin()
	out, err := m.API.GetItem(ctx, in, opts...)
	if err != nil || out == nil {
		c.end(0, nil, nil)
		return out, err
	}
	items := 0
	if out.Item != nil {
		items = 1
	}
	c.end(items, nil, out.ConsumedCapacity)
	return out, err
}

// Query implements dynamo.API.
func (m *Meter) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c := costOf(ctx)
	if c == nil {
		return m.API.Query(ctx, in, opts...)
	}
	if m.Capacity {
		in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	}
	c.begin()
	out, err := m.API.Query(ctx, in, opts...)
	if err != nil || out == nil {
		c.end(0, nil, nil)
		return out, err
	}
	c.end(len(out.Items), nil, out.ConsumedCapacity)
	return out, err
}

// BatchGetItem implements dynamo.API.
func (m *Meter) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	c := costOf(ctx)
	if c == nil {
		return m.API.BatchGetItem(ctx, in, opts...)
	}
	if m.Capacity {
		in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	}
	c.begin()
	out, err := m.API.BatchGetItem(ctx, in, opts...)
	if err != nil || out == nil {
		c.end(0, nil, nil)
		return out, err
	}
	items := 0
	for _, r := range out.Responses {
		items += len(r)
	}
	c.end(items, out.ConsumedCapacity, nil)
	return out, err
}
