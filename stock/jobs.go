package stock

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"
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

// RunJobs runs queued jobs of the given kinds (JobsImports, JobsDocuments,
// JobsFiling; none: imports only) until ctx ends, polling every poll. Several runners
// (in several processes) may run against the same database.
func (s *Service) RunJobs(ctx context.Context, poll time.Duration, kinds ...string) {
	for ctx.Err() == nil {
		ran, err := s.RunOneJob(ctx, kinds...)
		if err != nil && ctx.Err() == nil {
			slog.Error("job runner", "err", err)
		}
		if !ran {
			select {
			case <-ctx.Done():
			case <-time.After(poll):
			}
		}
	}
}

// RunOneJob claims and runs one job of the given kinds (none: imports); it
// reports whether there was one.
func (s *Service) RunOneJob(ctx context.Context, kinds ...string) (bool, error) {
	if len(kinds) == 0 {
		kinds = []string{JobsImports}
	}
	var j Job
	var ok bool
	err := s.store.Write(ctx, func(tx Tx) error {
		for _, k := range kinds {
			var err error
			if j, ok, err = tx.ClaimJob(k, s.Now().Add(-s.cfg.JobStale)); err != nil || ok {
				return err
			}
		}
		return nil
	})
	if err != nil || !ok {
		return false, err
	}
	slog.Info("job started", "job", j.ID, "kind", j.Kind, "bytes", len(j.Input))
	update := func(mut func(*Job)) {
		mut(&j)
		j.Updated = s.Now().UTC()
		if err := s.store.Write(context.WithoutCancel(ctx), func(tx Tx) error { return tx.UpdateJob(j) }); err != nil {
			slog.Error("job update", "job", j.ID, "err", err)
		}
	}
	if strings.HasPrefix(j.Kind, JobsDocuments) || strings.HasPrefix(j.Kind, JobsFiling) {
		beat := time.Now()
		heartbeat := func() {
			if time.Since(beat) > s.cfg.JobStale/10 {
				beat = time.Now()
				update(func(*Job) {})
			}
		}
		retry, err := s.runDocumentJob(ctx, j, heartbeat)
		switch {
		case err != nil && retry:
			slog.Warn("job will be retried", "job", j.ID, "err", err, "in", jobRetry)
			// A job to retry becomes stale, and so claimable, after jobRetry.
			update(func(j *Job) { j.Status, j.Error = "retry", ErrorMessage(err) })
			j.Updated = s.Now().UTC().Add(jobRetry - s.cfg.JobStale)
			if err := s.store.Write(context.WithoutCancel(ctx), func(tx Tx) error { return tx.UpdateJob(j) }); err != nil {
				slog.Error("job update", "job", j.ID, "err", err)
			}
		case err != nil:
			update(func(j *Job) { j.Status, j.Error = "failed", ErrorMessage(err) })
		default:
			update(func(j *Job) { j.Status, j.Progress, j.Error = "done", 1, "" })
			slog.Info("job done", "job", j.ID)
		}
		return true, nil
	}
	var emp Employee
	err = s.store.Read(ctx, func(tx Tx) error {
		var err error
		emp, err = tx.Employee(j.Actor)
		return err
	})
	if err != nil {
		update(func(j *Job) { j.Status, j.Error = "failed", "submitter: "+ErrorMessage(err) })
		return true, nil
	}
	last := time.Time{}
	progress := func(p float64) {
		if time.Since(last) < time.Second && p < 1 {
			return
		}
		last = time.Now()
		slog.Info("job progress", "job", j.ID, "progress", p)
		update(func(j *Job) { j.Progress = p })
	}
	kind := j.Kind[len(JobsImports):]
	res, err := s.Import(ctx, Actor{Employee: emp}, kind, j.Input, progress)
	if err != nil {
		slog.Warn("job failed", "job", j.ID, "err", err)
		update(func(j *Job) { j.Status, j.Error = "failed", ErrorMessage(err) })
		return true, nil
	}
	b, _ := json.Marshal(res)
	update(func(j *Job) { j.Status, j.Progress, j.Result, j.Input = "done", 1, b, nil })
	slog.Info("job done", "job", j.ID, "rows", res.Rows)
	return true, nil
}
