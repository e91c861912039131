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

// Job returns one job.
func (t *tx) Job(id string) (_ stock.Job, err error) {
	defer wrapOp(&err, "Job")
	j, err := scanJob(t.queryRow(`SELECT `+jobCols+` FROM jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, notFound("job", id)
	}
	return j, err
}

// UpdateJob saves a job's state.
func (t *tx) UpdateJob(j stock.Job) (err error) {
	defer wrapOp(&err, "UpdateJob")
	_, err = t.exec(`UPDATE jobs SET status = ?, progress = ?, input = ?, result = ?, error = ?, updated_at = ? WHERE id = ?`,
		j.Status, j.Progress, j.Input, j.Result, j.Error, micros(j.Updated), j.ID)
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
