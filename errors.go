// Package sesam holds what every part of the portal shares: the kinds of error that the
// portal maps to HTTP statuses and the command line to exit messages.
package sesam

import "errors"

// Error kinds. Wrap them with %w and context; test with errors.Is.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrInvalid   = errors.New("invalid")
	ErrConflict  = errors.New("conflict")
)

// InvalidError is bad input explained for people, in French and in English (the
// portal shows the visitor's language). errors.Is(err, ErrInvalid) holds.
type InvalidError struct {
	FR, EN string
}

// Invalid is bad input with its explanation in French and English.
func Invalid(fr, en string) error { return &InvalidError{FR: fr, EN: en} }

func (e *InvalidError) Error() string { return e.FR + ": " + ErrInvalid.Error() }

// Is makes an InvalidError an ErrInvalid.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }
