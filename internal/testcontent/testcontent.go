// Package testcontent writes small, valid content trees for tests: a two-domain curriculum,
// lessons long enough to pass the checks, and a few questions. Tests then break one thing and
// assert the exact problem reported.
package testcontent

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kcnaprep/kcnaprep/internal/labapp"
)

// Curriculum is a valid two-domain curriculum.
const Curriculum = `version: "test"
source: https://github.com/cncf/curriculum
exam:
  questions: {value: 4, status: reported}
  minutes: {value: 10, status: official}
  pass_score: {value: 750, status: reported}
  max_score: 1000
  notes: Test exam.
domains:
  - id: alpha
    title: Alpha Domain
    weight: 60
    competencies:
      - {id: one, title: Competency One, prefix: al-one}
  - id: beta
    title: Beta Domain
    weight: 40
    competencies:
      - {id: two, title: Competency Two, prefix: be-two}
reference_hosts: [kubernetes.io, cncf.io]
`

// Prose returns n words of filler prose.
func Prose(n int) string {
	words := strings.Fields("pods run containers that share a network namespace and the scheduler places them on nodes while controllers reconcile desired state")
	var b strings.Builder
	for i := range n {
		b.WriteString(words[i%len(words)])
		if i%12 == 11 {
			b.WriteString(".\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// Lesson returns a valid lesson file for the competency.
func Lesson(title, competency string, extra string) string {
	return fmt.Sprintf(`---
title: %s
competencies: [%s]
minutes: 5
objectives:
  - Explain the thing
  - Apply the thing
references:
  - title: Pods
    url: https://kubernetes.io/docs/concepts/workloads/pods/
---
Opening paragraph about %s.

## How it works

%s

%s

`+"```yaml\napiVersion: v1\nkind: Pod\n```"+`

## Exam traps

> [!TRAP]
> Pods are not containers.

## Recap

- One point.
`, title, competency, title, Prose(640), extra)
}

// Questions returns a valid question file with n single-answer questions, numbered from start.
func Questions(domain, competency, prefix string, start, n int, lesson string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "domain: %s\ncompetency: %s\nquestions:\n", domain, competency)
	topics := []string{"scheduler placement", "etcd quorum size", "service selector matching", "container image layers",
		"namespace quota limits", "readiness probe failures", "volume access modes", "rolling update surge"}
	for i := range n {
		fmt.Fprintf(&b, `  - id: %s-%03d
    type: single
    difficulty: %d
    stem: Question number %d asks about %s in depth with unique words %s.
    choices:
      - text: Right answer %d
        correct: true
        why: Because it is right.
      - text: Wrong answer A%d
        why: Because it is wrong.
      - text: Wrong answer B%d
        why: Also wrong.
    explanation: The takeaway.
    references: [https://kubernetes.io/docs/concepts/]
`, prefix, start+i, 1+i%3, start+i, topics[(start+i)%len(topics)], strings.Repeat(fmt.Sprintf("w%dx ", start+i), 3), i, i, i)
		if lesson != "" {
			fmt.Fprintf(&b, "    lesson: %s\n", lesson)
		}
	}
	return b.String()
}

// Write creates a valid content tree in a new temporary directory and returns its path.
// Files in overrides replace (or, with an empty value, remove) files of the tree.
func Write(tb testing.TB, overrides map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, data := range Files(overrides) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// Files is the valid content tree as a map from slash path to contents, with overrides
// applied (an empty value removes a file): for tests that load from memory (fuzzing).
func Files(overrides map[string]string) map[string]string {
	files := map[string]string{
		"content/curriculum.yaml":    Curriculum,
		"content/alpha/01-first.md":  Lesson("First lesson", "one", "See [the second](lesson:alpha/02-second)."),
		"content/alpha/02-second.md": Lesson("Second lesson", "one", ""),
		"content/beta/01-third.md":   Lesson("Third lesson", "two", ""),
		"content/beta/02-fourth.md":  Lesson("Fourth lesson", "two", ""),
		"quizzes/alpha/one.yaml":     Questions("alpha", "one", "al-one", 1, 6, "alpha/01-first"),
		"quizzes/beta/two.yaml":      Questions("beta", "two", "be-two", 101, 4, ""),
	}
	for k, v := range overrides {
		if v == "" {
			delete(files, k)
			continue
		}
		files[k] = v
	}
	return files
}

// LabYAML is a valid lab.yaml for the lab id in domain alpha: one Deployment task with an object
// check, and a set-up file.
func LabYAML(id string) string {
	return fmt.Sprintf(`id: %s
title: Scale the web Deployment
summary: Scale a Deployment to three replicas.
domain: alpha
competencies: [one]
minutes: 10
scope: namespace
intro: |
  Scale **web** and see the [first lesson](lesson:alpha/01-first).
setup: [setup.yaml]
tasks:
  - id: scale
    title: Scale it
    text: |
      Scale the Deployment web to 3 replicas.
    hints:
      - Use kubectl scale.
    checks:
      - id: replicas
        message: The Deployment web asks for 3 replicas.
        object: {apiVersion: apps/v1, kind: Deployment, name: web}
        expect: object.spec.replicas == 3
        observed: object.spec.replicas
`, id)
}

// LabSetup is a valid set-up manifest using the labapp image.
const LabSetup = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: ` + labapp.Image + `
          imagePullPolicy: IfNotPresent
`

// LabFiles returns the files of a valid lab bundle, keyed like Write's overrides.
func LabFiles(id string) map[string]string {
	return map[string]string{
		"labs/" + id + "/lab.yaml":    LabYAML(id),
		"labs/" + id + "/setup.yaml":  LabSetup,
		"labs/" + id + "/solution.sh": "#!/usr/bin/env bash\nset -euo pipefail\nkubectl scale deployment web --replicas=3\n",
	}
}

// LabFilesWithoutSetup is LabFiles without the set-up manifest, for lab backends that have no
// cluster to apply it to (tests' fakes).
func LabFilesWithoutSetup(id string) map[string]string {
	files := LabFiles(id)
	files["labs/"+id+"/lab.yaml"] = strings.Replace(LabYAML(id), "setup: [setup.yaml]\n", "", 1)
	delete(files, "labs/"+id+"/setup.yaml")
	return files
}
