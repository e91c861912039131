-- The delivery log keeps no part of a receiver's answer (it may come from
-- a system its readers, admins and auditors, should not see) and no
-- addresses a name resolved to: what earlier versions logged is cut to
-- the status code or a fixed error class, as now logged.
UPDATE alert_attempts SET error = 'HTTP ' || CAST(status_code AS TEXT) WHERE status_code > 0 AND error LIKE 'HTTP %';
UPDATE alert_attempts SET error = 'dingtalk: answer not kept' WHERE error LIKE 'dingtalk%';
UPDATE alert_attempts SET error = 'network error' WHERE status_code = 0 AND error LIKE 'Post %';
UPDATE alert_deliveries SET last_error = 'HTTP ' || CAST(last_status AS TEXT) WHERE last_status > 0 AND last_error LIKE 'HTTP %';
UPDATE alert_deliveries SET last_error = 'dingtalk: answer not kept' WHERE last_error LIKE 'dingtalk%';
UPDATE alert_deliveries SET last_error = 'network error' WHERE last_status = 0 AND last_error LIKE 'Post %';
