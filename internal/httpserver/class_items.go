package httpserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/kcnaprep/kcnaprep/internal/classroom"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/web/pages"
)

// ClassItems is the item analysis and a class's own questions (classroom.Service).
type ClassItems interface {
	ItemAnalysis(ctx context.Context, viewer *domain.User, classID string) (*classroom.ItemAnalysis, error)
	ImportQuestions(ctx context.Context, viewer *domain.User, classID string, r io.Reader) (*classroom.ImportReport, error)
	QuestionList(ctx context.Context, viewer *domain.User, classID string) ([]*domain.ClassQuestion, error)
	ExportQuestions(ctx context.Context, viewer *domain.User, classID string, w io.Writer) (int, error)
}

// maxGIFTBytes bounds a GIFT upload (a Moodle export of a few thousand questions).
const maxGIFTBytes = 4 << 20

func (s *Server) classItemsRoutes(r chi.Router) {
	r.Get("/classes/{classID}/items", s.handleClassItems)
	r.Get("/classes/{classID}/items.csv", s.handleClassItemsExport)
	r.Get("/classes/{classID}/items.json", s.handleClassItemsExport)
	r.Get("/classes/{classID}/questions", s.handleClassQuestions)
	r.Post("/classes/{classID}/questions", s.handleClassQuestionsUpload)
	r.Get("/classes/{classID}/questions.gift", s.handleClassQuestionsExport)
}

func pct(f *float64) string {
	if f == nil {
		return "—"
	}
	return strconv.FormatFloat(*f, 'f', 1, 64) + "%"
}

func (s *Server) handleClassItems(w http.ResponseWriter, r *http.Request) {
	classID := chi.URLParam(r, "classID")
	a, err := s.classroom.ItemAnalysis(r.Context(), user(r), classID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	base := "/classes/" + classID
	vm := pages.ClassItemsVM{Page: s.page(r, "Item analysis", "classes"), ClassID: classID, Title: a.Title, Attempts: a.Attempts,
		CSVURL: base + "/items.csv", JSONURL: base + "/items.json", FaultyEfficiency: strconv.FormatFloat(domain.FaultyEfficiency, 'f', -1, 64) + "%"}
	if classID != classroom.AllClasses {
		vm.QuestionsURL = base + "/questions"
	}
	for _, it := range a.Items {
		f := it.Facility * 100
		sd := it.SD
		if sd != nil {
			v := *sd * 100
			sd = &v
		}
		row := pages.ItemRowVM{QuestionID: it.QuestionID, Summary: a.Summary[it.QuestionID], Attempts: it.Attempts,
			Facility: pct(&f), SD: pct(sd), Discrimination: pct(it.Discrimination), Efficiency: pct(it.Efficiency), Flagged: it.Flagged}
		if s.catalog.Question(it.QuestionID) != nil {
			row.URL = practiceURL(it.QuestionID, "")
		}
		for _, rep := range a.Reports[it.QuestionID] {
			row.Reports = append(row.Reports, pages.ItemReportVM{Kind: rep.Kind, Message: rep.Message, Reporter: rep.Reporter,
				Date: rep.CreatedAt.Format("2 Jan 2006")})
		}
		if it.Flagged {
			vm.Flagged++
		}
		vm.Items = append(vm.Items, row)
	}
	s.render(w, r, http.StatusOK, pages.ClassItems(vm))
}

// handleClassItemsExport sends the item analysis as CSV or JSON, as the CLI writes it.
func (s *Server) handleClassItemsExport(w http.ResponseWriter, r *http.Request) {
	classID := chi.URLParam(r, "classID")
	a, err := s.classroom.ItemAnalysis(r.Context(), user(r), classID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var buf bytes.Buffer
	ext, ctype := "csv", "text/csv; charset=utf-8"
	if filepath.Ext(r.URL.Path) == ".json" {
		ext, ctype = "json", "application/json"
		err = a.WriteJSON(&buf)
	} else {
		err = a.WriteCSV(&buf)
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="items-%s.%s"`, classID, ext))
	_, _ = buf.WriteTo(w)
}

func (s *Server) classQuestionsVM(r *http.Request, classID string) (pages.ClassQuestionsVM, error) {
	c, err := s.classroom.Teach(r.Context(), user(r), classID)
	if err != nil {
		return pages.ClassQuestionsVM{}, err
	}
	qs, err := s.classroom.QuestionList(r.Context(), user(r), classID)
	if err != nil {
		return pages.ClassQuestionsVM{}, err
	}
	base := "/classes/" + classID
	vm := pages.ClassQuestionsVM{Page: s.page(r, "Own questions", "classes"), ClassID: classID, Title: c.Title,
		ExportURL: base + "/questions.gift", ItemsURL: base + "/items"}
	for _, q := range qs {
		vm.Questions = append(vm.Questions, pages.ClassQuestionRowVM{ID: q.QuestionID(), Name: q.Name, Kind: string(q.Kind),
			Category: q.Category, Competency: q.Competency, Summary: summary(q.Stem), Choices: len(q.Choices)})
	}
	return vm, nil
}

// summary is one line of Markdown text, at most 90 characters, for lists.
func summary(md string) string {
	line := []rune(string(bytes.Join(bytes.Fields([]byte(md)), []byte(" "))))
	if len(line) > 90 {
		return string(line[:89]) + "…"
	}
	return string(line)
}

func (s *Server) handleClassQuestions(w http.ResponseWriter, r *http.Request) {
	vm, err := s.classQuestionsVM(r, chi.URLParam(r, "classID"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, pages.ClassQuestions(vm))
}

func (s *Server) handleClassQuestionsUpload(w http.ResponseWriter, r *http.Request) {
	classID := chi.URLParam(r, "classID")
	// Who may upload is checked before the file is read.
	if _, err := s.classroom.Teach(r.Context(), user(r), classID); err != nil {
		s.Error(w, r, err)
		return
	}
	fail := func(status int, msg string) {
		vm, err := s.classQuestionsVM(r, classID)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		vm.Error = msg
		s.render(w, r, status, pages.ClassQuestions(vm))
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxGIFTBytes+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is larger than %d MiB. Split it and upload the parts.", maxGIFTBytes>>20))
			return
		}
	}
	defer func() {
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
	}()
	f, hdr, err := r.FormFile("file")
	if err != nil {
		fail(http.StatusUnprocessableEntity, "Choose a GIFT file to upload.")
		return
	}
	defer f.Close()
	rep, err := s.classroom.ImportQuestions(r.Context(), user(r), classID, f)
	if code := domain.ErrorCode(err); code == domain.EINVALID {
		fail(http.StatusUnprocessableEntity, domain.ErrorMessage(err))
		return
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm, err := s.classQuestionsVM(r, classID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	vm.Report = &pages.ImportReportVM{File: filepath.Base(hdr.Filename), Created: rep.Created, Updated: rep.Updated}
	for _, n := range rep.Skipped {
		vm.Report.Skipped = append(vm.Report.Skipped, n.String())
	}
	for _, n := range rep.Warnings {
		vm.Report.Warnings = append(vm.Report.Warnings, n.String())
	}
	s.render(w, r, http.StatusOK, pages.ClassQuestions(vm))
}

func (s *Server) handleClassQuestionsExport(w http.ResponseWriter, r *http.Request) {
	classID := chi.URLParam(r, "classID")
	var buf bytes.Buffer
	if _, err := s.classroom.ExportQuestions(r.Context(), user(r), classID, &buf); err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.gift"`, classID))
	_, _ = buf.WriteTo(w)
}
