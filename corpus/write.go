package corpus

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// zipTime is every entry's modification time: a fixed one, so that zips are
// byte-identical from run to run.
var zipTime = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// Packages are zip files, as collectivités' transfers arrive: the import then reads
// the manifest and the PDFs through the zip reader, as it will in production. (A folder
// would be a little faster to write and read, and would measure less of the real path.)

// writePackage generates one fonds and writes it as a zip.
func writePackage(dir string, p *packagePlan) (PackageInfo, error) {
	r := rand.New(rand.NewPCG(p.seed[0], p.seed[1]))
	g := &fondsGen{r: r, text: newTextGen(r), plan: p}
	root := g.build()
	var objs []*pdfObject
	info := PackageInfo{Path: p.path(), Tenant: p.tenant.ID, Fonds: root.title, Cote: root.cote}
	walk(root, func(u *unit) {
		info.Units++
		if u.object != nil {
			objs = append(objs, u.object)
			info.PDFs++
			info.Pages += len(u.object.pages)
		}
		if u.level == "Series" && len(info.Cotes) < 8 {
			info.Cotes = append(info.Cotes, u.children[0].cote) // the series' first file
		}
		if len(u.access) == 0 {
			info.Rules = append(info.Rules, "none")
		}
		for _, a := range u.access {
			info.Rules = append(info.Rules, a.id)
		}
	})
	date := time.Date(min(p.period[1]+1+r.IntN(3), lastYear), time.Month(1+r.IntN(12)), 1+r.IntN(28),
		9+r.IntN(8), r.IntN(60), 0, 0, time.UTC)
	manifest := writeManifest(p, root, objs, date)
	path := filepath.Join(dir, filepath.FromSlash(info.Path))
	n, err := writeZip(path, manifest, objs)
	info.Bytes = n
	return info, err
}

// walk visits a tree in document order.
func walk(u *unit, fn func(*unit)) {
	fn(u)
	for _, c := range u.children {
		walk(c, fn)
	}
}

// writeZip writes manifest.xml and content/*.pdf, deflated (the fastest level: the
// manifest shrinks ten times anyway), and returns the file's size.
func writeZip(path string, manifest []byte, objs []*pdfObject) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, fmt.Errorf("corpus: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("corpus: %w", err)
	}
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	err = addEntry(zw, "manifest.xml", manifest)
	for _, o := range objs {
		if err != nil {
			break
		}
		err = addEntry(zw, "content/"+o.filename, o.body)
	}
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	info, serr := f.Stat()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("corpus: write %s: %w", path, err)
	}
	if serr != nil {
		return 0, serr
	}
	return info.Size(), nil
}

func addEntry(zw *zip.Writer, name string, body []byte) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime})
	if err != nil {
		return err
	}
	_, err = w.Write(body)
	return err
}
