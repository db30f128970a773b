package bundle

import (
	"bytes"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

var failsLine = regexp.MustCompile(`(?m)^#\s*fails:\s*(.+)$`)

func (l *loader) loadScripts(b *Bundle) {
	sol, err := fs.ReadFile(l.fsys, path.Join(l.dir, "solution.sh"))
	if err != nil {
		l.addFile("labs/"+l.dir+"/solution.sh", 0, "a lab needs solution.sh: the kubectl commands that solve it")
	} else if !bytes.HasPrefix(sol, []byte("#!")) {
		l.addFile("labs/"+l.dir+"/solution.sh", 1, "solution.sh must start with a #! line")
	}
	b.Solution = sol
	l.eachScript("alternatives", func(file, name string, data []byte) {
		if !bytes.HasPrefix(data, []byte("#!")) {
			l.addFile(file, 1, "an alternative solution must start with a #! line")
			return
		}
		b.Alternatives = append(b.Alternatives, Alternative{Name: name, Script: data})
	})
	l.eachScript("nearmiss", func(file, name string, data []byte) {
		nm := NearMiss{Name: name, Script: data}
		g := failsLine.FindSubmatchIndex(data)
		if g == nil {
			l.addFile(file, 1, "a near miss needs a line \"# fails: TASK/CHECK ...\" naming the checks it must fail")
			return
		}
		line := bytes.Count(data[:g[0]], []byte("\n")) + 1
		for _, ref := range strings.Fields(strings.ReplaceAll(string(data[g[2]:g[3]]), ",", " ")) {
			if b.Check(ref) == nil {
				l.addFile(file, line, "fails: %s is not a check of this lab (write TASK/CHECK)", ref)
			}
			nm.Fails = append(nm.Fails, ref)
		}
		b.NearMisses = append(b.NearMisses, nm)
	})
}

// eachScript calls fn for every script in the bundle's optional directory dir (nearmiss,
// alternatives) with its file name for messages, its name without ".sh" and its contents.
// Anything else in dir is reported.
func (l *loader) eachScript(dir string, fn func(file, name string, data []byte)) {
	entries, err := fs.ReadDir(l.fsys, path.Join(l.dir, dir))
	if err != nil {
		return // the directory is optional
	}
	for _, e := range entries {
		file := "labs/" + l.dir + "/" + dir + "/" + e.Name()
		if e.IsDir() || path.Ext(e.Name()) != ".sh" {
			l.addFile(file, 0, "%s/ holds only .sh scripts", dir)
			continue
		}
		data, err := fs.ReadFile(l.fsys, path.Join(l.dir, dir, e.Name()))
		if err != nil {
			l.addFile(file, 0, "%v", err)
			continue
		}
		fn(file, strings.TrimSuffix(e.Name(), ".sh"), data)
	}
}
