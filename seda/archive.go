package seda

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ratioFloor is the size above which an entry's compression ratio is checked: small
// files of zeros compress absurdly well and harm no one.
const ratioFloor = 1 << 20

// fileRef is where the bytes of one package file live: a zip entry read in place, or a
// file on disk (a folder package, or a tar.gz entry extracted to the temporary folder).
type fileRef struct {
	zf   *zip.File
	path string
	size int64
}

// sniff tells the format of a file from its first bytes, not from its name.
func sniff(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", fmt.Errorf("open package: %w", err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	head = head[:n]
	switch {
	case n == 0:
		return "", refusef("not a SEDA package: the file is empty")
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")),
		bytes.HasPrefix(head, []byte("PK\x07\x08")):
		return KindZip, nil
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return KindTarGz, nil
	case looksLikeXML(head):
		return KindManifest, nil
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "", refusef("not a SEDA package: a PDF document (expected a .zip, a .tar.gz, a folder or a manifest .xml)")
	case n >= 262 && string(head[257:262]) == "ustar":
		return "", refusef("not a SEDA package: an uncompressed tar archive (compress it as .tar.gz)")
	}
	return "", refusef("not a SEDA package: unrecognised file format (expected a .zip, a .tar.gz, a folder or a manifest .xml)")
}

