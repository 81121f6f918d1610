package storetest

import (
	"crypto/sha512"
	_ "embed"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"text/template"
)

// ruitzTemplate is a hand-made transfer of a commune's archives (see the file's
// comment): French titles, common cote styles, access rules with known dates, a unit
// with two parents, and two real PDFs of the shared corpus.
//
//go:embed testdata/ruitz.xml.tmpl
var ruitzTemplate string

// RuitzPackage writes the hand-made Ruitz transfer into dir (a folder package): the
// manifest and the shared PDFs it names, taken from pdfDir (../shared/testdata/pdf),
// with their digests.
func RuitzPackage(dir, pdfDir string) (string, error) {
	copies := map[string]string{
		"dip__20110315_DI_AN_PJL_Darrois.pdf":                     "darrois.pdf",
		"dip__20110926_DI_AN_PLF_2012_avant_propos_plaquette.pdf": "plf.pdf",
		"dip__20101130_DI_AN_PJLO_PJL_defenseur_des_droits.pdf":   "rapport.pdf",
	}
	if err := os.MkdirAll(filepath.Join(dir, "content"), 0o755); err != nil {
		return "", err
	}
	for src, dst := range copies {
		if err := copyFile(filepath.Join(pdfDir, src), filepath.Join(dir, "content", dst)); err != nil {
			return "", err
		}
	}
	funcs := template.FuncMap{
		"digest": func(name string) (string, error) {
			b, err := os.ReadFile(filepath.Join(pdfDir, name))
			sum := sha512.Sum512(b)
			return hex.EncodeToString(sum[:]), err
		},
		"size": func(name string) (int64, error) {
			fi, err := os.Stat(filepath.Join(pdfDir, name))
			if err != nil {
				return 0, err
			}
			return fi.Size(), nil
		},
	}
	tmpl, err := template.New("ruitz").Funcs(funcs).Parse(ruitzTemplate)
	if err != nil {
		return "", err
	}
	f, err := os.Create(filepath.Join(dir, "manifest.xml"))
	if err != nil {
		return "", err
	}
	defer f.Close()
	return dir, tmpl.Execute(f, nil)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
