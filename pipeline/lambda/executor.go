package lambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/zagg-go/zagg/internal/retry"
	"github.com/zagg-go/zagg/pipeline/dispatch"
)

// Executor runs each attempt of a job as one synchronous
// (RequestResponse) invocation of a Lambda function built from
// examples/lambda. It maps the outcomes onto the Dispatcher's retry policy:
//
//   - TooManyRequestsException (HTTP 429) → *ThrottleError with the
//     service's Retry-After and reason;
//   - other 5xx answers of the Lambda API, connection failures → ErrTransient;
//   - "Runtime.Unavailable" (no free runtime: the Runtime Interface
//     Emulator's HTTP 400 with an Error-Type header) → ErrTransient;
//   - a function error whose message says "Task timed out", or a reply of
//     type Sandbox.Timedout or the plain text "Task timed out…" without
//     X-Amz-Function-Error (the emulator's timeout replies) → ErrTimeout;
//   - any other function error (a crash, out of memory) → ErrDeterministic;
//   - a worker response with statusCode 400 (invalid event) → ErrDeterministic;
//   - otherwise the worker's CellResult, classified by its error_kind.
//
// The invocation log tail is requested so the billed duration and peak memory
// of each attempt are reported exactly.
type Executor struct {
	// Client invokes the function; see NewClient for the settings a
	// long synchronous invoke needs.
	Client *awslambda.Client
	// FunctionName is the function's name or ARN (a qualifier may be
	// appended as "name:alias").
	FunctionName string
	// Event builds the process event of a job: the cell, its granules, the
	// store, credentials and config. It is called for every attempt, so
	// temporary credentials can be refreshed. Required.
	Event func(ctx context.Context, job dispatch.Job) (*Event, error)
	// FunctionTimeout is the function's timeout. When an invoke gets no
	// answer (the connection dropped), the invocation may still be running:
	// Execute then waits until the function timeout has passed since the
	// invoke started before it reports the failure, so the Dispatcher never
	// starts a second attempt of a cell while the first can still write
	// (the store's fencing would keep it from overwriting a newer attempt's
	// commit, but the two would race for the cell). Zero: no wait.
	FunctionTimeout time.Duration
	// Sleep waits d or until ctx ends (nil: a timer). Tests inject it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the executor's clock (nil: time.Now).
	Now func() time.Time
}

var _ dispatch.Executor = (*Executor)(nil)

// NewClient returns a Lambda client suited to synchronous invokes that
// last up to functionTimeout with up to concurrency of them in flight: the
// HTTP timeout is the function timeout plus a minute, the connection pool is
// as large as the concurrency, and the SDK's own retries are off (the
// Dispatcher retries, so a slow invoke is never silently run twice).
func NewClient(cfg aws.Config, functionTimeout time.Duration, concurrency int, optFns ...func(*awslambda.Options)) *awslambda.Client {
	hc := awshttp.NewBuildableClient().
		WithTimeout(functionTimeout + time.Minute).
		WithTransportOptions(func(t *http.Transport) {
			t.MaxConnsPerHost = concurrency
			t.MaxIdleConnsPerHost = concurrency
			t.MaxIdleConns = concurrency
		})
	opts := append([]func(*awslambda.Options){func(o *awslambda.Options) {
		o.HTTPClient = hc
		o.Retryer = aws.NopRetryer{}
	}}, optFns...)
	return awslambda.NewFromConfig(cfg, opts...)
}

// ConcurrencyLimit returns the ceiling for the invokes in flight of one
// function: its reserved concurrency (GetFunctionConcurrency) when it has
// one, which no other function can take and it cannot exceed; otherwise the
// account's unreserved concurrency (AccountConcurrency), which it shares.
// what names the limit for logs.
func ConcurrencyLimit(ctx context.Context, client *awslambda.Client, function string) (limit int, what string, err error) {
	fc, ferr := client.GetFunctionConcurrency(ctx, &awslambda.GetFunctionConcurrencyInput{FunctionName: aws.String(function)})
	if ferr == nil && fc.ReservedConcurrentExecutions != nil {
		return int(*fc.ReservedConcurrentExecutions), "the function's reserved concurrency", nil
	}
	n, err := AccountConcurrency(ctx, client)
	if err != nil {
		return 0, "", errors.Join(err, ferr)
	}
	return n, "the account's unreserved concurrency", nil
}

