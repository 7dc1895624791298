package docs_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds of a session. A console command is re-run until its output
// matches for up to retryFor, as a reader retries while a server starts
// or a policy reloads; one run of a command or sh block may take up to
// stepTimeout.
const (
	retryFor    = 30 * time.Second
	retryEvery  = 200 * time.Millisecond
	stepTimeout = 2 * time.Minute
)

// TestDocBlocks checks, without running anything, that every fenced block
// of every document is one the sessions exercise: a go block quotes a Go
// file that go test compiles, and a file block is used by a later command.
func TestDocBlocks(t *testing.T) {
	docs, err := documents("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range docs {
		data, err := readDoc(doc)
		if err != nil {
			t.Fatal(err)
		}
		blocks, err := parseBlocks(doc, data)
		if err != nil {
			t.Error(err)
			continue
		}
		for i, b := range blocks {
			switch b.kind {
			case kindGo:
				if err := checkExcerpt(b); err != nil {
					t.Error(err)
				}
			case kindFile:
				if _, err := os.Lstat(filepath.Join("..", b.path)); err == nil {
					t.Errorf("%s: file block %s would replace the repository's own %s in the session", b, b.path, b.path)
				}
				if !usedLater(b.path, blocks[i+1:]) {
					t.Errorf("%s: file %s is written but no later command of the document uses it", b, b.path)
				}
			case kindConsole:
				if _, err := parseConsole(b); err != nil {
					t.Error(err)
				}
			}
		}
	}
}

// checkExcerpt reports whether a go block appears verbatim in the Go file
// it names, in a directory whose tests go test runs.
func checkExcerpt(b block) error {
	if !strings.HasSuffix(b.path, ".go") || filepath.IsAbs(b.path) || strings.Contains(b.path, "..") {
		return fmt.Errorf("%s: %q is not a Go file of the repository", b, b.path)
	}
	src, err := os.ReadFile(filepath.Join("..", b.path))
	if err != nil {
		return fmt.Errorf("%s: %w", b, err)
	}
	if !bytes.Contains(src, []byte(b.text)) {
		return fmt.Errorf("%s: the block is not a verbatim excerpt of %s", b, b.path)
	}
	tests, err := filepath.Glob(filepath.Join("..", filepath.Dir(b.path), "*_test.go"))
	if err != nil || len(tests) == 0 {
		return fmt.Errorf("%s: %s has no tests beside it, so nothing runs the code the block shows", b, b.path)
	}
	return nil
}

// usedLater reports whether a later sh or console block names the file,
// as a word of its own (acl.csv is not named by myacl.csv).
func usedLater(name string, later []block) bool {
	word := regexp.MustCompile(`(^|[^A-Za-z0-9_.-])` + regexp.QuoteMeta(name) + `($|[^A-Za-z0-9_.-])`)
	for _, b := range later {
		if (b.kind == kindSh || b.kind == kindConsole) && word.MatchString(b.text) {
			return true
		}
	}
	return false
}

