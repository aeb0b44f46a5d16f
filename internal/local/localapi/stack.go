package localapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"broadsheet/internal/local/ddblocal"
	"broadsheet/internal/local/localauth"
	"broadsheet/internal/local/samtemplate"
	"broadsheet/internal/local/streams"
)

// Config configures Start.
type Config struct {
	// Root is the repository root: template.yaml, web/ and openapi.yaml are
	// looked up there. Default ".".
	Root string
	// Template defaults to <Root>/template.yaml.
	Template string
	// DataDir keeps DynamoDB Local's database (<DataDir>/dynamodb), the JWT
	// signing key, generated parameter values and stream checkpoints.
	// Default <Root>/.local. With InMemory and no DataDir a temporary
	// directory is used and removed by Close.
	DataDir string
	// DynamoDBEndpoint, if set, is used instead of starting DynamoDB Local.
	DynamoDBEndpoint string
	// InMemory starts DynamoDB Local with -inMemory instead of under DataDir.
	InMemory bool
	// TableName defaults to "broadsheet".
	TableName string
	// Addr to listen on; default "127.0.0.1:0" (a random port).
	Addr string
	// Functions are the handler factories keyed by CodeUri.
	Functions map[string]Factory
	// Parameters override template parameter values.
	Parameters map[string]string
	// Env is added to every function's environment.
	Env map[string]string
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// DisableStreams turns the stream pollers off.
	DisableStreams bool
	// StreamPollInterval defaults to 250 ms.
	StreamPollInterval time.Duration
	// ExternalIssuer verifies editor tokens against the template's JwtIssuer
	// (your Cognito user pool or IdP) through its published discovery
	// document and JWKS, as API Gateway does, instead of the local issuer.
	ExternalIssuer bool
	// DynamoDBLocalLog receives DynamoDB Local's output (nil discards it).
	DynamoDBLocalLog io.Writer
}

// Stack is a running local runtime.
type Stack struct {
	cfg      Config
	tpl      *samtemplate.Template
	endpoint string
	ddb      *ddblocal.Server
	signer   *localauth.Signer
	invoker  *InProcess
	handler  *Handler
	listener net.Listener
	server   *http.Server
	pollers  []*streams.Poller
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	tmpDir   string
	once     sync.Once
}

