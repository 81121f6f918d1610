package seda

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Package kinds, as Kind reports them.
const (
	KindZip      = "zip"
	KindTarGz    = "tar.gz"
	KindDir      = "dir"
	KindManifest = "manifest"
)

// Limits caps what a package may hold (archive-bomb and abuse protection).
// A zero field takes its value from DefaultLimits.
type Limits struct {
	MaxTotalBytes    int64 // total uncompressed bytes of all entries (default 64 GiB)
	MaxRatio         int64 // max uncompressed/compressed ratio for an entry above 1 MiB (default 200)
	MaxEntries       int   // default 200000
	MaxManifestBytes int64 // default 2 GiB
}

// DefaultLimits are generous enough for any real transfer of a local authority and still
// stop a zip bomb long before it fills a disk.
func DefaultLimits() Limits {
	return Limits{
		MaxTotalBytes:    64 << 30,
		MaxRatio:         200,
		MaxEntries:       200000,
		MaxManifestBytes: 2 << 30,
	}
}

func (l Limits) orDefaults() Limits {
	d := DefaultLimits()
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxManifestBytes <= 0 {
		l.MaxManifestBytes = d.MaxManifestBytes
	}
	return l
}

// RefusalError is why a package is refused: one line naming the problem, in English.
// Every other error (a file that cannot be read, a cancelled context) is not a refusal:
// the package may be fine and the import can be retried.
type RefusalError struct{ Reason string }

func (e *RefusalError) Error() string { return e.Reason }

func refusef(format string, args ...any) error {
	return &RefusalError{Reason: fmt.Sprintf(format, args...)}
}

// Package is an opened SEDA package.
//
// What Open accepts, and what happens with the samples of the shared corpus:
//   - a .zip (read in place), a .tar.gz (extracted to a temporary folder under
//     os.TempDir(), removed by Close), a folder holding manifest.xml, or a bare manifest
//     .xml (its objects are then absent: Present is false and no Uri is checked);
//   - the manifest is the one file at the package root whose name ends in .xml and
//     contains "manifest" (Vitam's convention, e.g. manifest.xml, SIP_manifest.xml). Two
//     such files are refused ("two manifests: manifest-copy.xml and manifest.xml"); a
//     manifest.xml in a sub-folder is not the package's manifest (it may be an archived
//     document) but is named in the refusal when the root has none;
//   - ArchiveTransfer 2.0 to 2.3 are read; an ArchiveDeliveryRequestReply (a Vitam DIP,
//     such as other/sedatools__TestDIP.zip) carries the same DataObjectPackage and is
//     read the same way, with Transfer.Message telling it apart; a SEDA 0.2 or 1.0
//     bordereau (other/cd56__bordereau-PESV2_DEP56-1.xml) is refused by name, as is any
//     other namespace or SEDA message.
type Package struct {
	kind string
	path string
	lim  Limits

	zr      *zip.ReadCloser
	tmpDir  string
	files   map[string]fileRef // entry name (cleaned, slash-separated) → its bytes
	objects map[string]string  // BinaryObject id → entry name

	t           *Transfer
	manifestSum string
	verified    bool
}

// Open detects the format (zip, tar.gz/tgz, a folder holding manifest.xml, or a bare
// manifest .xml), checks the archive entries (paths, links, bombs), finds exactly one
// manifest, streams and parses it, resolves the unit graph, and validates the structure
// (ids unique, every ArchiveUnitRefId / DataObjectReferenceId / DataObjectGroupReferenceId
// resolves, no cycle, at least one root, every object referenced by a unit, every Uri
// present in the package and inside it). Refusals are *RefusalError; other errors (I/O)
// are wrapped.
func Open(path string, lim Limits) (*Package, error) {
	p := &Package{path: path, lim: lim.orDefaults()}
	if err := p.open(); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Package) open() error {
	if err := p.openContainer(); err != nil {
		return err
	}
	if err := p.loadManifest(); err != nil {
		return err
	}
	return p.locateObjects()
}

// openContainer finds out what path is and lists the files it holds.
func (p *Package) openContainer() error {
	fi, err := os.Stat(p.path)
	if err != nil {
		return fmt.Errorf("open package: %w", err)
	}
	if fi.IsDir() {
		p.kind = KindDir
		return p.listDir()
	}
	p.kind, err = sniff(p.path)
	if err != nil {
		return err
	}
	switch p.kind {
	case KindZip:
		return p.openZip()
	case KindTarGz:
		return p.extractTarGz()
	}
	return nil
}

// loadManifest streams the manifest through the parser and a SHA-256.
func (p *Package) loadManifest() error {
	rc, name, err := p.openManifest()
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	src := io.TeeReader(rc, h)
	t, err := readManifest(src, name)
	if err != nil {
		return err
	}
	// Hash what follows the root element too: the sum identifies the file, not its tree.
	if _, err := io.Copy(io.Discard, src); err != nil {
		return readError(name, err)
	}
	p.t = t
	p.manifestSum = hex.EncodeToString(h.Sum(nil))
	return nil
}

func (p *Package) openManifest() (io.ReadCloser, string, error) {
	if p.kind == KindManifest {
		f, err := os.Open(p.path)
		if err != nil {
			return nil, "", fmt.Errorf("open manifest: %w", err)
		}
		name := filepath.Base(p.path)
		return p.guard(f, name, p.lim.MaxManifestBytes, 0), name, nil
	}
	name, err := p.findManifest()
	if err != nil {
		return nil, "", err
	}
	rc, err := p.openEntry(name, p.lim.MaxManifestBytes)
	return rc, name, err
}

func readError(name string, err error) error {
	var re *RefusalError
	if errors.As(err, &re) {
		return err
	}
	return fmt.Errorf("read %s: %w", name, err)
}

// Kind is "zip", "tar.gz", "dir" or "manifest".
func (p *Package) Kind() string { return p.kind }

// Transfer is what the manifest says, resolved.
func (p *Package) Transfer() *Transfer { return p.t }

// ManifestSHA256 is the hex SHA-256 of the manifest bytes: the store uses it to make
// re-import a no-op.
func (p *Package) ManifestSHA256() string { return p.manifestSum }

// Close releases the zip file and removes the folder a tar.gz was extracted to.
// It may be called more than once.
func (p *Package) Close() error {
	var errs []error
	if p.zr != nil {
		errs = append(errs, p.zr.Close())
		p.zr = nil
	}
	if p.tmpDir != "" {
		errs = append(errs, os.RemoveAll(p.tmpDir))
		p.tmpDir = ""
	}
	return errors.Join(errs...)
}
