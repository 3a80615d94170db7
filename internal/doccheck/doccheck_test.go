// Package doccheck holds repository-wide documentation checks: every exported
// name of every library package has a doc comment, every package has a
// package comment, and every public package has at least one runnable Example.
// pkg.go.dev is zagg's API documentation, so these are tests, not advice.
package doccheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// root returns the module root (two levels up from this package).
func root(t *testing.T) string {
	t.Helper()
	r, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(r, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s", r)
	}
	return r
}

// packages returns the directories of library packages (everything but
// examples/, bench/, testdata, node_modules and internal/ test helpers'
// main packages), relative to the root.
func packages(t *testing.T, r string) []string {
	var dirs []string
	err := filepath.WalkDir(r, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(r, p)
		name := d.Name()
		if rel != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" ||
			rel == "examples" || rel == "bench" || strings.HasPrefix(rel, "examples"+string(filepath.Separator)) ||
			strings.HasPrefix(rel, "bench"+string(filepath.Separator))) {
			return filepath.SkipDir
		}
		matches, _ := filepath.Glob(filepath.Join(p, "*.go"))
		for _, m := range matches {
			if !strings.HasSuffix(m, "_test.go") {
				dirs = append(dirs, rel)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	return dirs
}

func parseDir(t *testing.T, dir string, tests bool) []*ast.File {
	t.Helper()
	fset := token.NewFileSet()
	matches, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	var files []*ast.File
	for _, m := range matches {
		if strings.HasSuffix(m, "_test.go") != tests {
			continue
		}
		f, err := parser.ParseFile(fset, m, nil, parser.ParseComments)
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		if f.Name.Name == "main" {
			return nil
		}
		files = append(files, f)
	}
	return files
}

func TestExportedNamesAreDocumented(t *testing.T) {
	r := root(t)
	for _, rel := range packages(t, r) {
		files := parseDir(t, filepath.Join(r, rel), false)
		if len(files) == 0 {
			continue
		}
		hasPkgDoc := false
		var missing []string
		for _, f := range files {
			if f.Doc != nil {
				hasPkgDoc = true
			}
			missing = append(missing, undocumented(f)...)
		}
		if !hasPkgDoc {
			t.Errorf("%s: no package doc comment", rel)
		}
		for _, m := range missing {
			t.Errorf("%s: %s has no doc comment", rel, m)
		}
	}
}

// undocumented lists the exported top-level names of f (and exported methods
// on exported types) without a doc comment. Names in a documented const/var
// group count as documented, as in go doc.
func undocumented(f *ast.File) []string {
	var out []string
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() || d.Doc != nil {
				continue
			}
			if d.Recv != nil {
				recv := receiverName(d.Recv.List[0].Type)
				if !ast.IsExported(recv) {
					continue
				}
				out = append(out, recv+"."+d.Name.Name)
				continue
			}
			out = append(out, d.Name.Name)
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() && d.Doc == nil && s.Doc == nil {
						out = append(out, s.Name.Name)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() && d.Doc == nil && s.Doc == nil && s.Comment == nil {
							out = append(out, n.Name)
						}
					}
				}
			}
		}
	}
	return out
}

func receiverName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return receiverName(x.X)
	case *ast.IndexExpr:
		return receiverName(x.X)
	case *ast.IndexListExpr:
		return receiverName(x.X)
	case *ast.Ident:
		return x.Name
	}
	return ""
}

func TestPublicPackagesHaveExamples(t *testing.T) {
	r := root(t)
	for _, rel := range packages(t, r) {
		if strings.HasPrefix(rel, "internal") || len(parseDir(t, filepath.Join(r, rel), false)) == 0 {
			continue // internal or a main package
		}
		found := false
		for _, f := range parseDir(t, filepath.Join(r, rel), true) {
			for _, decl := range f.Decls {
				if fd, ok := decl.(*ast.FuncDecl); ok && fd.Recv == nil && strings.HasPrefix(fd.Name.Name, "Example") {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s: no runnable Example function", rel)
		}
	}
}