// Start boots the local runtime: DynamoDB Local (unless DynamoDBEndpoint is
// set), the table from the template, the stream pollers and the HTTP server.
func Start(ctx context.Context, cfg Config) (st *Stack, err error) {
	if cfg.Root == "" {
		cfg.Root = "."
	}
	if cfg.Template == "" {
		cfg.Template = filepath.Join(cfg.Root, "template.yaml")
	}
	if cfg.TableName == "" {
		cfg.TableName = "broadsheet"
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Stack{cfg: cfg}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if cfg.DataDir == "" {
		if cfg.InMemory {
			if s.tmpDir, err = os.MkdirTemp("", "broadsheet-local-"); err != nil {
				return nil, err
			}
			cfg.DataDir = s.tmpDir
		} else {
			cfg.DataDir = filepath.Join(cfg.Root, ".local")
		}
	}
	s.cfg = cfg
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, err
	}

	// Listen first: the local issuer is this origin, and the template's
	// authorizer must name it before anything is built from the template.
	if s.listener, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, err
	}
	params := cfg.Parameters
	if !cfg.ExternalIssuer {
		params = WithLocalIssuer(cfg.Parameters, s.listener.Addr().String())
	}
	params = WithLocalMail(params)
	s.tpl, err = LoadTemplate(cfg.Template, cfg.DataDir, cfg.TableName, params)
	if err != nil {
		return nil, err
	}
	if s.tpl.Table == nil {
		return nil, errors.New("localapi: the template declares no DynamoDB table")
	}
	if s.signer, err = localauth.LoadOrCreate(cfg.DataDir); err != nil {
		return nil, err
	}

	s.endpoint = cfg.DynamoDBEndpoint
	if s.endpoint == "" {
		opts := ddblocal.Options{InMemory: cfg.InMemory, Log: cfg.DynamoDBLocalLog}
		if !cfg.InMemory {
			opts.DataDir = filepath.Join(cfg.DataDir, "dynamodb")
		}
		if s.ddb, err = ddblocal.Start(ctx, opts); err != nil {
			return nil, err
		}
		s.endpoint = s.ddb.Endpoint()
	}
	client := ddblocal.NewClient(s.endpoint)
	created, err := s.tpl.CreateTable(ctx, client, cfg.TableName)
	if err != nil {
		return nil, err
	}
	cfg.Logger.Debug("table ready", "table", cfg.TableName, "created", created, "endpoint", s.endpoint)

	// Only what the functions read through getenv: the AWS SDK reads
	// credentials from the process environment, not from getenv, so none are
	// passed here; functions use dummy static credentials when
	// DYNAMODB_ENDPOINT is set (DynamoDB Local accepts any).
	// Mail goes to <DataDir>/mail as .eml files instead of SES.
	env := map[string]string{"DYNAMODB_ENDPOINT": s.endpoint, "MAIL_DIR": filepath.Join(cfg.DataDir, "mail")}
	for k, v := range cfg.Env {
		env[k] = v
	}
	s.invoker = NewInProcess(InProcessConfig{Template: s.tpl, Factories: cfg.Functions, Env: env})
	for id, f := range s.tpl.Functions {
		if cfg.Functions[f.CodeUri] == nil {
			cfg.Logger.Warn("no local factory for function: its routes answer 500", "function", id, "codeUri", f.CodeUri)
		}
	}

	staticDir := filepath.Join(cfg.Root, "web")
	s.handler, err = NewHandler(HandlerConfig{
		Template:    s.tpl,
		Invoker:     s.invoker,
		JWTKeys:     s.jwtKeys,
		Issuer:      s.localIssuer(),
		StaticDir:   staticDir,
		OpenAPIFile: filepath.Join(cfg.Root, "openapi.yaml"),
		Logger:      cfg.Logger,
	})
	if err != nil {
		return nil, err
	}

	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if !cfg.DisableStreams {
		streamsClient := ddblocal.NewStreamsClient(s.endpoint)
		for _, src := range s.tpl.Streams {
			if !src.Enabled {
				continue
			}
			if f := s.tpl.Functions[src.Function]; f == nil || cfg.Functions[f.CodeUri] == nil {
				// Not polling keeps the records for when the function exists
				// (instead of failing and discarding them).
				cfg.Logger.Warn("stream event source not polled: its function has no local factory", "function", src.Function)
				continue
			}
			if src.Table != s.tpl.Table.LogicalID {
				cfg.Logger.Warn("stream event source not on the template's table: ignored", "function", src.Function, "stream", src.Stream)
				continue
			}
			p, err := streams.New(streams.Config{
				Source: src, TableName: cfg.TableName,
				DynamoDB: client, Streams: streamsClient,
				Invoker: s.invoker, Region: s.tpl.Region, Logger: cfg.Logger,
				PollInterval:   cfg.StreamPollInterval,
				CheckpointFile: filepath.Join(cfg.DataDir, "streams", cfg.TableName+"."+src.Function+"."+src.EventName+".json"),
			})
			if err != nil {
				return nil, err
			}
			s.pollers = append(s.pollers, p)
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				_ = p.Run(runCtx)
			}()
		}
	}

	s.server = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.server.Serve(s.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			cfg.Logger.Error("http server", "error", err)
		}
	}()
	return s, nil
}

// JwtIssuerParameter is the template parameter naming the authorizer's issuer.
const JwtIssuerParameter = "JwtIssuer"

// LocalIssuer is the issuer URL of the local runtime listening on hostport:
// its own origin, where it serves the discovery document and JWKS.
func LocalIssuer(hostport string) string { return "http://" + hostport }

// WithLocalIssuer returns params with JwtIssuer set to the local issuer at
// hostport, unless the developer set JwtIssuer explicitly.
func WithLocalIssuer(params map[string]string, hostport string) map[string]string {
	out := map[string]string{}
	for k, v := range params {
		out[k] = v
	}
	if out[JwtIssuerParameter] == "" {
		out[JwtIssuerParameter] = LocalIssuer(hostport)
	}
	return out
}

// MailFromParameter is the template parameter naming the mail sender.
const MailFromParameter = "MailFrom"

// WithLocalMail gives MailFrom a local sender when none is set, as a
// deployment must: the template's rule wants one while verification is on,
// and locally every message lands in <DataDir>/mail instead of SES.
func WithLocalMail(params map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range params {
		out[k] = v
	}
	if out[MailFromParameter] == "" {
		out[MailFromParameter] = "comments@localhost"
	}
	return out
}

// LoadTemplate loads the template with the local table name and parameter
// values: overrides first, then the template's defaults, then values kept
// in <dataDir>/parameters.json, generated on first use for parameters with
// no default (such as SigningSecret).
func LoadTemplate(path, dataDir, tableName string, overrides map[string]string) (*samtemplate.Template, error) {
	opts := samtemplate.Options{TableName: tableName, Parameters: map[string]string{}}
	for k, v := range overrides {
		opts.Parameters[k] = v
	}
	probe, err := samtemplate.Load(path, opts)
	if err != nil {
		return nil, err
	}
	missing := probe.MissingParameters()
	if len(missing) == 0 {
		return probe, nil
	}
	kept, err := localParameters(dataDir, missing, probe.Parameters)
	if err != nil {
		return nil, err
	}
	for k, v := range kept {
		opts.Parameters[k] = v
	}
	return samtemplate.Load(path, opts)
}

