package doccheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"regexp"
	"sort"
	"strings"
)

// SharedPhrases lists the comments of the package in dir (test files left
// out) that share a run of n consecutive words with a comment of the
// package in otherDir, each as "file:line: the shared words", sorted. It
// finds doc comments taken over from upstream instead of written anew.
// Build directives (//go:build) are not comments here.
func SharedPhrases(dir, otherDir string, n int) ([]string, error) {
	theirs, err := commentWords(otherDir)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, c := range theirs {
		for i := 0; i+n <= len(c.words); i++ {
			known[strings.Join(c.words[i:i+n], " ")] = true
		}
	}
	ours, err := commentWords(dir)
	if err != nil {
		return nil, err
	}
	var shared []string
	for _, c := range ours {
		for i := 0; i+n <= len(c.words); i++ {
			if run := strings.Join(c.words[i:i+n], " "); known[run] {
				shared = append(shared, fmt.Sprintf("%s: %s", c.pos, run))
				break
			}
		}
	}
	sort.Strings(shared)
	return shared, nil
}

// comment is one comment group's words, lower-cased, and where it starts.
type comment struct {
	pos   string
	words []string
}

var wordRE = regexp.MustCompile(`[A-Za-z0-9_']+`)

// commentWords reads every comment group of the package in dir.
func commentWords(dir string) ([]comment, error) {
	fset := token.NewFileSet()
	notTest := func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }
	pkgs, err := parser.ParseDir(fset, dir, notTest, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var out []comment
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, g := range f.Comments {
				out = append(out, comment{fset.Position(g.Pos()).String(), groupWords(g)})
			}
		}
	}
	return out, nil
}

// groupWords are a comment group's words, directives left out.
func groupWords(g *ast.CommentGroup) []string {
	var words []string
	for _, c := range g.List {
		if strings.HasPrefix(c.Text, "//go:") || strings.HasPrefix(c.Text, "//export ") {
			continue
		}
		words = append(words, wordRE.FindAllString(strings.ToLower(c.Text), -1)...)
	}
	return words
}
