package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	mobileapi "pandian/mobile-api"
	"pandian/stock"
)

// levelsAt sums the book of every SKU under location.
func (s *testServer) levelsAt(location string) map[string]int64 {
	s.t.Helper()
	var res struct{ Levels []stock.StockLevel }
	s.mustJSON("GET", "/v1/stock?location="+url.QueryEscape(location), "ADMIN", nil, 200, &res)
	m := map[string]int64{}
	for _, l := range res.Levels {
		m[l.SKU] += l.Qty
	}
	return m
}

// TestReadmeWalkthrough runs the README's "A count from open to posted"
// as written: its curl requests in order, with its employees and PINs, on a
// demo server. It must reach posted as the store manager it names, and
// move the book of the scanned line only.
func TestReadmeWalkthrough(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "A count from open to posted:")
	if !ok {
		t.Fatal("README has no walk-through")
	}
	_, block, _ := strings.Cut(after, "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	block = strings.ReplaceAll(block, "\\\n", " ")
	databases(t, func(t *testing.T, db string) {
		// As make run serves it: with the demo's count history.
		s := serveTestApp(t, testConfig(t, db), true, func(a *app, _ *mobileapi.Options) {
			if err := seedDemoHistory(context.Background(), a.svc, time.Now()); err != nil {
				t.Fatalf("demo history: %v", err)
			}
		})
		s.client = &http.Client{Timeout: 2 * time.Minute}
		vars := map[string]string{"api": s.URL}
		tokRe := regexp.MustCompile(`(\w+)=\$\(tok (\w+) (\w+)\)`)
		answerRe := regexp.MustCompile(`^(\w+)=\.\.\.\s+# the "(\w+)" it answered`)
		var last []byte
		var comments []string
		var levelsBefore map[string]int64
		var requests, approvals int
		for _, line := range strings.Split(block, "\n") {
			line = strings.TrimSpace(line)
			switch {
			case line == "" || strings.HasPrefix(line, "tok()") || strings.HasPrefix(line, "-d ") || strings.HasPrefix(line, "api="):
			case strings.HasPrefix(line, "#"):
				comments = append(comments, line)
				continue
			case tokRe.MatchString(line):
				for _, m := range tokRe.FindAllStringSubmatch(line, -1) {
					var res struct{ Token string }
					s.mustJSON("POST", "/v1/auth/token", "", map[string]string{"employee_code": m[2], "pin": m[3], "device_id": "TC52-0042"}, 200, &res)
					vars[m[1]] = res.Token
				}
			case answerRe.MatchString(line):
				m := answerRe.FindStringSubmatch(line)
				var v map[string]any
				if err := json.Unmarshal(last, &v); err != nil {
					t.Fatalf("%s: the answer before is not JSON: %s", line, last)
				}
				val, ok := v[m[2]].(string)
				if !ok || val == "" {
					t.Fatalf("%s: no %q in %s", line, m[2], last)
				}
				vars[m[1]] = val
			case strings.HasPrefix(line, "curl "):
				words := shellWords(t, line, vars)
				method, target, body := "GET", "", []byte(nil)
				hdr := http.Header{}
				for i := 1; i < len(words); i++ {
					switch words[i] {
					case "-s":
					case "-X":
						i++
						method = words[i]
					case "-H":
						i++
						k, v, _ := strings.Cut(words[i], ":")
						hdr.Set(strings.TrimSpace(k), strings.TrimSpace(v))
					case "-d":
						i++
						body, method = []byte(words[i]), "POST"
					default:
						target = words[i]
					}
				}
				want409 := strings.Contains(strings.Join(comments, " "), "(409)")
				isApprove := strings.Contains(target, "/approve") && !strings.Contains(target, "dry_run")
				if isApprove && !want409 {
					levelsBefore = s.levelsAt("HK-TST")
				}
				req, err := http.NewRequest(method, target, bytes.NewReader(body))
				if err != nil {
					t.Fatalf("%s: %v", line, err)
				}
				req.Header = hdr
				resp, err := s.client.Do(req)
				if err != nil {
					t.Fatalf("%s: %v", line, err)
				}
				last, _ = io.ReadAll(resp.Body)
				resp.Body.Close()
				for _, check := range responseCheckers {
					check(t, method, strings.TrimPrefix(target, s.URL), req.Header, body, resp, last)
				}
				requests++
				switch {
				case want409 && resp.StatusCode != 409:
					t.Fatalf("%s\nanswered %d, the README says 409: %s", line, resp.StatusCode, truncate(last))
				case !want409 && resp.StatusCode/100 != 2:
					t.Fatalf("%s\nanswered %d: %s", line, resp.StatusCode, truncate(last))
				}
				if isApprove && !want409 {
					approvals++
				}
			default:
				t.Fatalf("README walk-through line not understood by this test: %q", line)
			}
			comments = nil
		}
		if requests < 8 || approvals != 1 {
			t.Fatalf("%d requests, %d approvals", requests, approvals)
		}
		var res approved
		if err := json.Unmarshal(last, &res); err != nil || res.Status != stock.StatusPosted || res.ApprovedBy != "E007" {
			t.Fatalf("the walk-through ends with %s", truncate(last))
		}
		after := s.levelsAt("HK-TST")
		for sku, q := range after {
			if q != levelsBefore[sku] && sku != "SKU-000001" {
				t.Fatalf("the approval moved %s (%d -> %d), a line nobody counted", sku, levelsBefore[sku], q)
			}
		}
		if after["SKU-000001"] != 3 {
			t.Fatalf("the scanned line's book is %d, want the 3 counted", after["SKU-000001"])
		}
	})
}

// shellWords splits a shell command line the way sh would for the README's
// curl lines: single quotes literal, double quotes and bare words expand
// $VAR, a redirection ends the command.
func shellWords(t *testing.T, line string, vars map[string]string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord, quote := false, byte(0)
	expand := func(i int) int {
		j := i + 1
		for j < len(line) && (line[j] == '_' || line[j] >= 'A' && line[j] <= 'Z' || line[j] >= 'a' && line[j] <= 'z' || line[j] >= '0' && line[j] <= '9') {
			j++
		}
		v, ok := vars[line[i+1:j]]
		if !ok {
			t.Fatalf("%s: $%s is not set", line, line[i+1:j])
		}
		cur.WriteString(v)
		return j
	}
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
			i++
		case quote == '"':
			switch c {
			case '"':
				quote = 0
				i++
			case '$':
				i = expand(i)
			case '\\':
				cur.WriteByte(line[i+1])
				i += 2
			default:
				cur.WriteByte(c)
				i++
			}
		case c == '\'' || c == '"':
			quote, inWord = c, true
			i++
		case c == '$':
			inWord = true
			i = expand(i)
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
			i++
		case c == '>':
			i = len(line)
		default:
			inWord = true
			cur.WriteByte(c)
			i++
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}
