package httpserver_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kcnaprep/kcnaprep/content"
	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/testenv"
	"github.com/kcnaprep/kcnaprep/labs"
	"github.com/kcnaprep/kcnaprep/quizzes"
)

// BenchmarkClassViews renders a class of 300 students x 10 assignments (4 mock exams of 60
// questions with every answer, 3 practice sets, 2 reading assignments, 1 lab), generated, in
// the same run as a lesson page: the gradebook, its CSV, the heat map and a student page next
// to the lesson, so their costs compare on the same machine under the same load.
func BenchmarkClassViews(b *testing.B) {
	c := testenv.MustLoad(b, catalog.Sources{Content: content.FS, Quizzes: quizzes.FS, Labs: labs.FS})
	s := testenv.MustNewServer(b, testenv.WithContent(c), testenv.WithLogger(slog.New(slog.DiscardHandler)))
	ctx := context.Background()
	db, cat := s.DB, c.Catalog
	if err := db.CreateClass(ctx, &domain.Class{ID: "big", Title: "Big class", Sections: []string{"a", "b", "c"}}, s.User.ID); err != nil {
		b.Fatal(err)
	}
	teacher := s.User
	due := time.Now().Add(24 * time.Hour)
	var exams, practice []*domain.Assignment
	assign := func(na classroom.NewAssignment) *domain.Assignment {
		na.DueAt = due
		a, err := s.Class.Assign(ctx, teacher, "big", na)
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	for range 4 {
		exams = append(exams, assign(classroom.NewAssignment{Kind: domain.AssignExam, Count: 60, Minutes: 90, Attempts: 0}))
	}
	for _, d := range cat.Domains[:3] {
		practice = append(practice, assign(classroom.NewAssignment{Kind: domain.AssignPractice, Ref: d.ID, Count: 10}))
	}
	lessons := assign(classroom.NewAssignment{Kind: domain.AssignLessons, Ref: cat.Domains[0].ID})
	assign(classroom.NewAssignment{Kind: domain.AssignLessons, Ref: cat.Domains[1].ID})
	assign(classroom.NewAssignment{Kind: domain.AssignLab, Ref: "deployment-scale"})

	rng := rand.New(rand.NewPCG(1, 2))
	var student *domain.User
	for i := range 300 {
		u := testenv.MustCreateUser(b, db, fmt.Sprintf("s%03d", i), domain.RoleLearner)
		if err := db.AddClassMember(ctx, "big", u.ID, domain.ClassStudent, []string{"a", "b", "c"}[i%3]); err != nil {
			b.Fatal(err)
		}
		student = u
		for _, a := range exams[:1+i%4] {
			ne := domain.NewExam{Minutes: 90, PassScore: 750, MaxScore: 1000}
			var recs []domain.AnswerRecord
			correct := 0
			for _, j := range rng.Perm(len(cat.Questions))[:60] {
				q := cat.Questions[j]
				ok := rng.IntN(100) < 45+i%50
				if ok {
					correct++
				}
				ne.Questions = append(ne.Questions, domain.NewExamQuestion{QuestionID: q.ID, ChoiceOrder: []int{0, 1, 2, 3}})
				recs = append(recs, domain.AnswerRecord{QuestionID: q.ID, Picked: []int{0}, Correct: ok})
			}
			ex, err := db.CreateAssignmentExam(ctx, u.ID, a.ID, ne)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := db.SubmitExam(ctx, u.ID, ex.ID, domain.ExamSubmission{Score: 1000 * correct / 60, Correct: correct, Answers: recs}); err != nil {
				b.Fatal(err)
			}
		}
		for _, qid := range practice[i%3].Items[:i%11] {
			if _, err := db.RecordAnswer(ctx, u.ID, domain.AnswerRecord{QuestionID: qid, Picked: []int{0}, Correct: rng.IntN(2) == 0, Source: domain.SourcePractice}); err != nil {
				b.Fatal(err)
			}
		}
		for _, lid := range lessons.Items[:i%(len(lessons.Items)+1)] {
			if err := db.SetLessonComplete(ctx, u.ID, lid, true); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, p := range []struct{ name, path string }{
		{"lesson", cat.Lessons[3].URL()},
		{"gradebook", "/classes/big/gradebook"},
		{"gradebook.csv", "/classes/big/gradebook.csv"},
		{"heatmap", "/classes/big/heatmap"},
		{"student", fmt.Sprintf("/classes/big/students/%d", student.ID)},
	} {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				s.Handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, p.path, nil))
				if w.Code != 200 {
					b.Fatalf("%s: status %d", p.path, w.Code)
				}
			}
		})
	}
}
