package trainer

import (
	"context"
	"math"
	"time"

	"github.com/kcnaprep/kcnaprep/internal/catalog"
	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/srs"
)

// ReviewSummary counts the learner's review queue.
type ReviewSummary struct {
	DueNow, DueToday, Total int
}

// ReviewSummary counts cards due now, due by the end of today (UTC) and in all.
func (s *Service) ReviewSummary(ctx context.Context, userID int64) (ReviewSummary, error) {
	now := s.db.Now()
	endOfDay := time.Date(now.Year(), now.Month(), now.Day(), 23, 59, 59, 0, now.Location())
	n, today, total, err := s.db.ReviewCounts(ctx, userID, endOfDay)
	return ReviewSummary{DueNow: n, DueToday: today, Total: total}, err
}

// DueReview is the next card to review with its question.
type DueReview struct {
	Question *catalog.Question
	Card     domain.Card
}

// NextReview returns the most overdue card, or ENOTFOUND when nothing is due.
func (s *Service) NextReview(ctx context.Context, userID int64) (DueReview, error) {
	cards, err := s.db.DueCards(ctx, userID, 20)
	if err != nil {
		return DueReview{}, err
	}
	ids := make([]string, len(cards))
	for i, c := range cards {
		ids[i] = c.QuestionID
	}
	qs, err := s.questions(ctx, userID, ids)
	if err != nil {
		return DueReview{}, err
	}
	for _, c := range cards {
		if q := qs[c.QuestionID]; q != nil {
			return DueReview{Question: q, Card: c}, nil
		}
	}
	return DueReview{}, domain.Errorf(domain.ENOTFOUND, "Nothing is due for review. Well done.")
}

// Card returns one of the learner's review cards with its question.
func (s *Service) Card(ctx context.Context, userID int64, questionID string) (DueReview, error) {
	q, err := s.Question(ctx, userID, questionID)
	if err != nil {
		return DueReview{}, err
	}
	c, err := s.db.Card(ctx, userID, questionID)
	return DueReview{Question: q, Card: c}, err
}

func memory(c domain.Card) srs.Memory {
	return srs.Memory{Stability: c.Stability, Difficulty: c.Difficulty, Reps: c.Reps, Lapses: c.Lapses, LastReview: c.LastReview}
}

// RatingOptions previews what each rating would schedule, for the buttons' labels.
func (s *Service) RatingOptions(c domain.Card) ([4]srs.Outcome, error) {
	return s.srs.Preview(memory(c), s.db.Now())
}

// Rate applies the learner's recall rating to a card with FSRS. prevReps is the card's reps
// shown on the form: a rating submitted twice is applied once.
func (s *Service) Rate(ctx context.Context, userID int64, questionID string, r srs.Rating, prevReps int) (srs.Outcome, error) {
	c, err := s.db.Card(ctx, userID, questionID)
	if err != nil {
		return srs.Outcome{}, err
	}
	if c.Reps != prevReps { // already rated from this form
		return srs.Outcome{Rating: r, Memory: memory(c), Due: c.Due}, nil
	}
	now := s.db.Now()
	o, err := s.srs.Review(memory(c), now, r)
	if err != nil {
		return srs.Outcome{}, domain.Errorf(domain.EINVALID, "%v", err)
	}
	_, err = s.db.SaveReview(ctx, userID, domain.ReviewUpdate{
		QuestionID: questionID, PrevReps: prevReps, Rating: int(r),
		Stability: o.Memory.Stability, Difficulty: o.Memory.Difficulty, Reps: o.Memory.Reps, Lapses: o.Memory.Lapses,
		Interval: o.Interval, Due: o.Due, ReviewedAt: now,
	})
	return o, err
}

// ReviewStats are the learner's review statistics, like Anki's.
type ReviewStats struct {
	// Forecast[0] counts cards due today (overdue included), Forecast[i] those due i days on.
	Forecast [7]int
	// Retention is the share of reviews in the last 30 days not rated "again", in percent;
	// -1 when there were none.
	Retention          int
	Reviews, Forgotten int // reviews in the last 30 days, and how many were rated "again"
	New, Young, Mature int // cards never rated; interval under 21 days; 21 days or more
}

// ReviewStats computes the due forecast for the next 7 days (by the server's calendar days),
// the retention over the last 30 days and the cards by state.
func (s *Service) ReviewStats(ctx context.Context, userID int64) (ReviewStats, error) {
	now := s.db.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	horizon := today.AddDate(0, 0, len(ReviewStats{}.Forecast))
	row, err := s.db.ReviewStats(ctx, userID, horizon, now.AddDate(0, 0, -30))
	if err != nil {
		return ReviewStats{}, err
	}
	st := ReviewStats{Reviews: row.Reviews, Forgotten: row.AgainCount, New: row.New, Young: row.Young, Mature: row.Mature, Retention: -1}
	for _, d := range row.Due {
		day := 0
		for i := range st.Forecast {
			if !d.Before(today.AddDate(0, 0, i)) {
				day = i
			}
		}
		st.Forecast[day]++
	}
	if row.Reviews > 0 {
		st.Retention = int(math.Round(100 * float64(row.Reviews-row.AgainCount) / float64(row.Reviews)))
	}
	return st, nil
}
