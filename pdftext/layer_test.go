package pdftext

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tsvRows builds pdftotext -tsv output: level, page, then left, top, width, height and
// the text; the other columns do not matter here.
func tsvRows(rows ...string) string {
	var b strings.Builder
	b.WriteString("level\tpage_num\tpar_num\tblock_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n")
	for _, r := range rows {
		f := strings.Split(r, " ")
		b.WriteString(f[0] + "\t" + f[1] + "\t0\t0\t0\t0\t" + strings.Join(f[2:6], "\t") + "\t100\t" + strings.Join(f[6:], " ") + "\n")
	}
	return b.String()
}

func TestParseTSV(t *testing.T) {
	in := tsvRows(
		"1 1 0 0 595 842 ###PAGE###",
		"3 1 70 70 400 12 ###FLOW###",
		"4 1 70 70 400 12 ###LINE###",
		"5 1 70.00 70.00 30.00 10.00 Conseil",
		"5 1 103.50 70.00 40.00 10.00 municipal", // a gap of 3.5 pt: two words
		"5 1 143.60 70.00 10.00 10.00 :",         // touching: one word split by a font change
		"4 1 70 84 400 12 ###LINE###",
		"5 1 70.00 84.00 50.00 10.00 délibéra-",
		"3 1 70 120 400 12 ###FLOW###",
		"4 1 70 120 400 12 ###LINE###",
		"5 1 70.00 120.00 30.00 10.00 tion",
		"5 1 100.00 60.00 10.00 40.00 vertical", // touching but not on the same line
		"1 2 0 0 595 842 ###PAGE###",
		"1 3 0 0 595 842 ###PAGE###",
		"3 3 70 70 400 12 ###FLOW###",
		"4 3 70 70 400 12 ###LINE###",
		"5 3 -1.5 70.00 30.00 10.00 fin",
	)
	pages, err := parseTSV(strings.NewReader(in), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Conseil municipal:\ndélibéra-\n\ntion vertical", "", "fin"}
	if diff := cmp.Diff(want, pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
	if _, err := parseTSV(strings.NewReader(in), 10); reasonOf(err) != "texte extrait trop volumineux" {
		t.Errorf("over the limit: %v, want the size failure", err)
	}
}

func TestNumber(t *testing.T) {
	for in, want := range map[string]float64{"12.34": 12.34, "-0.50": -0.5, "595.303937": 595.303937, "7": 7, "1e2": 100, "": 0} {
		if got := number([]byte(in)); got < want-1e-9 || got > want+1e-9 {
			t.Errorf("number(%q) = %v, want %v", in, got, want)
		}
	}
}
