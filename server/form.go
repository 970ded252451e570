package server

import (
	"html/template"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// form is a submitted form as it goes back to the page: the values typed
// (never passwords) and the French message for each refused field.
type form struct {
	Values  map[string]string
	Errors  *content.ValidationError
	Preview template.HTML // the text as it would be published, after "Aperçu"
	Refused int           // the status of a refusal other than invalid input (403 suspended, 429 too soon)
}

// status is the status of the form sent back refused: 422, or what Refused says.
func (f form) status() int {
	if f.Refused != 0 {
		return f.Refused
	}
	return fiber.StatusUnprocessableEntity
}

// readForm copies the named fields out of the request (Fiber reuses its
// buffers, so values kept past the handler must be copies).
func readForm(c *fiber.Ctx, names ...string) form {
	f := form{Values: make(map[string]string, len(names)), Errors: &content.ValidationError{}}
	for _, n := range names {
		f.Values[n] = strings.Clone(c.FormValue(n))
	}
	return f
}

func emptyForm() form {
	return form{Values: map[string]string{}, Errors: &content.ValidationError{}}
}

// Get returns the value typed for name.
func (f form) Get(name string) string { return f.Values[name] }

// Error returns the message for name, or "".
func (f form) Error(name string) string { return f.Errors.Get(name) }

// HasErrors tells whether the summary at the top of the form is needed.
func (f form) HasErrors() bool { return f.Errors != nil && len(f.Errors.Fields) > 0 }

// fail puts err's field messages on the form; it returns err itself when it
// is not a validation error, for the error handler.
func (f *form) fail(err error) error {
	if v, ok := content.AsValidation(err); ok {
		for _, fe := range v.Fields {
			f.Errors.Add(fe.Field, fe.Message)
		}
		return nil
	}
	return err
}

// field describes one input for the "field" partial; templates build it
// with field and chain the options: (field .Form "email" "Adresse e-mail").Type "email".
type field struct {
	Name, Label, Kind, Auto, Help, Value, Error string
	Required                                    bool
	Options                                     []option
}

type option struct{ Value, Label string }

func newField(f form, name, label string) field {
	return field{Name: name, Label: label, Kind: "text", Value: f.Get(name), Error: f.Error(name)}
}

// Type sets the input type ("email", "password", "textarea", "select").
func (f field) Type(kind string) field {
	f.Kind = kind
	if kind == "password" {
		f.Value = ""
	}
	return f
}

// Autocomplete sets the autocomplete hint.
func (f field) Autocomplete(v string) field { f.Auto = v; return f }

// Hint sets the help text under the label.
func (f field) Hint(v string) field { f.Help = v; return f }

// Req marks the field required.
func (f field) Req() field { f.Required = true; return f }

// Choices turns the field into a select over metiers.
func (f field) Choices(opts []option) field { f.Kind = "select"; f.Options = opts; return f }
