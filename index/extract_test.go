package index

import "sesam/pdftext"

// testExtractor reads the text layer of the fixtures' PDFs (no OCR: they have text).
func testExtractor() *pdftext.Extractor { return pdftext.New(pdftext.Options{OCR: pdftext.OCROff}) }
