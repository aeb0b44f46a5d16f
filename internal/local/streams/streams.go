// Package streams emulates Lambda's DynamoDB event source mapping locally:
// it reads the table's stream through the DynamoDB Streams API, filters,
// batches and delivers records to the function through an Invoker, with
// Lambda's retry, bisect and partial-batch-failure semantics.
//
// It is local-only tooling: no Lambda function may import it.
package streams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"broadsheet/internal/local/samtemplate"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/cenkalti/backoff/v5"
)

// Invoker runs one function with a JSON event and returns its JSON response
// (the same interface as localapi.Invoker).
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// TableAPI is the part of *dynamodb.Client the poller uses.
type TableAPI interface {
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// StreamsAPI is the part of *dynamodbstreams.Client the poller uses.
type StreamsAPI interface {
	DescribeStream(context.Context, *dynamodbstreams.DescribeStreamInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error)
	GetShardIterator(context.Context, *dynamodbstreams.GetShardIteratorInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(context.Context, *dynamodbstreams.GetRecordsInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

// Config configures a Poller.
type Config struct {
	Source    samtemplate.StreamSource
	TableName string
	DynamoDB  TableAPI
	Streams   StreamsAPI
	Invoker   Invoker
	Region    string // default us-east-1
	Logger    *slog.Logger
	// PollInterval between GetRecords calls on an idle shard; default 250 ms.
	PollInterval time.Duration
	// RetryDelay is the first back-off after a failed invocation, doubling up
	// to 5 s; default 200 ms.
	RetryDelay time.Duration
	// CheckpointFile, if set, keeps per-shard checkpoints across restarts.
	CheckpointFile string
}

// Poller is one emulated event source mapping.
type Poller struct {
	cfg     Config
	filters []*Filter
	log     *slog.Logger

	mu          sync.Mutex
	checkpoints checkpointFile
	stats       Stats
}

// Stats count what the poller did.
type Stats struct {
	Invocations int // function invocations
	Failures    int // failed invocations (error or partial failure)
	Delivered   int // records acknowledged by the function
	Discarded   int // records given up on after MaximumRetryAttempts
	Filtered    int // records dropped by FilterCriteria
}

type checkpointFile struct {
	StreamARN string            `json:"streamArn"`
	Shards    map[string]string `json:"shards"` // shard id -> last processed sequence number
	Finished  map[string]bool   `json:"finished"`
}

// New validates the configuration.
func New(cfg Config) (*Poller, error) {
	if cfg.DynamoDB == nil || cfg.Streams == nil || cfg.Invoker == nil || cfg.TableName == "" {
		return nil, errors.New("streams: DynamoDB, Streams, Invoker and TableName are required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 250 * time.Millisecond
	}
	if cfg.RetryDelay == 0 {
		cfg.RetryDelay = 200 * time.Millisecond
	}
	if cfg.Source.BatchSize <= 0 {
		cfg.Source.BatchSize = 100
	}
	p := &Poller{cfg: cfg, log: cfg.Logger}
	if p.log == nil {
		p.log = slog.Default()
	}
	p.log = p.log.With("function", cfg.Source.Function, "eventSource", cfg.Source.EventName)
	for _, pat := range cfg.Source.FilterPatterns {
		f, err := ParseFilter(pat)
		if err != nil {
			return nil, fmt.Errorf("streams: %s.%s: %w", cfg.Source.Function, cfg.Source.EventName, err)
		}
		p.filters = append(p.filters, f)
	}
	return p, nil
}

// Stats returns a snapshot of the counters.
func (p *Poller) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// shardState is a shard being read.
type shardState struct {
	id       string
	parent   string
	iterator *string
	buffer   []stypes.Record // matching records not yet delivered
	lastSeen string          // last sequence number read from the shard
	first    time.Time       // when the oldest buffered record was read
	finished bool            // no more records (closed and drained)
}

// Run polls until ctx is cancelled. Transient errors are logged and the
// poller restarts, backing off (up to 10 s) while they persist.
func (p *Poller) Run(ctx context.Context) error {
	restarts := &backoff.ExponentialBackOff{
		InitialInterval: time.Second, RandomizationFactor: 0.5, Multiplier: 2, MaxInterval: 10 * time.Second,
	}
	_, _ = backoff.Retry(ctx, func() (struct{}, error) {
		err := p.run(ctx)
		if ctx.Err() != nil {
			return struct{}{}, nil
		}
		if err == nil {
			err = errors.New("poller stopped")
		}
		return struct{}{}, err
	}, backoff.WithBackOff(restarts), backoff.WithMaxElapsedTime(0), backoff.WithNotify(func(err error, wait time.Duration) {
		p.log.Warn("stream poller restarting", "error", err, "in", wait)
	}))
	return nil
}

func (p *Poller) run(ctx context.Context) error {
	streamARN, err := p.waitForStream(ctx)
	if err != nil {
		return err
	}
	p.loadCheckpoints(streamARN)
	shards := map[string]*shardState{}
	var lastDescribe time.Time
	for ctx.Err() == nil {
		if time.Since(lastDescribe) > time.Second {
			if err := p.discover(ctx, streamARN, shards); err != nil {
				return err
			}
			lastDescribe = time.Now()
		}
		busy := false
		for _, id := range sortedShardIDs(shards) {
			s := shards[id]
			if s.finished || s.iterator == nil && !p.ready(s, shards) {
				continue
			}
			if s.iterator == nil {
				if err := p.openShard(ctx, streamARN, s); err != nil {
					return err
				}
			}
			got, err := p.pollShard(ctx, streamARN, s)
			if err != nil {
				return err
			}
			busy = busy || got
		}
		if !busy && !sleep(ctx, p.cfg.PollInterval) {
			return nil
		}
	}
	return nil
}

// waitForStream returns the table's LatestStreamArn, waiting for the table.
func (p *Poller) waitForStream(ctx context.Context) (string, error) {
	waits := &backoff.ExponentialBackOff{
		InitialInterval: 250 * time.Millisecond, RandomizationFactor: 0.5, Multiplier: 2, MaxInterval: 2 * time.Second,
	}
	return backoff.Retry(ctx, func() (string, error) {
		out, err := p.cfg.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(p.cfg.TableName)})
		if err != nil {
			return "", err
		}
		if arn := aws.ToString(out.Table.LatestStreamArn); arn != "" {
			return arn, nil
		}
		return "", backoff.Permanent(fmt.Errorf("table %s has no stream", p.cfg.TableName))
	}, backoff.WithBackOff(waits), backoff.WithMaxElapsedTime(0), backoff.WithNotify(func(err error, _ time.Duration) {
		p.log.Debug("waiting for table", "table", p.cfg.TableName, "error", err)
	}))
}

func (p *Poller) discover(ctx context.Context, streamARN string, shards map[string]*shardState) error {
	var start *string
	for {
		out, err := p.cfg.Streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(streamARN), ExclusiveStartShardId: start})
		if err != nil {
			return fmt.Errorf("describe stream: %w", err)
		}
		for _, sh := range out.StreamDescription.Shards {
			id := aws.ToString(sh.ShardId)
			if _, ok := shards[id]; ok {
				continue
			}
			p.mu.Lock()
			done := p.checkpoints.Finished[id]
			p.mu.Unlock()
			shards[id] = &shardState{id: id, parent: aws.ToString(sh.ParentShardId), finished: done}
		}
		start = out.StreamDescription.LastEvaluatedShardId
		if start == nil {
			return nil
		}
	}
}

// ready: a child shard is read only once its parent is finished (or gone).
func (p *Poller) ready(s *shardState, shards map[string]*shardState) bool {
	parent, ok := shards[s.parent]
	return s.parent == "" || !ok || parent.finished
}

func (p *Poller) openShard(ctx context.Context, streamARN string, s *shardState) error {
	p.mu.Lock()
	seq := p.checkpoints.Shards[s.id]
	p.mu.Unlock()
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(streamARN), ShardId: aws.String(s.id)}
	switch {
	case seq != "":
		in.ShardIteratorType = stypes.ShardIteratorTypeAfterSequenceNumber
		in.SequenceNumber = aws.String(seq)
	case p.cfg.Source.StartingPosition == "LATEST" && s.parent == "":
		in.ShardIteratorType = stypes.ShardIteratorTypeLatest
	default:
		// TRIM_HORIZON; also for child shards under LATEST, which begin after the mapping did.
		in.ShardIteratorType = stypes.ShardIteratorTypeTrimHorizon
	}
	out, err := p.cfg.Streams.GetShardIterator(ctx, in)
	if err != nil && seq != "" {
		p.log.Warn("checkpoint not usable, reading the shard from its start", "shard", s.id, "error", err)
		in.ShardIteratorType, in.SequenceNumber = stypes.ShardIteratorTypeTrimHorizon, nil
		out, err = p.cfg.Streams.GetShardIterator(ctx, in)
	}
	if err != nil {
		return fmt.Errorf("get shard iterator %s: %w", s.id, err)
	}
	s.iterator = out.ShardIterator
	if s.iterator == nil {
		p.finish(s)
	}
	return nil
}

