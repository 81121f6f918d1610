package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"sesam"
)

// Blobs is the content-addressed store of object bytes: each file is named by the
// SHA-256 of its bytes, under blobs/ab/cd/ in the data directory. Files are written
// atomically (temporary file, fsync, rename, fsync of the directory) and checked against
// their name when read.
type Blobs struct {
	dir string
}

// ErrDigestMismatch says a blob's bytes no longer match its address: the file was
// altered or damaged on disk. It must never be served.
var ErrDigestMismatch = errors.New("blob digest mismatch")

var shaRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

// NewBlobs opens (creating if needed) the blob store under dataDir.
func NewBlobs(dataDir string) (*Blobs, error) {
	dir := filepath.Join(dataDir, "blobs")
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	return &Blobs{dir: dir}, nil
}

func (b *Blobs) path(sha string) string {
	return filepath.Join(b.dir, sha[:2], sha[2:4], sha)
}

// Has reports whether the blob is on disk.
func (b *Blobs) Has(sha string) bool {
	_, err := os.Stat(b.path(sha))
	return err == nil
}

// Put writes r's bytes (size of them, -1 if unknown) as the blob sha, checking that they hash to sha.
// It reports whether it created the file. A file already there is checked first, its
// size then its digest: when intact, r is not read; when damaged (truncated, altered on
// disk), it is replaced atomically by r's bytes, so that an import carrying the same
// bytes repairs it (created is then false: committed objects may reference it).
func (b *Blobs) Put(sha string, size int64, r io.Reader) (created bool, err error) {
	if !shaRe.MatchString(sha) {
		return false, fmt.Errorf("blob address %q: %w", sha, sesam.ErrInvalid)
	}
	final := b.path(sha)
	fi, err := os.Stat(final)
	switch {
	case err == nil && (size < 0 || fi.Size() == size) && b.Verify(sha) == nil:
		return false, nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return false, fmt.Errorf("blob %s: %w", sha, err)
	}
	existed := err == nil
	if err := b.write(sha, final, r); err != nil {
		return false, err
	}
	return !existed, nil
}

// write stores r's bytes at final through a temporary file (fsync, rename, fsync of the
// directory), after checking that they hash to sha.
func (b *Blobs) write(sha, final string, r io.Reader) error {
	tmp, err := os.CreateTemp(filepath.Join(b.dir, "tmp"), "put-*")
	if err != nil {
		return fmt.Errorf("blob %s: %w", sha, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), r); err != nil {
		tmp.Close()
		return fmt.Errorf("blob %s: write: %w", sha, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		tmp.Close()
		return fmt.Errorf("blob %s: bytes hash to %s: %w", sha, got, ErrDigestMismatch)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("blob %s: fsync: %w", sha, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("blob %s: %w", sha, err)
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return fmt.Errorf("blob %s: %w", sha, err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("blob %s: rename: %w", sha, err)
	}
	return syncDir(filepath.Dir(final))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Remove deletes a blob file (used only to undo files created by a failed import).
func (b *Blobs) Remove(sha string) error {
	err := os.Remove(b.path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Verify reads the whole blob and checks it against its address. The portal calls it
// before serving the first byte.
func (b *Blobs) Verify(sha string) error {
	f, err := b.open(sha)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("blob %s: read: %w", sha, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		return fmt.Errorf("blob %s: bytes hash to %s: %w", sha, got, ErrDigestMismatch)
	}
	return nil
}

// Open opens a blob for reading. The reader checks the digest as it goes and returns
// ErrDigestMismatch instead of io.EOF when the bytes do not match, so a copy that
// reaches the end without error has delivered the right bytes.
func (b *Blobs) Open(sha string) (io.ReadCloser, error) {
	f, err := b.open(sha)
	if err != nil {
		return nil, err
	}
	return &verifyingReader{f: f, h: sha256.New(), want: sha}, nil
}

func (b *Blobs) open(sha string) (*os.File, error) {
	if !shaRe.MatchString(sha) {
		return nil, fmt.Errorf("blob address %q: %w", sha, sesam.ErrInvalid)
	}
	f, err := os.Open(b.path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("blob %s: %w", sha, sesam.ErrNotFound)
	}
	return f, err
}

// Path is the blob's file, for tools that need a path (pdftotext). Callers must not
// write to it.
func (b *Blobs) Path(sha string) string { return b.path(sha) }

type verifyingReader struct {
	f    *os.File
	h    hash.Hash
	want string
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.f.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want {
			return n, fmt.Errorf("blob %s: bytes hash to %s: %w", v.want, got, ErrDigestMismatch)
		}
	}
	return n, err
}

func (v *verifyingReader) Close() error { return v.f.Close() }
