package domain

import "time"

// Answer sources.
const (
	SourcePractice = "practice"
	SourceExam     = "exam"
	SourceReview   = "review"
)

// AnswerRecord is one answer to store.
type AnswerRecord struct {
	QuestionID string
	Picked     []int
	Correct    bool
	Source     string
	ExamID     int64  // exam answers only
	Token      string // the form's one-time token; "" for none
}

// Answer is a stored answer.
type Answer struct {
	QuestionID string
	Correct    bool
	Source     string
	AnsweredAt time.Time
}

// QuestionStat summarises a user's answers to one question.
type QuestionStat struct {
	QuestionID string
	Count      int
	Correct    int
	LastAt     time.Time // the time of the last answer
	LastOK     bool
}

// Card is a review card's stored state.
type Card struct {
	QuestionID string
	Stability  float64
	Difficulty float64
	Reps       int
	Lapses     int
	LastReview time.Time // zero: never reviewed
	Due        time.Time
}

// ReviewUpdate is a card's state after a rated review.
type ReviewUpdate struct {
	QuestionID      string
	PrevReps        int // the reps the rating was made against: a second submission finds them changed
	Rating          int
	Stability       float64
	Difficulty      float64
	Reps, Lapses    int
	Interval        int
	Due, ReviewedAt time.Time
}

// ReviewStatsRow is what the review statistics are computed from: the cards' due times up to
// a horizon, the cards by state, and the ratings since a time.
type ReviewStatsRow struct {
	Due                 []time.Time // due times of the cards due before the horizon, overdue included
	New, Young, Mature  int         // never rated; rated with an interval under 21 days; 21 days or more
	Reviews, AgainCount int         // ratings since the time asked, and how many of them were "again"
}
