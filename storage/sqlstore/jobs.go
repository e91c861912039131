package sqlstore

import (
	"database/sql"
	"errors"
	"time"

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

// CreateJob stores a new job.
func (t *tx) CreateJob(j stock.Job) (err error) {
	defer wrapOp(&err, "CreateJob")
	_, err = t.exec(`INSERT INTO jobs (`+jobCols+`) VALUES (`+placeholders(10)+`)`,
		j.ID, j.Kind, j.Status, j.Progress, j.Actor, j.Input, j.Result, j.Error, micros(j.Created), micros(j.Updated))
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

// UpdateJob saves a job's state. A job's input is written once, when it
// is created, and only ever cleared after (when j.Input is nil): an import
// of tens of MiB is not sent again with every progress update.
func (t *tx) UpdateJob(j stock.Job) (err error) {
	defer wrapOp(&err, "UpdateJob")
	q := `UPDATE jobs SET status = ?, progress = ?, result = ?, error = ?, updated_at = ?`
	if j.Input == nil {
		q += `, input = NULL`
	}
	_, err = t.exec(q+` WHERE id = ?`, j.Status, j.Progress, j.Result, j.Error, micros(j.Updated), j.ID)
	return err
}

// ClaimJob marks the oldest queued job of a kind (or one whose runner went
// quiet before staleBefore, or one to retry whose time has come: the domain
// dates those so that they go stale then) as running and returns it.
func (t *tx) ClaimJob(kindPrefix string, staleBefore time.Time) (_ stock.Job, _ bool, err error) {
	defer wrapOp(&err, "ClaimJob")
	j, err := scanJob(t.queryRow(`SELECT `+jobCols+` FROM jobs
		WHERE substr(kind, 1, ?) = ? AND (status = 'queued' OR (status IN ('running', 'retry') AND updated_at < ?))
		ORDER BY created_at LIMIT 1`+t.d.skipLock, len(kindPrefix), kindPrefix, micros(staleBefore)))
	if errors.Is(err, sql.ErrNoRows) {
		return j, false, nil
	}
	if err != nil {
		return j, false, err
	}
	j.Status, j.Updated = "running", time.Now().UTC()
	return j, true, t.UpdateJob(j)
}
