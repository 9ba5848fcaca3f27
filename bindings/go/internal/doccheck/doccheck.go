// Package doccheck finds the exported identifiers of a package that have no
// doc comment, so that a test can require every one to be documented.
package doccheck

import (
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"sort"
	"strings"
)

// Undocumented lists the exported identifiers of the Go package in dir
// (test files left out) that have no doc comment, each as "Name",
// "Type.Method" or "package", sorted. A constant or variable counts as
// documented by its own comment or by the comment of its group.
func Undocumented(dir string) ([]string, error) {
	fset := token.NewFileSet()
	notTest := func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }
	pkgs, err := parser.ParseDir(fset, dir, notTest, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	if len(pkgs) != 1 {
		return nil, fmt.Errorf("%s: want one package, found %d", dir, len(pkgs))
	}
	var missing []string
	for _, p := range pkgs {
		missing = undocumentedIn(doc.New(p, dir, 0))
	}
	sort.Strings(missing)
	return missing, nil
}

// undocumentedIn walks what go doc shows of one package.
func undocumentedIn(p *doc.Package) []string {
	var missing []string
	if strings.TrimSpace(p.Doc) == "" {
		missing = append(missing, "package")
	}
	missing = append(missing, undocumentedValues(p.Consts)...)
	missing = append(missing, undocumentedValues(p.Vars)...)
	missing = append(missing, undocumentedFuncs("", p.Funcs)...)
	for _, t := range p.Types {
		if strings.TrimSpace(t.Doc) == "" {
			missing = append(missing, t.Name)
		}
		missing = append(missing, undocumentedValues(t.Consts)...)
		missing = append(missing, undocumentedValues(t.Vars)...)
		missing = append(missing, undocumentedFuncs("", t.Funcs)...)
		missing = append(missing, undocumentedFuncs(t.Name+".", t.Methods)...)
	}
	return missing
}

// undocumentedValues are the exported names of const or var groups that
// have neither a group comment nor a comment of their own.
func undocumentedValues(values []*doc.Value) []string {
	var missing []string
	for _, v := range values {
		if strings.TrimSpace(v.Doc) != "" {
			continue
		}
		for _, spec := range v.Decl.Specs {
			vs := spec.(*ast.ValueSpec)
			if vs.Doc != nil || vs.Comment != nil {
				continue
			}
			for _, n := range vs.Names {
				if n.IsExported() {
					missing = append(missing, n.Name)
				}
			}
		}
	}
	return missing
}

// undocumentedFuncs are the exported functions or methods without a comment.
func undocumentedFuncs(prefix string, funcs []*doc.Func) []string {
	var missing []string
	for _, f := range funcs {
		if ast.IsExported(f.Name) && strings.TrimSpace(f.Doc) == "" {
			missing = append(missing, prefix+f.Name)
		}
	}
	return missing
}