// ParametersFile holds generated local parameter values under DATA_DIR.
const ParametersFile = "parameters.json"

func localParameters(dataDir string, names []string, params map[string]samtemplate.Parameter) (map[string]string, error) {
	file := filepath.Join(dataDir, ParametersFile)
	values := map[string]string{}
	if b, err := os.ReadFile(file); err == nil {
		if err := json.Unmarshal(b, &values); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	changed := false
	out := map[string]string{}
	for _, name := range names {
		v, ok := values[name]
		if !ok {
			p := params[name]
			switch {
			case len(p.AllowedValues) > 0:
				v = p.AllowedValues[0]
			case p.Type == "Number":
				v = "1"
			default:
				var b [32]byte
				if _, err := rand.Read(b[:]); err != nil {
					return nil, err
				}
				v = hex.EncodeToString(b[:]) // 64 characters: satisfies MinLength 32
			}
			values[name] = v
			changed = true
		}
		out[name] = v
	}
	if changed {
		b, _ := json.MarshalIndent(values, "", "  ")
		if err := os.MkdirAll(dataDir, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(file, b, 0o600); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// URL is the base URL of the local API, e.g. http://127.0.0.1:3000.
func (s *Stack) URL() string { return "http://" + s.listener.Addr().String() }

// DynamoDBEndpoint is the DynamoDB endpoint the functions use.
func (s *Stack) DynamoDBEndpoint() string { return s.endpoint }

// TableName is the local table's name.
func (s *Stack) TableName() string { return s.cfg.TableName }

// DataDir is where the stack keeps its state.
func (s *Stack) DataDir() string { return s.cfg.DataDir }

// Template is the loaded template (with local parameter values).
func (s *Stack) Template() *samtemplate.Template { return s.tpl }

// Handler is the HTTP handler (for httptest use).
func (s *Stack) Handler() http.Handler { return s.handler }

// Invoker runs the template's functions in process.
func (s *Stack) Invoker() *InProcess { return s.invoker }

// jwtKeys is where the authorizer finds an issuer's keys: the local signer
// (the local runtime is the issuer), or the issuer's published JWKS.
func (s *Stack) jwtKeys(issuer string) localauth.KeySet {
	if s.cfg.ExternalIssuer {
		return &localauth.RemoteKeys{Issuer: issuer}
	}
	return s.signer.Keys()
}

// localIssuer is the signer whose discovery document and JWKS the local
// origin serves; none when tokens come from an external issuer.
func (s *Stack) localIssuer() *localauth.Signer {
	if s.cfg.ExternalIssuer {
		return nil
	}
	return s.signer
}

// Signer mints tokens the stack accepts (e.g. expired or wrong-audience ones
// via Signer().Sign).
func (s *Stack) Signer() *localauth.Signer { return s.signer }

// StreamStats sums the stream pollers' counters.
func (s *Stack) StreamStats() streams.Stats {
	var t streams.Stats
	for _, p := range s.pollers {
		st := p.Stats()
		t.Invocations += st.Invocations
		t.Failures += st.Failures
		t.Delivered += st.Delivered
		t.Discarded += st.Discarded
		t.Filtered += st.Filtered
	}
	return t
}

// TokenOptions returns options for a valid editor token of this stack's
// authorizer (issuer and first audience from the template).
func (s *Stack) TokenOptions() localauth.TokenOptions {
	return EditorTokenOptions(s.tpl)
}

// Token mints a valid editor token (scope articles:write, 12 h).
func (s *Stack) Token() (string, error) {
	return s.signer.Token(s.TokenOptions())
}

// EditorTokenOptions returns token options matching the template's JWT
// authorizer (the first one found, preferring "EditorJwt").
func EditorTokenOptions(tpl *samtemplate.Template) localauth.TokenOptions {
	var found *samtemplate.JWTAuthorizer
	for _, api := range tpl.HttpAPIs {
		for name, a := range api.Authorizers {
			if found == nil || name == "EditorJwt" {
				a := a
				found = &a
			}
		}
	}
	o := localauth.TokenOptions{}
	if found != nil {
		o.Issuer = found.Issuer
		if len(found.Audience) > 0 {
			o.Audience = found.Audience[0]
		}
	}
	return o
}

// Close stops the HTTP server, the stream pollers and DynamoDB Local.
func (s *Stack) Close() error {
	var err error
	s.once.Do(func() {
		if s.server != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err = s.server.Shutdown(ctx)
			cancel()
		} else if s.listener != nil {
			_ = s.listener.Close() // Start failed before serving
		}
		if s.cancel != nil {
			s.cancel()
		}
		s.wg.Wait()
		if s.ddb != nil {
			err = errors.Join(err, s.ddb.Stop())
		}
		if s.tmpDir != "" {
			_ = os.RemoveAll(s.tmpDir)
		}
	})
	return err
}