// pollShard reads once from the shard and delivers a batch when it is full,
// the batching window has passed, or the shard has ended. It reports whether
// records were read.
func (p *Poller) pollShard(ctx context.Context, streamARN string, s *shardState) (bool, error) {
	got := false
	if s.iterator != nil && len(s.buffer) < p.cfg.Source.BatchSize {
		limit := int32(min(1000, p.cfg.Source.BatchSize-len(s.buffer)))
		out, err := p.cfg.Streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: s.iterator, Limit: aws.Int32(limit)})
		var expired *stypes.ExpiredIteratorException
		if errors.As(err, &expired) {
			s.iterator = nil // reopened from the checkpoint next round
			return false, p.openShard(ctx, streamARN, s)
		}
		if err != nil {
			return false, fmt.Errorf("get records from %s: %w", s.id, err)
		}
		s.iterator = out.NextShardIterator
		for _, rec := range out.Records {
			got = true
			s.lastSeen = aws.ToString(rec.Dynamodb.SequenceNumber)
			if !p.matches(rec, streamARN) {
				p.mu.Lock()
				p.stats.Filtered++
				p.mu.Unlock()
				continue
			}
			if len(s.buffer) == 0 {
				s.first = time.Now()
			}
			s.buffer = append(s.buffer, rec)
		}
	}
	window := time.Duration(p.cfg.Source.MaximumBatchingWindowSeconds) * time.Second
	full := len(s.buffer) >= p.cfg.Source.BatchSize
	if len(s.buffer) > 0 && (full || s.iterator == nil || time.Since(s.first) >= window) {
		batch := s.buffer
		s.buffer = nil
		if err := p.deliver(ctx, streamARN, batch); err != nil {
			s.buffer = batch // only on cancellation
			return got, err
		}
	}
	if len(s.buffer) == 0 && s.lastSeen != "" {
		p.checkpoint(s.id, s.lastSeen)
	}
	if s.iterator == nil && len(s.buffer) == 0 {
		p.finish(s)
	}
	return got, nil
}

