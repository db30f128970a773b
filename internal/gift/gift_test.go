package gift

import (
	"strings"
	"testing"
)

const moodleSample = `// A bank as an instructor might keep it in Moodle.
$CATEGORY: $course$/kcnaprep/container-orchestration/networking

::Selector::[markdown]A Service has no endpoints. Why? {
	=The selector does not match the Pods' labels#Endpoints come from the selector.
	~kube-proxy is down#It programs rules; it does not pick endpoints.
	~The Pods have no limits
	####Check labels first.
}

::Pick two:: Which are Service types? {
	~%50%ClusterIP#yes
	~%50%NodePort
	~%-100%ReplicaSet
}

::TF:: Pods are the smallest deployable unit. {T}

::Short:: Name the node agent. {=kubelet =the kubelet}

::Match:: Match them. {
	=kubelet -> node agent
	=etcd -> store
}

::Num:: How many etcd members tolerate one failure? {#3}

::Gap:: The scheduler {=assigns ~deletes} Pods to nodes.

::Essay:: Explain the control loop. {}

A description with no answers.

::Broken:: This never closes {
	=a
	~b
`

func TestParseKindsAndLines(t *testing.T) {
	qs, ps := Parse(strings.NewReader(moodleSample))
	want := []struct {
		title string
		kind  Kind
		line  int
	}{
		{"Selector", SingleChoice, 4}, {"Pick two", MultipleChoice, 11}, {"TF", TrueFalse, 17},
		{"Short", ShortAnswer, 19}, {"Match", Matching, 21}, {"Num", Numerical, 26},
		{"Gap", MissingWord, 28}, {"Essay", Essay, 30}, {"", Description, 32},
	}
	if len(qs) != len(want) {
		t.Fatalf("parsed %d questions, want %d: %+v", len(qs), len(want), qs)
	}
	for i, w := range want {
		if qs[i].Title != w.title || qs[i].Kind != w.kind || qs[i].Line != w.line {
			t.Errorf("question %d = %q %s line %d; want %q %s line %d", i, qs[i].Title, qs[i].Kind, qs[i].Line, w.title, w.kind, w.line)
		}
	}
	if len(ps) != 1 || ps[0].Line != 34 || !strings.Contains(ps[0].Msg, `"Broken"`) || !strings.Contains(ps[0].Msg, "no closing }") {
		t.Errorf("problems = %v", ps)
	}
	sel := qs[0]
	if sel.Category != "$course$/kcnaprep/container-orchestration/networking" || sel.Format != "markdown" ||
		sel.Text != "A Service has no endpoints. Why?" || sel.GeneralFeedback != "Check labels first." {
		t.Errorf("first question = %+v", sel)
	}
	if a := sel.Answers; len(a) != 3 || !a[0].Correct || a[1].Correct || a[0].Feedback != "Endpoints come from the selector." || a[0].Text != "The selector does not match the Pods' labels" || a[2].Feedback != "" {
		t.Errorf("answers = %+v", sel.Answers)
	}
	if a := qs[1].Answers; !a[0].Correct || !a[1].Correct || a[2].Correct || a[2].Weight != -100 {
		t.Errorf("weighted answers = %+v", a)
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	for _, s := range []string{
		"plain", "a: b", "x = {y} ~ #z", `back\slash \n literal`, "two\nlines\n\nand a blank one",
		"```yaml\nspec:\n  selector: {app: web}\n```", "::not a title::", "####", "100%",
	} {
		if got := unescape(Escape(s)); got != s {
			t.Errorf("round trip of %q gave %q", s, got)
		}
		if strings.Contains(Escape(s), "\n") {
			t.Errorf("escaped %q still has a newline", s)
		}
	}
}

func TestWriteThenParse(t *testing.T) {
	in := []Question{
		{Category: "c/1", Title: "q:1", Format: "markdown", Kind: SingleChoice, Text: "Pick {one}:\n\n```\na=b # c\n```",
			Answers:         []Answer{{Text: "right ~ x", Correct: true, Weight: 100, Feedback: "because #1"}, {Text: "wrong", Feedback: "no"}},
			GeneralFeedback: "take: away", Meta: `{"difficulty":3}`},
		{Category: "c/2", Title: "q2", Kind: MultipleChoice, Text: "Two",
			Answers: []Answer{{Text: "a", Correct: true, Weight: CorrectWeight(3)}, {Text: "b", Correct: true, Weight: CorrectWeight(3)},
				{Text: "c", Correct: true, Weight: CorrectWeight(3)}, {Text: "d", Weight: -100}}},
	}
	var b strings.Builder
	if err := Write(&b, in); err != nil {
		t.Fatal(err)
	}
	out, ps := Parse(strings.NewReader(b.String()))
	if len(ps) > 0 || len(out) != 2 {
		t.Fatalf("parse: %v\n%s", ps, b.String())
	}
	for i := range in {
		a, w := out[i], in[i]
		a.Line = 0
		if a.Title != w.Title || a.Text != w.Text || a.Kind != w.Kind || a.Category != w.Category || a.GeneralFeedback != w.GeneralFeedback || a.Meta != w.Meta || len(a.Answers) != len(w.Answers) {
			t.Errorf("question %d:\n got %+v\nwant %+v\n%s", i, a, w, b.String())
			continue
		}
		for j := range w.Answers {
			if a.Answers[j].Text != w.Answers[j].Text || a.Answers[j].Correct != w.Answers[j].Correct || a.Answers[j].Feedback != w.Answers[j].Feedback {
				t.Errorf("question %d answer %d: got %+v want %+v", i, j, a.Answers[j], w.Answers[j])
			}
		}
	}
	if CorrectWeight(3) != 33.33333 {
		t.Errorf("CorrectWeight(3) = %v", CorrectWeight(3))
	}
}

func FuzzParse(f *testing.F) {
	f.Add(moodleSample)
	f.Add("::a::b{=c~d}")
	f.Add("{\\")
	f.Fuzz(func(t *testing.T, s string) {
		qs, _ := Parse(strings.NewReader(s))
		for _, q := range qs {
			_ = q.Kind
		}
	})
}
