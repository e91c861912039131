package scan

import (
	"fmt"
	"time"
)

// gs1Year returns the four-digit year for the two-digit yy by the GS1 century
// rule (General Specifications 7.12): the year lies between 49 years before
// and 50 years after thisYear.
func gs1Year(yy, thisYear int) int {
	y := thisYear - thisYear%100 + yy
	switch {
	case y > thisYear+50:
		y -= 100
	case y < thisYear-49:
		y += 100
	}
	return y
}

// gs1Date reads the first six digits of s as YYMMDD and returns the date as
// "2006-01-02", or a problem such as "month 13 is not a valid month". With
// day00, DD = 00 means the last day of the month. It is the only place the
// package reads dates.
func gs1Date(s string, thisYear int, day00 bool) (string, string) {
	y := gs1Year(num(s[0:2]), thisYear)
	m, d := num(s[2:4]), num(s[4:6])
	if m < 1 || m > 12 {
		return "", fmt.Sprintf("month %s is not a valid month", s[2:4])
	}
	last := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	switch {
	case d == 0 && day00:
		d = last
	case d == 0:
		return "", "day 00 is not allowed here"
	case d > last:
		return "", fmt.Sprintf("day %s is not valid in %s %d", s[4:6], time.Month(m), y)
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), ""
}

// gs1DateTime checks YYMMDDHH[MM[SS]] (AIs 7003, 8008), returning a problem
// or "".
func gs1DateTime(s string, thisYear int) string {
	if len(s) != 8 && len(s) != 10 && len(s) != 12 {
		return fmt.Sprintf("date and time must be YYMMDDHH, YYMMDDHHMM or YYMMDDHHMMSS, got %d digits", len(s))
	}
	if _, problem := gs1Date(s, thisYear, false); problem != "" {
		return problem
	}
	limits := []struct {
		name string
		max  int
	}{{"hour", 23}, {"minute", 59}, {"second", 59}}
	for i := 6; i < len(s); i += 2 {
		l := limits[(i-6)/2]
		if num(s[i:i+2]) > l.max {
			return fmt.Sprintf("%s %s is not a valid %s", l.name, s[i:i+2], l.name)
		}
	}
	return ""
}

// num converts a short all-digit string.
func num(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