func (p *Poller) finish(s *shardState) {
	s.finished = true
	p.mu.Lock()
	if p.checkpoints.Finished == nil {
		p.checkpoints.Finished = map[string]bool{}
	}
	p.checkpoints.Finished[s.id] = true
	p.mu.Unlock()
	p.saveCheckpoints()
}

func (p *Poller) matches(rec stypes.Record, streamARN string) bool {
	if len(p.filters) == 0 {
		return true
	}
	b, err := json.Marshal(ToEventRecord(rec, streamARN, p.cfg.Region))
	if err != nil {
		return false
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return false
	}
	for _, f := range p.filters {
		if f.Match(m) {
			return true
		}
	}
	return false
}

// batchResponse is what a function with ReportBatchItemFailures returns.
type batchResponse struct {
	BatchItemFailures []struct {
		ItemIdentifier *string `json:"itemIdentifier"`
	} `json:"batchItemFailures"`
}

type pending struct {
	records  []stypes.Record
	attempts int // retries used so far
}

// deliver invokes the function with the batch until every record is
// acknowledged or given up on. It only returns an error when ctx ends.
func (p *Poller) deliver(ctx context.Context, streamARN string, batch []stypes.Record) error {
	src := p.cfg.Source
	queue := []pending{{records: batch}}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		failedAt, err := p.invoke(ctx, streamARN, cur.records)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil && failedAt < 0 {
			p.count(func(s *Stats) { s.Delivered += len(cur.records) })
			continue
		}
		p.count(func(s *Stats) { s.Failures++ })
		rest := cur.records
		if err == nil { // partial batch failure: everything before failedAt is done
			p.count(func(s *Stats) { s.Delivered += failedAt })
			rest = cur.records[failedAt:]
		}
		// Bisecting a failed batch does not count towards the retry quota
		// (as in Lambda); retrying the same records does.
		if err != nil && src.BisectBatchOnFunctionError && len(rest) > 1 {
			half := len(rest) / 2
			p.log.Warn("stream batch failed, bisecting", "records", len(rest), "error", err)
			queue = append([]pending{{rest[:half], cur.attempts}, {rest[half:], cur.attempts}}, queue...)
			continue
		}
		cur.attempts++
		if src.MaximumRetryAttempts >= 0 && cur.attempts > src.MaximumRetryAttempts {
			p.count(func(s *Stats) { s.Discarded += len(rest) })
			p.log.Error("stream records discarded after retries (in AWS they would go to the OnFailure destination)",
				"records", len(rest), "firstSequenceNumber", aws.ToString(rest[0].Dynamodb.SequenceNumber),
				"retries", cur.attempts-1, "destination", src.OnFailureDestination, "error", errString(err, "batch item failure"))
			continue
		}
		p.log.Warn("stream batch failed, retrying", "records", len(rest), "attempt", cur.attempts,
			"error", errString(err, "batch item failure"))
		if !sleep(ctx, p.backoff(cur.attempts)) {
			return ctx.Err()
		}
		queue = append([]pending{{rest, cur.attempts}}, queue...)
	}
	return nil
}