// AccountConcurrency returns the account's unreserved concurrent executions
// in the client's region (GetAccountSettings), the ceiling for Workers of a
// function without reserved concurrency.
func AccountConcurrency(ctx context.Context, client *awslambda.Client) (int, error) {
	out, err := client.GetAccountSettings(ctx, &awslambda.GetAccountSettingsInput{})
	if err != nil {
		return 0, fmt.Errorf("pipeline: lambda account settings: %w", err)
	}
	if out.AccountLimit == nil {
		return 0, errors.New("pipeline: lambda account settings: no account limit in reply")
	}
	if u := out.AccountLimit.UnreservedConcurrentExecutions; u != nil {
		return int(*u), nil
	}
	return int(out.AccountLimit.ConcurrentExecutions), nil
}

// Execute invokes the function once for job.
func (e *Executor) Execute(ctx context.Context, job dispatch.Job) (*dispatch.Execution, error) {
	if e.Event == nil {
		return nil, fmt.Errorf("%w: Executor.Event is nil", dispatch.ErrDeterministic)
	}
	ev, err := e.Event(ctx, job)
	if err != nil {
		return nil, fmt.Errorf("%w: cell %s: building event: %v", dispatch.ErrDeterministic, job.Cell, err)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("%w: cell %s: encoding event: %v", dispatch.ErrDeterministic, job.Cell, err)
	}
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	start := now()
	out, err := e.Client.Invoke(ctx, &awslambda.InvokeInput{
		FunctionName:   aws.String(e.FunctionName),
		InvocationType: types.InvocationTypeRequestResponse,
		LogType:        types.LogTypeTail,
		Payload:        payload,
	})
	if err != nil {
		cerr := classifyInvokeError(job.Cell.String(), err)
		var re *awshttp.ResponseError
		noAnswer := !(errors.As(err, &re) && re.HTTPStatusCode() != 0)
		if noAnswer && errors.Is(cerr, dispatch.ErrTransient) && e.FunctionTimeout > 0 {
			// The invocation may still run: wait it out before a retry.
			if wait := e.FunctionTimeout + 5*time.Second - now().Sub(start); wait > 0 {
				sleep := e.Sleep
				if sleep == nil {
					sleep = retry.Sleep
				}
				if serr := sleep(ctx, wait); serr != nil {
					return nil, fmt.Errorf("cell %s: %w", job.Cell, serr)
				}
			}
		}
		return nil, cerr
	}
	exec := &dispatch.Execution{}
	exec.Billed, exec.MaxMemoryMB = parseReport(out.LogResult)
	if err := runtimeReply(job.Cell.String(), out); err != nil {
		return exec, err
	}
	if out.FunctionError != nil {
		var fe struct {
			Message string `json:"errorMessage"`
			Type    string `json:"errorType"`
		}
		_ = json.Unmarshal(out.Payload, &fe)
		msg := fmt.Sprintf("cell %s: function error (%s): %s %s", job.Cell, *out.FunctionError, fe.Type, fe.Message)
		if strings.Contains(fe.Message, "Task timed out") {
			return exec, fmt.Errorf("%s: %w", msg, dispatch.ErrTimeout)
		}
		return exec, fmt.Errorf("%s: %w", msg, dispatch.ErrDeterministic)
	}
	var resp Response
	if err := json.Unmarshal(out.Payload, &resp); err != nil {
		return exec, fmt.Errorf("%w: cell %s: worker reply is not {statusCode, body}: %v", dispatch.ErrDeterministic, job.Cell, err)
	}
	if resp.StatusCode == http.StatusBadRequest {
		return exec, fmt.Errorf("%w: cell %s: worker rejected the event: %s", dispatch.ErrDeterministic, job.Cell, resp.Body)
	}
	var res dispatch.CellResult
	if err := json.Unmarshal([]byte(resp.Body), &res); err != nil {
		return exec, fmt.Errorf("%w: cell %s: worker body (status %d) is not a result: %v", dispatch.ErrDeterministic, job.Cell, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK && res.Error == nil {
		res.SetError(dispatch.KindDeterministic, fmt.Sprintf("worker answered status %d", resp.StatusCode))
	}
	exec.Result = &res
	return exec, nil
}

// runtimeReply recognises a reply of the runtime itself rather than of the
// worker, sent without X-Amz-Function-Error: the Runtime Interface
// Emulator's timeout ("Task timed out after N seconds" as plain text, or
// {"errorType": "Sandbox.Timedout", …} with an Error-Type header). It returns
// nil for anything else.
func runtimeReply(key string, out *awslambda.InvokeOutput) error {
	if out.FunctionError != nil {
		return nil
	}
	typ := ""
	if raw, ok := awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response); ok && raw != nil {
		typ = raw.Header.Get("Error-Type")
	}
	var fe struct {
		Type    string `json:"errorType"`
		Message string `json:"errorMessage"`
	}
	payload := bytes.TrimSpace(out.Payload)
	if json.Unmarshal(payload, &fe) == nil && fe.Type != "" {
		typ = fe.Type
	} else if bytes.HasPrefix(payload, []byte("Task timed out")) {
		typ, fe.Message = "Sandbox.Timedout", string(payload)
	}
	switch {
	case typ == "":
		return nil
	case typ == "Sandbox.Timedout" || strings.Contains(fe.Message, "Task timed out"):
		return fmt.Errorf("cell %s: runtime reply %s: %s: %w", key, typ, fe.Message, dispatch.ErrTimeout)
	case typ == "Runtime.Unavailable":
		return fmt.Errorf("cell %s: runtime reply %s: %w", key, typ, dispatch.ErrTransient)
	}
	return fmt.Errorf("cell %s: runtime reply %s: %s: %w", key, typ, fe.Message, dispatch.ErrDeterministic)
}

// classifyInvokeError maps an Invoke API error onto the retry policy.
func classifyInvokeError(key string, err error) error {
	var tm *types.TooManyRequestsException
	if errors.As(err, &tm) {
		te := &dispatch.ThrottleError{Reason: string(tm.Reason), Err: err}
		if tm.RetryAfterSeconds != nil {
			te.RetryAfter = retry.ParseRetryAfter(*tm.RetryAfterSeconds)
		}
		return te
	}
	var (
		svc   *types.ServiceException
		notRd *types.ResourceNotReadyException
		ec2t  *types.EC2ThrottledException
	)
	if errors.As(err, &svc) || errors.As(err, &notRd) || errors.As(err, &ec2t) {
		return fmt.Errorf("cell %s: %w: %v", key, dispatch.ErrTransient, err)
	}
	// A request that never got an answer (connection reset or refused, EOF,
	// a read timeout) carries HTTP status 0: the invoke may or may not have
	// run, and retrying is safe because cells are idempotent.
	var re *awshttp.ResponseError
	hasStatus := errors.As(err, &re) && re.HTTPStatusCode() != 0
	// No free runtime (the emulator's 400 with Error-Type
	// Runtime.Unavailable): another attempt finds one.
	if hasStatus && re.Response != nil && re.Response.Header.Get("Error-Type") == "Runtime.Unavailable" {
		return fmt.Errorf("cell %s: %w: Runtime.Unavailable: %v", key, dispatch.ErrTransient, err)
	}
	switch {
	case hasStatus && re.HTTPStatusCode() >= 500:
		return fmt.Errorf("cell %s: %w: %v", key, dispatch.ErrTransient, err)
	case hasStatus:
		return fmt.Errorf("cell %s: %w: %v", key, dispatch.ErrDeterministic, err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("cell %s: %w", key, err)
	}
	return fmt.Errorf("cell %s: %w: %v", key, dispatch.ErrTransient, err)
}

var (
	reBilled = regexp.MustCompile(`Billed Duration: ([0-9.]+) ms`)
	reMemory = regexp.MustCompile(`Max Memory Used: ([0-9]+) MB`)
)

// parseReport extracts the billed duration and peak memory from the
// base64 log tail of an invocation (its REPORT line).
func parseReport(logResult *string) (time.Duration, int) {
	if logResult == nil {
		return 0, 0
	}
	raw, err := base64.StdEncoding.DecodeString(*logResult)
	if err != nil {
		return 0, 0
	}
	var billed time.Duration
	var mem int
	if m := reBilled.FindSubmatch(raw); m != nil {
		if ms, err := strconv.ParseFloat(string(m[1]), 64); err == nil {
			billed = time.Duration(ms * float64(time.Millisecond))
		}
	}
	if m := reMemory.FindSubmatch(raw); m != nil {
		mem, _ = strconv.Atoi(string(m[1]))
	}
	return billed, mem
}
