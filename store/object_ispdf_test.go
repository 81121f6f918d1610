package store_test

import (
	"testing"

	"sesam/store"
)

// TestObjectIsPDF: an object is viewed and stamped as a PDF on the same grounds the
// import extracted its text as one: its declared type, its PRONOM format, or its name.
func TestObjectIsPDF(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    store.Object
		want bool
	}{
		{"declared application/x-pdf", store.Object{MimeType: "application/x-pdf"}, true},
		{"PDF/A-1b by its PRONOM id only", store.Object{FormatID: "fmt/354"}, true},
		{"named .PDF in its Uri only", store.Object{URI: "content/DELIB.PDF"}, true},
		{"read as a PDF at import", store.Object{MimeType: "application/octet-stream", TextStatus: "ok"}, true},
		{"a JPEG", store.Object{MimeType: "image/jpeg", FormatID: "fmt/43", Filename: "plan.jpg"}, false},
	} {
		if got := tc.o.IsPDF(); got != tc.want {
			t.Errorf("%s: IsPDF %v, want %v", tc.name, got, tc.want)
		}
	}
}