// looksLikeXML: a UTF-16 byte-order mark or "<?" in UTF-16 (see utf16Reader), else "<"
// after an optional UTF-8 byte-order mark and white space.
func looksLikeXML(head []byte) bool {
	for _, p := range [][]byte{{0xFE, 0xFF}, {0xFF, 0xFE}, {0, '<', 0, '?'}, {'<', 0, '?', 0}} {
		if bytes.HasPrefix(head, p) {
			return true
		}
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	head = bytes.TrimLeft(head, " \t\r\n")
	return len(head) > 0 && head[0] == '<'
}

// entryName checks the name of an archive entry (or of a file in a folder package) and
// returns it cleaned: slash-separated, without "." or empty segments ("" for the root).
func entryName(raw string) (string, error) {
	switch {
	case strings.ContainsRune(raw, '\\'):
		return "", refusef("archive entry %q uses a backslash", raw)
	case strings.IndexFunc(raw, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
		return "", refusef("archive entry %q has a control character in its name", raw)
	case strings.HasPrefix(raw, "/") || len(raw) >= 2 && raw[1] == ':' && isLetter(raw[0]):
		return "", refusef("archive entry %q is an absolute path", raw)
	}
	var parts []string
	for _, seg := range strings.Split(raw, "/") {
		switch seg {
		case "", ".":
			continue
		case "..":
			return "", refusef("archive entry %q escapes the package", raw)
		}
		parts = append(parts, seg)
	}
	return strings.Join(parts, "/"), nil
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// openZip lists a zip's entries and refuses it on what the central directory declares;
// the bytes are counted again when they are read (see guardedReader).
func (p *Package) openZip() error {
	zr, err := zip.OpenReader(p.path)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // we check names ourselves
		if errors.Is(err, zip.ErrFormat) {
			return refusef("not a valid zip archive: %v", err)
		}
		return fmt.Errorf("open zip: %w", err)
	}
	p.zr = zr
	if len(zr.File) > p.lim.MaxEntries {
		return refusef("archive has more than %d entries", p.lim.MaxEntries)
	}
	p.files = make(map[string]fileRef, len(zr.File))
	var total uint64
	for _, f := range zr.File {
		name, err := p.zipEntry(f)
		if err != nil {
			return err
		}
		if name == "" {
			continue // a folder
		}
		total += f.UncompressedSize64
		if total > uint64(p.lim.MaxTotalBytes) {
			return refusef("archive too large: more than %s uncompressed", formatBytes(p.lim.MaxTotalBytes))
		}
		p.files[name] = fileRef{zf: f, size: int64(f.UncompressedSize64)}
	}
	if len(p.files) == 0 {
		return refusef("empty archive")
	}
	return nil
}

// zipEntry checks one zip entry and returns its cleaned name, or "" for a folder.
func (p *Package) zipEntry(f *zip.File) (string, error) {
	name, err := entryName(f.Name)
	if err != nil {
		return "", err
	}
	mode := f.Mode()
	switch {
	case mode&os.ModeSymlink != 0:
		return "", refusef("archive entry %q is a link", f.Name)
	case mode.IsDir() || strings.HasSuffix(f.Name, "/"):
		return "", nil
	case !mode.IsRegular():
		return "", refusef("archive entry %q is not a regular file", f.Name)
	case f.Flags&0x1 != 0:
		return "", refusef("archive entry %q is encrypted", f.Name)
	case f.UncompressedSize64 > ratioFloor &&
		f.UncompressedSize64/max(f.CompressedSize64, 1) > uint64(p.lim.MaxRatio):
		return "", refusef("archive entry %q compression ratio above %d", f.Name, p.lim.MaxRatio)
	}
	return name, checkNew(p.files, name, f.Name)
}

// checkNew refuses a file name that is empty or already listed: which bytes would be
// checked, and which archived?
func checkNew(files map[string]fileRef, name, raw string) error {
	if name == "" {
		return refusef("archive entry %q has no name", raw)
	}
	if _, dup := files[name]; dup {
		return refusef("archive entry %q appears twice", raw)
	}
	return nil
}

// extractTarGz streams a tar.gz into a temporary folder, one file per entry named by its
// position (never by its name, so no entry can write outside the folder), counting the
// bytes actually decompressed against the limits.
func (p *Package) extractTarGz() error {
	f, err := os.Open(p.path)
	if err != nil {
		return fmt.Errorf("open tar.gz: %w", err)
	}
	defer f.Close()
	cr := &countingReader{r: bufio.NewReader(f)}
	gz, err := gzip.NewReader(cr)
	if err != nil {
		return refusef("not a valid tar.gz archive: %v", err)
	}
	defer gz.Close()
	if p.tmpDir, err = os.MkdirTemp("", "sesam-seda-*"); err != nil {
		return fmt.Errorf("extract tar.gz: %w", err)
	}
	p.files = make(map[string]fileRef)
	x := &tarExtraction{p: p, tr: tar.NewReader(gz), cr: cr}
	if err := x.run(); err != nil {
		return err
	}
	if len(p.files) == 0 {
		return refusef("empty archive")
	}
	return nil
}

type tarExtraction struct {
	p     *Package
	tr    *tar.Reader
	cr    *countingReader // compressed bytes consumed so far
	total int64           // uncompressed bytes written so far
}

func (x *tarExtraction) run() error {
	for n := 0; ; n++ {
		hdr, err := x.tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) { // we check names ourselves
			return archiveError("", err)
		}
		if n >= x.p.lim.MaxEntries {
			return refusef("archive has more than %d entries", x.p.lim.MaxEntries)
		}
		name, err := x.checkHeader(hdr)
		if err != nil {
			return err
		}
		if name == "" {
			continue // a folder
		}
		if err := x.extract(hdr.Name, name, n); err != nil {
			return err
		}
	}
}

// checkHeader returns the cleaned name of a regular file, or "" for an entry to skip.
func (x *tarExtraction) checkHeader(hdr *tar.Header) (string, error) {
	name, err := entryName(hdr.Name)
	if err != nil {
		return "", err
	}
	switch hdr.Typeflag {
	case tar.TypeDir, tar.TypeXGlobalHeader:
		return "", nil
	case tar.TypeSymlink, tar.TypeLink:
		return "", refusef("archive entry %q is a link", hdr.Name)
	case tar.TypeReg, tar.TypeGNUSparse:
	default:
		return "", refusef("archive entry %q is not a regular file", hdr.Name)
	}
	return name, checkNew(x.p.files, name, hdr.Name)
}

func (x *tarExtraction) extract(raw, name string, n int) error {
	dst := filepath.Join(x.p.tmpDir, strconv.Itoa(n))
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("extract tar.gz: %w", err)
	}
	written, err := x.copy(f, raw)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("extract tar.gz: %w", cerr)
	}
	if err != nil {
		return err
	}
	x.p.files[name] = fileRef{path: dst, size: written}
	return nil
}

