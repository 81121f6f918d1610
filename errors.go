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
