package pipeline

import (
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
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// LambdaExecutor runs each attempt of a job as one synchronous
// (RequestResponse) invocation of a Lambda function built from
// examples/lambda. It maps the outcomes onto the Dispatcher's retry policy:
//
//   - TooManyRequestsException (HTTP 429) → *ThrottleError with the
//     service's Retry-After and reason;
//   - other 5xx answers of the Lambda API, connection failures → ErrTransient;
//   - a function error whose message says "Task timed out" → ErrTimeout;
//   - any other function error (a crash, out of memory) → ErrDeterministic;
//   - a worker response with statusCode 400 (invalid event) → ErrDeterministic;
//   - otherwise the worker's CellResult, classified by its error_kind.
//
// The invocation log tail is requested so the billed duration and peak memory
// of each attempt are reported exactly.
type LambdaExecutor struct {
	// Client invokes the function; see NewLambdaClient for the settings a
	// long synchronous invoke needs.
	Client *lambda.Client
	// FunctionName is the function's name or ARN (a qualifier may be
	// appended as "name:alias").
	FunctionName string
	// Event builds the process event of a job: the cell, its granules, the
	// store, credentials and config. It is called for every attempt, so
	// temporary credentials can be refreshed. Required.
	Event func(ctx context.Context, job Job) (*Event, error)
}

var _ Executor = (*LambdaExecutor)(nil)

// NewLambdaClient returns a Lambda client suited to synchronous invokes that
// last up to functionTimeout with up to concurrency of them in flight: the
// HTTP timeout is the function timeout plus a minute, the connection pool is
// as large as the concurrency, and the SDK's own retries are off (the
// Dispatcher retries, so a slow invoke is never silently run twice).
func NewLambdaClient(cfg aws.Config, functionTimeout time.Duration, concurrency int, optFns ...func(*lambda.Options)) *lambda.Client {
	hc := awshttp.NewBuildableClient().
		WithTimeout(functionTimeout + time.Minute).
		WithTransportOptions(func(t *http.Transport) {
			t.MaxConnsPerHost = concurrency
			t.MaxIdleConnsPerHost = concurrency
			t.MaxIdleConns = concurrency
		})
	opts := append([]func(*lambda.Options){func(o *lambda.Options) {
		o.HTTPClient = hc
		o.Retryer = aws.NopRetryer{}
	}}, optFns...)
	return lambda.NewFromConfig(cfg, opts...)
}

// AccountConcurrency returns the account's unreserved concurrent executions
// in the client's region (GetAccountSettings), the ceiling for Workers.
func AccountConcurrency(ctx context.Context, client *lambda.Client) (int, error) {
	out, err := client.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
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
func (e *LambdaExecutor) Execute(ctx context.Context, job Job) (*Execution, error) {
	if e.Event == nil {
		return nil, fmt.Errorf("%w: LambdaExecutor.Event is nil", ErrDeterministic)
	}
	ev, err := e.Event(ctx, job)
	if err != nil {
		return nil, fmt.Errorf("%w: cell %s: building event: %v", ErrDeterministic, job.Key, err)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("%w: cell %s: encoding event: %v", ErrDeterministic, job.Key, err)
	}
	out, err := e.Client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(e.FunctionName),
		InvocationType: types.InvocationTypeRequestResponse,
		LogType:        types.LogTypeTail,
		Payload:        payload,
	})
	if err != nil {
		return nil, classifyInvokeError(job.Key, err)
	}
	exec := &Execution{}
	exec.Billed, exec.MaxMemoryMB = parseReport(out.LogResult)
	if out.FunctionError != nil {
		var fe struct {
			Message string `json:"errorMessage"`
			Type    string `json:"errorType"`
		}
		_ = json.Unmarshal(out.Payload, &fe)
		msg := fmt.Sprintf("cell %s: function error (%s): %s %s", job.Key, *out.FunctionError, fe.Type, fe.Message)
		if strings.Contains(fe.Message, "Task timed out") {
			return exec, fmt.Errorf("%s: %w", msg, ErrTimeout)
		}
		return exec, fmt.Errorf("%s: %w", msg, ErrDeterministic)
	}
	var resp Response
	if err := json.Unmarshal(out.Payload, &resp); err != nil {
		return exec, fmt.Errorf("%w: cell %s: worker reply is not {statusCode, body}: %v", ErrDeterministic, job.Key, err)
	}
	if resp.StatusCode == http.StatusBadRequest {
		return exec, fmt.Errorf("%w: cell %s: worker rejected the event: %s", ErrDeterministic, job.Key, resp.Body)
	}
	var res CellResult
	if err := json.Unmarshal([]byte(resp.Body), &res); err != nil {
		return exec, fmt.Errorf("%w: cell %s: worker body (status %d) is not a result: %v", ErrDeterministic, job.Key, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK && res.Error == nil {
		res.SetError(KindDeterministic, fmt.Sprintf("worker answered status %d", resp.StatusCode))
	}
	exec.Result = &res
	return exec, nil
}

// classifyInvokeError maps an Invoke API error onto the retry policy.
func classifyInvokeError(key string, err error) error {
	var tm *types.TooManyRequestsException
	if errors.As(err, &tm) {
		te := &ThrottleError{Reason: string(tm.Reason), Err: err}
		if tm.RetryAfterSeconds != nil {
			te.RetryAfter = ParseRetryAfter(*tm.RetryAfterSeconds)
		}
		return te
	}
	var (
		svc   *types.ServiceException
		notRd *types.ResourceNotReadyException
		ec2t  *types.EC2ThrottledException
	)
	if errors.As(err, &svc) || errors.As(err, &notRd) || errors.As(err, &ec2t) {
		return fmt.Errorf("cell %s: %w: %v", key, ErrTransient, err)
	}
	// A request that never got an answer (connection reset or refused, EOF,
	// a read timeout) carries HTTP status 0: the invoke may or may not have
	// run, and retrying is safe because cells are idempotent.
	var re *awshttp.ResponseError
	hasStatus := errors.As(err, &re) && re.HTTPStatusCode() != 0
	switch {
	case hasStatus && re.HTTPStatusCode() >= 500:
		return fmt.Errorf("cell %s: %w: %v", key, ErrTransient, err)
	case hasStatus:
		return fmt.Errorf("cell %s: %w: %v", key, ErrDeterministic, err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("cell %s: %w", key, err)
	}
	return fmt.Errorf("cell %s: %w: %v", key, ErrTransient, err)
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