// TestDocSessions runs every document as a reader would: its sh blocks,
// console transcripts and file blocks in order, in one shell, against the
// gatehouse binary built from this checkout.
func TestDocSessions(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("the documentation sessions need bash")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("the documentation sessions need curl (apt-get install curl)")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := documents(root)
	if err != nil {
		t.Fatal(err)
	}
	files, err := repoFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "gatehouse"), "./cmd/gatehouse")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/gatehouse: %v\n%s", err, out)
	}
	goenv, err := goEnv()
	if err != nil {
		t.Fatal(err)
	}
	ports := newPorts()
	for _, doc := range docs {
		t.Run(doc, func(t *testing.T) {
			t.Parallel()
			data, err := readDoc(doc)
			if err != nil {
				t.Fatal(err)
			}
			blocks, err := parseBlocks(doc, data)
			if err != nil {
				t.Fatal(err)
			}
			reps, err := sessionReplacements(doc, data)
			if err != nil {
				t.Fatal(err)
			}
			s := newSession(t, sessionFiles{root, files}, bin, goenv, ports)
			s.reps = reps
			if doc == "README.md" {
				if len(blocks) == 0 {
					t.Fatal("README.md has no code block; its first block must be the two commands")
				}
				if err := s.twoCommands(blocks[0]); err != nil {
					t.Fatal(err)
				}
				blocks = blocks[1:]
			}
			for _, b := range blocks {
				if err := s.run(b); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// session is one document's shell: a bash process reading steps on its
// stdin and reporting each step's exit status on file descriptor 3.
type session struct {
	t       *testing.T
	dir     string            // the working directory
	scratch string            // the runner's own files, outside dir
	env     []string          // the environment of the shell
	ports   map[string]string // "0" to "9": the ports standing for :8080 to :8089
	reps    []replacement     // the document's session-replace comments
	retry   time.Duration     // how long a console command is retried
	end     time.Time         // when every step must be over: before the test's deadline
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	status  chan string
	steps   int
}

// sessionFiles are the repository files a session's working directory
// gets a copy of.
type sessionFiles struct {
	root  string   // the repository's root
	names []string // its files, relative to root
}

// newSession starts a shell in a fresh working directory holding a copy of
// the repository's files: a document may write anywhere in it (append a
// row to policies/policy.csv, say) without touching the checkout, which
// parallel sessions share.
func newSession(t *testing.T, files sessionFiles, bin string, goenv map[string]string, ports *portAllocator) *session {
	base := t.TempDir()
	s := &session{t: t, dir: filepath.Join(base, "work"), scratch: filepath.Join(base, "runner"), ports: map[string]string{}, retry: retryFor,
		end: time.Now().Add(24 * time.Hour)}
	if d, ok := t.Deadline(); ok {
		// Fail, and kill the session's processes, before go test's own
		// timeout panics: cleanups do not run after that.
		s.end = d.Add(-30 * time.Second)
	}
	for _, d := range []string{s.dir, s.scratch, filepath.Join(base, "home"), filepath.Join(base, "gopath"), filepath.Join(base, "tmp")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range files.names {
		if err := copyFile(filepath.Join(files.root, name), filepath.Join(s.dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for d := 0; d <= 9; d++ {
		s.ports[strconv.Itoa(d)] = ports.take(t)
	}
	s.env = []string{
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + filepath.Join(base, "home"),
		"GOPATH=" + filepath.Join(base, "gopath"),
		"TMPDIR=" + filepath.Join(base, "tmp"),
		"LANG=C.UTF-8",
		"TERM=dumb",
		"GATEHOUSE_LISTEN=127.0.0.1:" + s.ports["0"],
	}
	for k, v := range goenv {
		s.env = append(s.env, k+"="+v)
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd = exec.Command("bash", "--noprofile", "--norc")
	s.cmd.Dir = s.dir
	s.cmd.Env = s.env
	s.cmd.ExtraFiles = []*os.File{w}
	s.cmd.SysProcAttr = sessionProcAttr()
	logf, err := os.Create(filepath.Join(s.scratch, "shell.log"))
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	s.status = make(chan string, 16) // never blocks the reader for long
	go func() {
		defer close(s.status)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			s.status <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		s.stdin.Close()
		// Background servers included: the whole process group goes.
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		s.cmd.Wait()
		r.Close()
		logf.Close()
	})
	return s
}

// step sends one line to the shell and returns the exit status it
// reports, or ok false when the shell exited or the step timed out.
func (s *session) step(line string) (status int, ok bool) {
	s.steps++
	id := strconv.Itoa(s.steps)
	if _, err := io.WriteString(s.stdin, line+`; echo "`+id+` $?" >&3`+"\n"); err != nil {
		return 0, false
	}
	timeout := time.NewTimer(min(stepTimeout, time.Until(s.end)))
	defer timeout.Stop()
	for {
		select {
		case l, open := <-s.status:
			if !open {
				return 0, false
			}
			got, code, _ := strings.Cut(l, " ")
			if got != id {
				continue
			}
			n, err := strconv.Atoi(code)
			return n, err == nil
		case <-timeout.C:
			return 0, false
		}
	}
}

// run executes one block of the document.
func (s *session) run(b block) error {
	switch b.kind {
	case kindFile:
		if err := os.WriteFile(filepath.Join(s.dir, b.path), []byte(s.expand(b.text)), 0o644); err != nil {
			return fmt.Errorf("%s: %w", b, err)
		}
	case kindSh:
		script, err := s.file("block", s.expand(b.text))
		if err != nil {
			return err
		}
		log := filepath.Join(s.scratch, "sh.log")
		os.Truncate(log, 0)
		status, ok := s.step("set -euo pipefail; source " + shellQuote(script) + " >>" + shellQuote(log) + " 2>&1 </dev/null 3>&-; set +euo pipefail")
		if !ok || status != 0 {
			out, _ := os.ReadFile(log)
			return fmt.Errorf("%s: the sh block failed (a command exited non-zero, or it ran over %v); its output:\n%s", b, stepTimeout, out)
		}
	case kindConsole:
		cmds, err := parseConsole(b)
		if err != nil {
			return err
		}
		for _, c := range cmds {
			if err := s.console(c); err != nil {
				return err
			}
		}
	case kindGo:
		// Checked by TestDocBlocks; go test runs the file it quotes.
	}
	return nil
}

// console runs a console command until it prints what the document says
// and exits with the status it says, or retryFor has passed.
func (s *session) console(c command) error {
	script, err := s.file("cmd", s.expand(c.text))
	if err != nil {
		return err
	}
	// Only the ports change in the expected output: a session-replace
	// there could turn text into a wildcard.
	want := make([]string, len(c.want))
	for i, w := range c.want {
		want[i] = withPorts(w, s.ports)
	}
	pattern := outputPattern(want)
	outFile := filepath.Join(s.scratch, "out")
	deadline := time.Now().Add(s.retry)
	for attempt := 1; ; attempt++ {
		status, ok := s.step("source " + shellQuote(script) + " >" + shellQuote(outFile) + " 2>&1 </dev/null 3>&-")
		out, _ := os.ReadFile(outFile)
		got := normalizeOutput(string(out))
		if !ok {
			return fmt.Errorf("%s:%d: $ %s\nthe shell exited or the command ran over %v; output so far:\n%s", c.block.doc, c.line, c.text, stepTimeout, got)
		}
		if status == c.status && pattern.MatchString(got) {
			if attempt > 1 {
				s.t.Logf("%s:%d: $ %s: matched at attempt %d", c.block.doc, c.line, c.text, attempt)
			}
			return nil
		}
		if time.Now().After(deadline) || time.Now().After(s.end) {
			return fmt.Errorf("%s:%d: $ %s\ngot exit status %d and output:\n%s\nwant exit status %d and output:\n%s", c.block.doc, c.line, c.text, status, got, c.status, strings.Join(want, "\n"))
		}
		time.Sleep(retryEvery)
	}
}

// expand returns a command or a file block as this session runs it: with
// the document's replacements made and its own ports.
func (s *session) expand(text string) string {
	for _, r := range s.reps {
		text = strings.ReplaceAll(text, r.old, r.new)
	}
	return withPorts(text, s.ports)
}

// file writes a step's script to the runner's directory.
func (s *session) file(kind, text string) (string, error) {
	name := filepath.Join(s.scratch, fmt.Sprintf("%s%d.sh", kind, s.steps+1))
	return name, os.WriteFile(name, []byte(text), 0o644)
}

// twoCommands checks the README's first block: exactly the command that
// runs the server on its embedded defaults, which must then answer
// /healthz, and the command that runs the whole test suite, which .ci/run
// must run as it is written.
func (s *session) twoCommands(b block) error {
	var lines []string
	for _, l := range strings.Split(b.text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if b.kind != kindSh || len(lines) != 2 {
		return fmt.Errorf("%s: the README's first block must be an sh block of two commands (run the server, run the tests), got %d lines", b, len(lines))
	}
	run, test := lines[0], lines[1]

	ci, err := os.ReadFile(filepath.Join("..", ".ci", "run"))
	if err != nil {
		return err
	}
	found := false
	for _, l := range strings.Split(string(ci), "\n") {
		found = found || strings.TrimSpace(l) == test
	}
	if !found {
		return fmt.Errorf("%s: .ci/run does not run the README's test command %q as a line of its own", b, test)
	}

	server := exec.Command("bash", "-c", s.expand(run))
	server.Dir, server.Env = s.dir, s.env
	server.SysProcAttr = sessionProcAttr()
	out := &syncBuffer{}
	server.Stdout, server.Stderr = out, out
	if err := server.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { server.Wait(); close(exited) }()
	defer func() {
		syscall.Kill(-server.Process.Pid, syscall.SIGKILL)
		<-exited
	}()
	client := &http.Client{Timeout: 2 * time.Second}
	url := "http://127.0.0.1:" + s.ports["0"] + "/healthz"
	deadline := time.Now().Add(min(stepTimeout, time.Until(s.end)))
	for {
		select {
		case <-exited:
			return fmt.Errorf("%s: %q exited before it answered %s:\n%s", b, run, url, out)
		default:
		}
		if resp, err := client.Get(url); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "ok" {
				return fmt.Errorf("%s: %q answers %s with %d %q, want 200 ok", b, run, url, resp.StatusCode, body)
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %q did not answer %s within %v:\n%s", b, run, url, stepTimeout, out)
		}
		time.Sleep(retryEvery)
	}
}

// syncBuffer is a bytes.Buffer that a process's output can be copied into
// while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// portAllocator hands out the ports that stand for a document's :8080 to
// :8089, each once per test run, from below Linux's ephemeral range, where
// the other packages' clients and :0 listeners do not take them.
type portAllocator struct {
	mu   sync.Mutex
	next int
}

const portsFrom, portsTo = 20000, 32000

func newPorts() *portAllocator {
	return &portAllocator{next: portsFrom + rand.IntN((portsTo-portsFrom)/2)}
}

// take returns a port that no other session has and that was free a
// moment ago.
func (a *portAllocator) take(t *testing.T) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	for ; a.next < portsTo; a.next++ {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(a.next))
		if err != nil {
			continue
		}
		l.Close()
		a.next++
		return strconv.Itoa(a.next - 1)
	}
	t.Fatal("no free port left for the documentation sessions")
	return ""
}

// shellQuote quotes s for bash, as one word, with nothing expanded.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// copyFile copies a regular file, with its permission bits, creating the
// directories it needs.
func copyFile(from, to string) error {
	info, err := os.Stat(from)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, data, info.Mode().Perm())
}

// repoFiles lists the repository's files, relative to root: those git
// tracks and those it would (untracked, not ignored), or, outside a git
// checkout, every file but those under .git and node_modules.
func repoFiles(root string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		var names []string
		for _, n := range strings.Split(string(out), "\x00") {
			if n == "" {
				continue
			}
			if info, err := os.Lstat(filepath.Join(root, n)); err == nil && info.Mode().IsRegular() {
				names = append(names, filepath.FromSlash(n))
			}
		}
		return names, nil
	}
	var names []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			names = append(names, rel)
		}
		return nil
	})
	return names, err
}

// goEnv returns the go command's settings a session must keep although
// its HOME and GOPATH are its own: the caches, the module proxy and the
// toolchain.
func goEnv() (map[string]string, error) {
	// Not GOFLAGS: a developer's -run or -count would change what the
	// documents' go test commands print.
	keys := []string{"GOCACHE", "GOMODCACHE", "GOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE", "GONOPROXY", "GOTOOLCHAIN"}
	out, err := exec.Command("go", append([]string{"env", "-json"}, keys...)...).Output()
	if err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	env := map[string]string{}
	if err := json.Unmarshal(out, &env); err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	for k, v := range env {
		if v == "" {
			delete(env, k)
		}
	}
	return env, nil
}
