package testcontent

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/kcnaprep/kcnaprep/content"
	"github.com/kcnaprep/kcnaprep/labs"
	"go.yaml.in/yaml/v3"
)

// WriteRepoTree writes into dir a content tree with the repository's real curriculum and lab
// bundles, and generated lessons (two per competency) in place of the real ones, which other
// people are writing: lab tests then load the real labs against the real curriculum whatever
// state the lessons are in.
func WriteRepoTree(dir string) error {
	cur, err := fs.ReadFile(content.FS, "curriculum.yaml")
	if err != nil {
		return fmt.Errorf("read curriculum: %w", err)
	}
	var c struct {
		Domains []struct {
			ID           string `yaml:"id"`
			Competencies []struct {
				ID string `yaml:"id"`
			} `yaml:"competencies"`
		} `yaml:"domains"`
	}
	if err := yaml.Unmarshal(cur, &c); err != nil {
		return fmt.Errorf("parse curriculum: %w", err)
	}
	files := map[string][]byte{"content/curriculum.yaml": cur}
	for _, d := range c.Domains {
		n := 1
		for _, comp := range d.Competencies {
			for i := range 2 {
				name := fmt.Sprintf("content/%s/%02d-%s-%d.md", d.ID, n, comp.ID, i+1)
				files[name] = []byte(Lesson(fmt.Sprintf("Generated lesson %d on %s", i+1, comp.ID), comp.ID, ""))
				n++
			}
		}
	}
	err = fs.WalkDir(labs.FS, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || filepath.Ext(p) == ".go" {
			return err
		}
		data, err := fs.ReadFile(labs.FS, p)
		files["labs/"+p] = data
		return err
	})
	if err != nil {
		return fmt.Errorf("copy labs: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "quizzes"), 0o755); err != nil {
		return err
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// RepoTree is WriteRepoTree into a new temporary directory; it returns the directory.
func RepoTree(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := WriteRepoTree(dir); err != nil {
		tb.Fatal(err)
	}
	return dir
}
