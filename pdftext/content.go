package pdftext

// paintOps are the content-stream operators that put marks on a page: path painting,
// shadings, XObjects, inline images and text showing. Everything else (colours, graphics
// state, path construction without painting) leaves a page blank, as on the empty
// left-hand pages of a book set with TeX ("0 g 0 G").
var paintOps = map[string]bool{
	"S": true, "s": true, "f": true, "F": true, "f*": true, "B": true, "B*": true, "b": true, "b*": true,
	"sh": true, "Do": true, "BI": true, "Tj": true, "TJ": true, "'": true, `"`: true,
}

// paints reports whether a page's content stream paints anything. It only needs to
// find operators, so it skips strings, names, comments and dictionaries without parsing
// them; anything it does not understand counts as painting.
func paints(c []byte) bool {
	for i := 0; i < len(c); {
		switch ch := c[i]; {
		case isPDFSpace(ch):
			i++
		case ch == '%':
			for i < len(c) && c[i] != '\n' && c[i] != '\r' {
				i++
			}
		case ch == '(':
			i = skipLiteral(c, i)
		case ch == '<' && i+1 < len(c) && c[i+1] == '<', ch == '>' && i+1 < len(c) && c[i+1] == '>':
			i += 2
		case ch == '<':
			for i < len(c) && c[i] != '>' {
				i++
			}
			i++
		case ch == '[' || ch == ']' || ch == '{' || ch == '}' || ch == ')' || ch == '>':
			i++
		case ch == '/':
			i = skipRegular(c, i+1)
		default:
			end := skipRegular(c, i)
			if end == i {
				return true
			}
			if paintOps[string(c[i:end])] {
				return true
			}
			i = end
		}
	}
	return false
}

// skipLiteral skips a (string), with nested parentheses and backslash escapes.
func skipLiteral(c []byte, i int) int {
	depth := 0
	for ; i < len(c); i++ {
		switch c[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return i
}

func skipRegular(c []byte, i int) int {
	for i < len(c) && !isPDFSpace(c[i]) && !isDelimiter(c[i]) {
		i++
	}
	return i
}

func isPDFSpace(ch byte) bool {
	return ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t' || ch == '\f' || ch == 0
}

func isDelimiter(ch byte) bool {
	switch ch {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}