func errString(err error, otherwise string) string {
	if err != nil {
		return err.Error()
	}
	return otherwise
}

// backoff is the wait before retrying a failed batch. The retry loop itself
// (deliver) is Lambda's event source mapping (bisecting, the
// MaximumRetryAttempts quota, discarding records), which a generic retry
// helper cannot express, so it stays a loop with this doubling delay.
func (p *Poller) backoff(attempt int) time.Duration {
	d := p.cfg.RetryDelay
	for i := 1; i < attempt && d < 5*time.Second; i++ {
		d *= 2
	}
	return min(d, 5*time.Second)
}

func (p *Poller) count(f func(*Stats)) {
	p.mu.Lock()
	f(&p.stats)
	p.mu.Unlock()
}

// invoke sends one batch. failedAt is the index of the first record to retry
// after a partial batch failure, -1 when all succeeded.
func (p *Poller) invoke(ctx context.Context, streamARN string, recs []stypes.Record) (failedAt int, err error) {
	ev := events.DynamoDBEvent{Records: make([]events.DynamoDBEventRecord, len(recs))}
	for i, r := range recs {
		ev.Records[i] = ToEventRecord(r, streamARN, p.cfg.Region)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return -1, err
	}
	p.count(func(s *Stats) { s.Invocations++ })
	out, err := p.cfg.Invoker.Invoke(ctx, p.cfg.Source.Function, payload)
	if err != nil {
		return -1, err
	}
	if !p.cfg.Source.ReportBatchItemFailures() {
		return -1, nil
	}
	var resp batchResponse
	if len(out) == 0 || string(out) == "null" {
		return -1, nil
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		return -1, nil // Lambda treats an unparseable response as complete success
	}
	if len(resp.BatchItemFailures) == 0 {
		return -1, nil
	}
	failedAt = len(recs)
	for _, f := range resp.BatchItemFailures {
		if f.ItemIdentifier == nil || *f.ItemIdentifier == "" {
			return -1, errors.New("batchItemFailures with an empty itemIdentifier: the whole batch failed")
		}
		idx := -1
		for i, r := range recs {
			if aws.ToString(r.Dynamodb.SequenceNumber) == *f.ItemIdentifier {
				idx = i
			}
		}
		if idx < 0 {
			return -1, fmt.Errorf("batchItemFailures names %q, not in the batch: the whole batch failed", *f.ItemIdentifier)
		}
		failedAt = min(failedAt, idx)
	}
	return failedAt, nil
}

func (p *Poller) checkpoint(shard, seq string) {
	p.mu.Lock()
	changed := p.checkpoints.Shards[shard] != seq
	if p.checkpoints.Shards == nil {
		p.checkpoints.Shards = map[string]string{}
	}
	p.checkpoints.Shards[shard] = seq
	p.mu.Unlock()
	if changed {
		p.saveCheckpoints()
	}
}

// Checkpoint returns the last processed sequence number of a shard.
func (p *Poller) Checkpoint(shard string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.checkpoints.Shards[shard]
}

func (p *Poller) loadCheckpoints(streamARN string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.checkpoints.StreamARN == streamARN {
		return // keep what this process already did
	}
	p.checkpoints = checkpointFile{StreamARN: streamARN, Shards: map[string]string{}, Finished: map[string]bool{}}
	if p.cfg.CheckpointFile == "" {
		return
	}
	b, err := os.ReadFile(p.cfg.CheckpointFile)
	if err != nil {
		return
	}
	var cp checkpointFile
	if json.Unmarshal(b, &cp) == nil && cp.StreamARN == streamARN { // another table's stream: start afresh
		if cp.Shards == nil {
			cp.Shards = map[string]string{}
		}
		if cp.Finished == nil {
			cp.Finished = map[string]bool{}
		}
		p.checkpoints = cp
	}
}

func (p *Poller) saveCheckpoints() {
	if p.cfg.CheckpointFile == "" {
		return
	}
	p.mu.Lock()
	b, err := json.MarshalIndent(p.checkpoints, "", "  ")
	p.mu.Unlock()
	if err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(p.cfg.CheckpointFile), 0o755); err != nil {
		p.log.Warn("save stream checkpoint", "error", err)
		return
	}
	tmp := p.cfg.CheckpointFile + ".tmp"
	err = os.WriteFile(tmp, b, 0o644)
	if err == nil {
		err = os.Rename(tmp, p.cfg.CheckpointFile)
	}
	if err != nil {
		p.log.Warn("save stream checkpoint", "error", err)
	}
}

func sortedShardIDs(m map[string]*shardState) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