// copy writes one entry, refusing as soon as the package or the entry's compression
// ratio goes past the limits, so that a bomb is stopped after about a mebibyte.
func (x *tarExtraction) copy(w io.Writer, raw string) (int64, error) {
	lim := x.p.lim
	start := x.cr.n
	buf := make([]byte, 32<<10)
	var written int64
	for {
		k, rerr := x.tr.Read(buf)
		written += int64(k)
		x.total += int64(k)
		switch {
		case x.total > lim.MaxTotalBytes:
			return written, refusef("archive too large: more than %s uncompressed", formatBytes(lim.MaxTotalBytes))
		case written > ratioFloor && written/max(x.cr.n-start, 1) > lim.MaxRatio:
			return written, refusef("archive entry %q compression ratio above %d", raw, lim.MaxRatio)
		}
		if _, err := w.Write(buf[:k]); err != nil {
			return written, fmt.Errorf("extract tar.gz: %w", err)
		}
		if rerr == io.EOF {
			return written, nil
		}
		if rerr != nil {
			return written, archiveError(raw, rerr)
		}
	}
}

// countingReader counts the bytes the gzip decompressor takes; being an io.ByteReader,
// it is used by flate directly, without a read-ahead buffer that would blur the count.
type countingReader struct {
	r *bufio.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// archiveError turns what the decompressors report about broken data into a refusal.
func archiveError(entry string, err error) error {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, zip.ErrChecksum), errors.Is(err, gzip.ErrChecksum):
		return refusef("archive entry %q is corrupt (checksum mismatch)", entry)
	case errors.Is(err, zip.ErrFormat):
		return refusef("archive entry %q is corrupt or larger than its header declares", entry)
	case errors.As(err, &corrupt), errors.Is(err, gzip.ErrHeader), errors.Is(err, tar.ErrHeader),
		errors.Is(err, io.ErrUnexpectedEOF):
		if entry == "" {
			return refusef("corrupt archive: %v", err)
		}
		return refusef("archive entry %q is corrupt: %v", entry, err)
	}
	return err
}

// listDir lists a folder package. Links are refused, even pointing inside the folder:
// what is archived must be what was checked.
func (p *Package) listDir() error {
	root, err := filepath.EvalSymlinks(p.path) // the folder itself may be reached by a link
	if err != nil {
		return fmt.Errorf("read folder: %w", err)
	}
	p.files = make(map[string]fileRef)
	w := dirWalk{p: p, root: root}
	return filepath.WalkDir(root, w.visit)
}

type dirWalk struct {
	p     *Package
	root  string
	count int
	total int64
}

func (w *dirWalk) visit(file string, d fs.DirEntry, err error) error {
	if err != nil {
		return fmt.Errorf("read folder: %w", err)
	}
	if file == w.root {
		return nil
	}
	rel, err := filepath.Rel(w.root, file)
	if err != nil {
		return fmt.Errorf("read folder: %w", err)
	}
	lim := w.p.lim
	if w.count++; w.count > lim.MaxEntries {
		return refusef("archive has more than %d entries", lim.MaxEntries)
	}
	name, err := entryName(filepath.ToSlash(rel))
	switch {
	case err != nil:
		return err
	case d.Type()&fs.ModeSymlink != 0:
		return refusef("archive entry %q is a link", name)
	case d.IsDir():
		return nil
	case !d.Type().IsRegular():
		return refusef("archive entry %q is not a regular file", name)
	}
	info, err := d.Info()
	if err != nil {
		return fmt.Errorf("read folder: %w", err)
	}
	if w.total += info.Size(); w.total > lim.MaxTotalBytes {
		return refusef("archive too large: more than %s uncompressed", formatBytes(lim.MaxTotalBytes))
	}
	w.p.files[name] = fileRef{path: file, size: info.Size()}
	return nil
}

