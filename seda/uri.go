package seda

import (
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// locateObjects finds the file of every binary object. A bare manifest has none: its
// objects stay absent and their Uris unchecked.
func (p *Package) locateObjects() error {
	if p.kind == KindManifest {
		return nil
	}
	p.objects = make(map[string]string, len(p.t.Binaries))
	var nfc map[string][]string // built the first time a Uri needs it
	for _, o := range p.t.Binaries {
		name, err := resolveURI(p.files, &nfc, o.ID, o.URI)
		if err != nil {
			return err
		}
		p.objects[o.ID] = name
		o.Present = true
	}
	return nil
}

var uriScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// resolveURI finds the package file an object's Uri names. The Uri is resolved against
// the package root and matched exactly, case included; failing that, a leading "./" and
// %-escapes (a space written %20) are tolerated, because real SIPs write them. Every
// sample of the shared corpus matches exactly; none needs a case-insensitive match, so
// none is made (the refusal points out a name that differs only by case).
//
// A "#" or "?" in a Uri starts a fragment or a query: the Uri then names another file
// than the one whose name holds the character. Vitam refuses such file names outright
// (KO_FILE_extension_caractere_special.zip holds "Content/ID19.txt#"); sesam refuses the
// Uri, saying how the name must be written.
//
// Last, names are compared in Unicode normal form C: a zip made on macOS writes "é" as
// "e" and a combining accent (form D) where the manifest has the precomposed "é". The
// match must be unambiguous: two files whose names differ only so are refused rather
// than guessed between. nfc caches the package's names by their form C.
func resolveURI(files map[string]fileRef, nfc *map[string][]string, id, uri string) (string, error) {
	switch {
	case uri == "":
		return "", refusef("object %s: no Uri", id)
	case strings.ContainsAny(uri, "#?"):
		c := uri[strings.IndexAny(uri, "#?"):][:1]
		return "", refusef("object %s: Uri %q contains %q, which ends the path of a URI (write it %s)",
			id, uri, c, url.PathEscape(c))
	case strings.ContainsRune(uri, '\\'):
		return "", refusef("object %s: Uri %q uses a backslash", id, uri)
	case strings.HasPrefix(uri, "/") || uriScheme.MatchString(uri):
		return "", refusef("object %s: Uri %q points outside the package", id, uri)
	}
	if _, ok := files[uri]; ok {
		return uri, nil
	}
	clean := path.Clean(uri)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", refusef("object %s: Uri %q points outside the package", id, uri)
	}
	if _, ok := files[clean]; ok {
		return clean, nil
	}
	if unescaped, err := url.PathUnescape(clean); err == nil {
		unescaped = path.Clean(unescaped)
		if unescaped == ".." || strings.HasPrefix(unescaped, "../") || strings.HasPrefix(unescaped, "/") {
			return "", refusef("object %s: Uri %q points outside the package", id, uri)
		}
		if _, ok := files[unescaped]; ok {
			return unescaped, nil
		}
		clean = unescaped
	}
	if name, err := normalMatch(files, nfc, id, uri, clean); name != "" || err != nil {
		return name, err
	}
	return "", notFound(files, id, uri, clean)
}

// normalMatch finds the one package file whose name is clean's in normal form C.
func normalMatch(files map[string]fileRef, nfc *map[string][]string, id, uri, clean string) (string, error) {
	if *nfc == nil {
		*nfc = make(map[string][]string, len(files))
		for name := range files {
			k := norm.NFC.String(name)
			(*nfc)[k] = append((*nfc)[k], name)
		}
	}
	names := (*nfc)[norm.NFC.String(clean)]
	switch len(names) {
	case 0:
		return "", nil
	case 1:
		return names[0], nil
	}
	sort.Strings(names)
	return "", refusef("object %s: Uri %q matches %d files whose names differ only in Unicode normalisation (%q)",
		id, uri, len(names), names)
}

func notFound(files map[string]fileRef, id, uri, clean string) error {
	for name := range files {
		if strings.EqualFold(name, clean) {
			return refusef("object %s: Uri %q not found in the package (it holds %q: names are case-sensitive)",
				id, uri, name)
		}
	}
	return refusef("object %s: Uri %q not found in the package", id, uri)
}
