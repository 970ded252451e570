package content

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Sentinel errors that the HTTP layer maps to statuses.
var (
	ErrNotFound       = errors.New("not found")
	ErrForbidden      = errors.New("forbidden")
	ErrConflict       = errors.New("conflict")
	ErrBadCredentials = errors.New("bad credentials")
	ErrSuspended      = fmt.Errorf("account suspended (%w)", ErrForbidden) // refused to write: a kind of ErrForbidden
	ErrTokenInvalid   = errors.New("token invalid, used or expired")
)

// FieldError is one refused field with its French message.
type FieldError struct {
	Field   string
	Message string
}

// ValidationError lists, in form order, what is wrong with the input.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records a message for field; only the first message per field is kept.
func (e *ValidationError) Add(field, message string) {
	if e.Get(field) == "" {
		e.Fields = append(e.Fields, FieldError{Field: field, Message: message})
	}
}

// Rename moves the message of field from to field to (a form that names
// its fields differently from the store).
func (e *ValidationError) Rename(from, to string) {
	for i := range e.Fields {
		if e.Fields[i].Field == from {
			e.Fields[i].Field = to
		}
	}
}

// Get returns the message for field, or "".
func (e *ValidationError) Get(field string) string {
	if e == nil {
		return ""
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// Err returns e when it holds messages, nil otherwise.
func (e *ValidationError) Err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Invalid is a shortcut for a one-field validation error.
func Invalid(field, message string) error {
	return &ValidationError{Fields: []FieldError{{field, message}}}
}

// AsValidation unwraps err into a *ValidationError when it is one.
func AsValidation(err error) (*ValidationError, bool) {
	var v *ValidationError
	ok := errors.As(err, &v)
	return v, ok
}

// IsDiskFull tells whether err comes from a full disk (the database or an
// uploaded file could not be written).
func IsDiskFull(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrFull {
		return true
	}
	return errors.Is(err, syscall.ENOSPC)
}
