package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"pandian/jobs"
	"pandian/stock"
)

const jobCols = `id, kind, status, progress, actor, input, result, error, created_at, updated_at`

func scanJob(row interface{ Scan(...any) error }) (stock.Job, error) {
	var j stock.Job
	var created, updated int64
	err := row.Scan(&j.ID, &j.Kind, &j.Status, &j.Progress, &j.Actor, &j.Input, &j.Result, &j.Error, &created, &updated)
	j.Created, j.Updated = fromMicros(created), fromMicros(updated)
	return j, err
}

// CreateJob stores a new job, due at once.
func (t *tx) CreateJob(j stock.Job) (err error) {
	defer wrapOp(&err, "CreateJob")
	_, err = t.exec(`INSERT INTO jobs (`+jobCols+`, next_at) VALUES (`+placeholders(11)+`)`,
		j.ID, j.Kind, j.Status, j.Progress, j.Actor, j.Input, j.Result, j.Error, micros(j.Created), micros(j.Updated), micros(j.Created))
	return err
}

// Job returns one job, without its input (only the runner that claims a
// job reads that): a client polling a large import's job reads a few
// hundred bytes, not the file each time.
func (t *tx) Job(id string) (_ stock.Job, err error) {
	defer wrapOp(&err, "Job")
	j, err := scanJob(t.queryRow(`SELECT id, kind, status, progress, actor, NULL, result, error, created_at, updated_at FROM jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, notFound("job", id)
	}
	return j, err
}

// fence is the condition of a write made under a lease.
const fence = ` WHERE id = ? AND lease_owner = ? AND lease_token = ? AND status = 'running'`

func fenced(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return jobs.ErrLeaseLost
	}
	return nil
}

// SetJobProgress saves the progress of a job run under l (jobs.ErrLeaseLost
// when l no longer holds it). The job's input is not sent again.
func (t *tx) SetJobProgress(l jobs.Lease, progress float64, at time.Time) (err error) {
	defer wrapOp(&err, "SetJobProgress")
	return fenced(t.exec(`UPDATE jobs SET progress = ?, updated_at = ?`+fence, progress, micros(at), l.JobID, l.Owner, l.Token))
}

// FinishJob records the outcome of the attempt made under l, in the
// transaction of the caller's other writes: when l no longer holds the
// job (it was taken over) it returns jobs.ErrLeaseLost, and the caller's
// transaction rolls back with it. A done job's input is cleared (an import
// of tens of MiB is not kept).
func (t *tx) FinishJob(l jobs.Lease, o jobs.Outcome) (err error) {
	defer wrapOp(&err, "FinishJob")
	at := o.At
	if at.IsZero() {
		at = time.Now()
	}
	var res sql.Result
	switch o.Status {
	case jobs.StatusDone:
		res, err = t.exec(`UPDATE jobs SET status = 'done', progress = 1, result = COALESCE(?, result), input = NULL, error = '', lease_until = 0, updated_at = ?`+fence,
			o.Result, micros(at), l.JobID, l.Owner, l.Token)
	case jobs.StatusFailed:
		res, err = t.exec(`UPDATE jobs SET status = 'failed', error = ?, lease_until = 0, updated_at = ?`+fence,
			o.Error, micros(at), l.JobID, l.Owner, l.Token)
	case jobs.StatusRetry:
		res, err = t.exec(`UPDATE jobs SET status = 'retry', error = ?, next_at = ?, lease_until = 0, updated_at = ?`+fence,
			o.Error, micros(o.NextAt), micros(at), l.JobID, l.Owner, l.Token)
	case jobs.StatusQueued:
		res, err = t.exec(`UPDATE jobs SET status = 'queued', error = '', attempts = 0, next_at = ?, lease_until = 0, updated_at = ?`+fence,
			micros(o.NextAt), micros(at), l.JobID, l.Owner, l.Token)
	default:
		return stock.Errorf(stock.EInvalid, "unknown job outcome %q", o.Status)
	}
	return fenced(res, err)
}

// dueJobs is the condition of the jobs a claim at now may take.
const dueJobs = `((status IN ('queued', 'retry') AND next_at <= ?) OR (status = 'running' AND lease_until <= ?))`

// ClaimJobs implements jobs.Queue. It looks on the reader first, so that an
// idle runner's polls take no write transaction (SQLite has one writer).
// On PostgreSQL, concurrent claimers skip each other's locked rows (SKIP
// LOCKED); on SQLite writers take turns.
func (s *Store) ClaimJobs(ctx context.Context, kinds []string, owner string, now time.Time, lease time.Duration, limit int) (_ []jobs.Job, err error) {
	defer wrapOp(&err, "ClaimJobs")
	if limit <= 0 || len(kinds) == 0 {
		return nil, nil
	}
	inKinds := `kind IN (` + placeholders(len(kinds)) + `)`
	args := make([]any, 0, len(kinds)+3)
	for _, k := range kinds {
		args = append(args, k)
	}
	args = append(args, micros(now), micros(now))
	var one int
	err = s.reader.QueryRowContext(ctx, s.d.rebind(`SELECT 1 FROM jobs WHERE `+inKinds+` AND `+dueJobs+` LIMIT 1`), args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr(err)
	}
	var out []jobs.Job
	err = s.writeTx(ctx, func(t *sql.Tx) error {
		out = out[:0]
		rows, err := t.QueryContext(ctx, s.d.rebind(`UPDATE jobs
			SET status = 'running', lease_owner = ?, lease_token = lease_token + 1, lease_until = ?, attempts = attempts + 1, updated_at = ?
			WHERE id IN (SELECT id FROM jobs WHERE `+inKinds+` AND `+dueJobs+`
				ORDER BY next_at, created_at, id LIMIT ?`+s.d.skipLock+`)
			RETURNING id, kind, input, attempts, lease_owner, lease_token, lease_until`),
			append(append([]any{owner, micros(now.Add(lease)), micros(now)}, args...), limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var j jobs.Job
			var until int64
			if err := rows.Scan(&j.ID, &j.Kind, &j.Payload, &j.Attempts, &j.Lease.Owner, &j.Lease.Token, &until); err != nil {
				return err
			}
			j.Lease.JobID, j.LeaseUntil = j.ID, fromMicros(until)
			out = append(out, j)
		}
		return rows.Err()
	})
	return out, mapErr(err)
}

// ExtendJobLease implements jobs.Queue.
func (s *Store) ExtendJobLease(ctx context.Context, l jobs.Lease, until time.Time) (err error) {
	defer wrapOp(&err, "ExtendJobLease")
	err = s.writeTx(ctx, func(t *sql.Tx) error {
		return fenced(t.ExecContext(ctx, s.d.rebind(`UPDATE jobs SET lease_until = ?`+fence), micros(until), l.JobID, l.Owner, l.Token))
	})
	return mapErr(err)
}

// FinishJob implements jobs.Queue (tx.FinishJob in a transaction of its own).
func (s *Store) FinishJob(ctx context.Context, l jobs.Lease, o jobs.Outcome) (err error) {
	defer wrapOp(&err, "FinishJob")
	return mapErr(s.writeTx(ctx, func(t *sql.Tx) error { return (&tx{ctx: ctx, t: t, d: s.d}).FinishJob(l, o) }))
}

// EnqueueJobs implements jobs.Queue.
func (s *Store) EnqueueJobs(ctx context.Context, js []jobs.New) (_ int, err error) {
	defer wrapOp(&err, "EnqueueJobs")
	n := 0
	err = s.writeTx(ctx, func(t *sql.Tx) error {
		n = 0
		for _, j := range js {
			k, err := enqueueJob(ctx, t, s.d, j)
			if err != nil {
				return err
			}
			n += k
		}
		return nil
	})
	return n, mapErr(err)
}

// enqueueJob inserts j unless its key is taken; it returns 1 if it did.
func enqueueJob(ctx context.Context, t *sql.Tx, d dialect, j jobs.New) (int, error) {
	var key any
	if j.Key != "" {
		key = j.Key
	}
	at := micros(j.At)
	res, err := t.ExecContext(ctx, d.rebind(`INSERT INTO jobs (id, kind, status, progress, actor, input, error, created_at, updated_at, next_at, dedup_key)
		VALUES (?, ?, 'queued', 0, ?, ?, '', ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING`),
		j.ID, j.Kind, j.Actor, j.Payload, at, at, at, key)
	if err != nil {
		return 0, err
	}
	k, _ := res.RowsAffected()
	return int(k), nil
}

var _ jobs.Queue = (*Store)(nil)

// JobQueueStat is what the queue holds of one kind of job.
type JobQueueStat struct {
	Kind    string
	Waiting int           // queued or due for a retry
	Running int           // claimed by a runner
	Oldest  time.Duration // age of the oldest job waiting or running (0: none)
}

// JobQueueStats reads the queue's depth and age by kind, for metrics.
func (s *Store) JobQueueStats(ctx context.Context, now time.Time) (_ []JobQueueStat, err error) {
	defer wrapOp(&err, "JobQueueStats")
	rows, err := s.readQuery(ctx, `SELECT kind,
		SUM(CASE WHEN status = 'running' THEN 0 ELSE 1 END),
		SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END),
		MIN(created_at)
		FROM jobs WHERE status IN ('queued', 'retry', 'running') GROUP BY kind ORDER BY kind`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JobQueueStat
	for rows.Next() {
		var st JobQueueStat
		var oldest int64
		if err := rows.Scan(&st.Kind, &st.Waiting, &st.Running, &oldest); err != nil {
			return nil, err
		}
		if age := now.Sub(fromMicros(oldest)); age > 0 {
			st.Oldest = age
		}
		out = append(out, st)
	}
	return out, rows.Err()
}