// findManifest picks the one manifest at the package root (see Package).
func (p *Package) findManifest() (string, error) {
	var atRoot, deeper []string
	for name := range p.files {
		if !isManifestName(path.Base(name)) {
			continue
		}
		if strings.Contains(name, "/") {
			deeper = append(deeper, name)
		} else {
			atRoot = append(atRoot, name)
		}
	}
	sort.Strings(atRoot)
	sort.Strings(deeper)
	switch {
	case len(atRoot) == 1:
		return atRoot[0], nil
	case len(atRoot) == 2:
		return "", refusef("two manifests: %s and %s", atRoot[0], atRoot[1])
	case len(atRoot) > 2:
		return "", refusef("%d manifests: %s", len(atRoot), strings.Join(atRoot, ", "))
	case len(deeper) > 0:
		return "", refusef("not a SEDA package: no manifest.xml at the root (found %s in a folder)", deeper[0])
	}
	return "", refusef("not a SEDA package: no manifest.xml at the root")
}

// isManifestName: a name ending in .xml that contains "manifest", except the "._" copies
// of extended attributes that macOS archivers add beside every file.
func isManifestName(base string) bool {
	b := strings.ToLower(base)
	return strings.HasSuffix(b, ".xml") && strings.Contains(b, "manifest") && !strings.HasPrefix(b, "._")
}

// openEntry opens a package file, counting the bytes it yields against max.
func (p *Package) openEntry(name string, max int64) (io.ReadCloser, error) {
	ref, ok := p.files[name]
	if !ok {
		return nil, fmt.Errorf("open %s: %w", name, fs.ErrNotExist)
	}
	if ref.zf == nil {
		f, err := os.Open(ref.path)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		return p.guard(f, name, max, 0), nil
	}
	rc, err := ref.zf.Open()
	if err != nil {
		if errors.Is(err, zip.ErrAlgorithm) {
			return nil, refusef("archive entry %q uses an unsupported compression method", name)
		}
		return nil, archiveError(name, err)
	}
	return p.guard(rc, name, max, int64(min(ref.zf.CompressedSize64, 1<<62))), nil
}

func (p *Package) guard(rc io.ReadCloser, name string, max, compressed int64) *guardedReader {
	return &guardedReader{rc: rc, name: name, max: max, compressed: compressed, ratio: p.lim.MaxRatio}
}

// guardedReader counts the bytes an entry actually yields, whatever its header says,
// and refuses the entry past max bytes or past the compression ratio.
type guardedReader struct {
	rc         io.ReadCloser
	name       string
	n, max     int64
	compressed int64 // 0: not compressed, no ratio to check
	ratio      int64
}

func (g *guardedReader) Read(b []byte) (int, error) {
	n, err := g.rc.Read(b)
	g.n += int64(n)
	switch {
	case g.n > g.max:
		return n, refusef("%s is larger than %s", g.name, formatBytes(g.max))
	case g.compressed > 0 && g.n > ratioFloor && g.n/g.compressed > g.ratio:
		return n, refusef("archive entry %q compression ratio above %d", g.name, g.ratio)
	case err != nil && err != io.EOF:
		return n, archiveError(g.name, err)
	}
	return n, err
}

func (g *guardedReader) Close() error { return g.rc.Close() }

// formatBytes writes a limit the way people set it: 64 GiB, 2 GiB, 10 MiB.
func formatBytes(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 40, "TiB"}, {1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
