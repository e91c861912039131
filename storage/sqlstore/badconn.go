package sqlstore

import "database/sql/driver"

// driverBadConn is database/sql's marker for a dead connection.
var driverBadConn = driver.ErrBadConn
