package stock

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"pandian/jobs"
)

// AsyncImportBytes is the body size from which an import runs as a job.
const AsyncImportBytes = 512 << 10

// JobView is a job with its decoded result.
type JobView struct {
	Job
	Result *ImportResult `json:"result,omitempty"`
}

// SubmitImport stores an import as a job for the background runner.
func (s *Service) SubmitImport(ctx context.Context, actor Actor, kind string, body []byte) (JobView, error) {
	if err := actor.Require(PermMasterData); err != nil {
		return JobView{}, err
	}
	if _, ok := importColumns[kind]; !ok {
		return JobView{}, Errorf(ENotFound, "unknown import %q: use catalog, stock, employees or locations", kind)
	}
	now := s.Now().UTC()
	j := Job{ID: newID("job_"), Kind: JobsImports + kind, Status: "queued", Actor: actor.Employee.Code, Input: body, Created: now, Updated: now}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := tx.CreateJob(j); err != nil {
			return err
		}
		return s.audit(tx, actor, "job.submit", "job:"+j.ID, map[string]any{"kind": j.Kind, "bytes": len(body)})
	})
	return JobView{Job: j}, err
}

// GetJob returns a job; only its submitter and admins may read it.
func (s *Service) GetJob(ctx context.Context, actor Actor, id string) (JobView, error) {
	var j Job
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		j, err = tx.Job(id)
		return err
	})
	if err != nil {
		return JobView{}, err
	}
	if j.Actor != actor.Employee.Code && actor.Role() != RoleAdmin {
		return JobView{}, Errorf(ENotFound, "job %s not found", id)
	}
	v := JobView{Job: j}
	if len(j.Result) > 0 {
		var r ImportResult
		if err := json.Unmarshal(j.Result, &r); err == nil {
			v.Result = &r
		}
	}
	return v, nil
}

// ImportJobKinds are the job kinds of the imports (one per import kind,
// "import:catalog"…), for registering their handler.
func ImportJobKinds() []string {
	out := make([]string, 0, len(importColumns))
	for k := range importColumns {
		out = append(out, JobsImports+k)
	}
	slices.Sort(out)
	return out
}

type submitterError struct{ error }

func (e *submitterError) Unwrap() error { return e.error }

// RunImportJob is the handler of the import jobs (package jobs): it runs
// the import as its submitter and records the result and the job's end in
// one transaction under the run's lease, so that a runner that was taken
// over cannot overwrite the result of the one that took over. An import
// that fails fails the job (retrying would fail the same way).
func (s *Service) RunImportJob(ctx context.Context, run *jobs.Run) error {
	var j Job
	var emp Employee
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if j, err = tx.Job(run.ID); err != nil {
			return err
		}
		if emp, err = tx.Employee(j.Actor); err != nil {
			return &submitterError{err}
		}
		return nil
	})
	var se *submitterError
	switch {
	case errors.As(err, &se) && ErrorCode(err) != EUnavailable:
		return jobs.Permanent(errors.New("submitter: " + ErrorMessage(se.error)))
	case err != nil:
		return err
	}
	last := time.Time{}
	progress := func(p float64) {
		if time.Since(last) < time.Second && p < 1 {
			return
		}
		last = time.Now()
		slog.Info("job progress", "job", j.ID, "progress", p)
		err := s.store.Write(context.WithoutCancel(ctx), func(tx Tx) error { return tx.SetJobProgress(run.Lease, p, s.Now().UTC()) })
		if err != nil {
			slog.Warn("job progress", "job", j.ID, "err", err)
		}
	}
	kind := strings.TrimPrefix(run.Kind, JobsImports)
	res, err := s.Import(ctx, Actor{Employee: emp}, kind, run.Payload, progress)
	if err != nil {
		if ctx.Err() != nil {
			return err // stopping, or taken over: the job runs again
		}
		return jobs.Permanent(errors.New(ErrorMessage(err)))
	}
	b, _ := json.Marshal(res)
	err = s.store.Write(context.WithoutCancel(ctx), func(tx Tx) error {
		return tx.FinishJob(run.Lease, jobs.Outcome{Status: jobs.StatusDone, Result: b, At: s.Now().UTC()})
	})
	if err != nil {
		return err
	}
	run.Finished()
	return nil
}

// JobHandler returns the domain's handler of a job kind (an import kind,
// JobsDocuments, JobsFiling, JobsSKUFolders), nil for another kind.
func (s *Service) JobHandler(kind string) jobs.Handler {
	switch {
	case kind == JobsDocuments || kind == JobsFiling:
		return s.RunDocumentJob
	case kind == JobsRefile:
		return s.RunRefileJob
	case kind == JobsKeepReport:
		return s.RunKeepReportJob
	case kind == JobsSKUFolders:
		return s.RunSKUFolderJob(30 * time.Second)
	case strings.HasPrefix(kind, JobsImports) && slices.Contains(ImportJobKinds(), kind):
		return s.RunImportJob
	}
	return nil
}

// RunOneJob claims one due job of the given kinds (none: the imports) and
// runs it in this goroutine, as a queue runner would (clock: s.Now); it
// reports whether there was one. For tests and tools: servers run a
// jobs.Runner (server/main.go). The store must implement jobs.Queue
// (storage/sqlstore does).
func (s *Service) RunOneJob(ctx context.Context, kinds ...string) (bool, error) {
	q, ok := s.store.(jobs.Queue)
	if !ok {
		return false, Errorf(EUnavailable, "the store has no job queue")
	}
	if len(kinds) == 0 {
		kinds = ImportJobKinds()
	}
	r := jobs.NewRunner(q)
	r.Now = s.Now
	for _, k := range kinds {
		h := s.JobHandler(k)
		if h == nil {
			return false, Errorf(EInvalid, "no handler for job kind %q", k)
		}
		r.Handle(k, jobs.Options{BaseDelay: DocumentRetry}, h)
	}
	for _, k := range kinds {
		if n, err := r.RunDue(ctx, k, 1); err != nil || n > 0 {
			return n > 0, err
		}
	}
	return false, nil
}
