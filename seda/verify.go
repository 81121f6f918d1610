package seda

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
)

// Verify reads every present object once, checks its declared Size and Digest (with the
// declared algorithm), and fills SHA256 and ActualSize on each BinaryObject. It honours
// ctx cancellation between and within objects.
//
// A digest mismatch is a refusal. A size mismatch is a refusal too, except when the
// digest matches: the bytes are then exactly those the producer hashed, only the declared
// Size is wrong. Vitam accepts such a package with a warning and keeps the size it
// measured (CHECK_OBJECT_SIZE); so does sesam, adding a line to Transfer.Warnings. The
// corpus has one: vitam__SIP_seda2.0_ihm-demo.zip declares 17120 bytes for a 18079-byte
// text whose SHA-512 is right.
func (p *Package) Verify(ctx context.Context) error {
	if p.verified {
		return nil
	}
	var warnings []string
	for _, o := range p.t.Binaries {
		if !o.Present {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		w, err := p.verifyObject(ctx, o)
		if err != nil {
			return err
		}
		if w != "" {
			warnings = append(warnings, w)
		}
	}
	p.t.Warnings = append(p.t.Warnings, warnings...)
	p.verified = true
	return nil
}

func (p *Package) verifyObject(ctx context.Context, o *BinaryObject) (warning string, err error) {
	name := p.objects[o.ID]
	rc, err := p.openEntry(name, p.lim.MaxTotalBytes)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	declared := newHash(o.DigestAlgorithm)
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(declared, sum), ctxReader{ctx, rc})
	if err != nil {
		return "", readError(name, err)
	}
	o.ActualSize = n
	o.SHA256 = hex.EncodeToString(sum.Sum(nil))
	actual := hex.EncodeToString(declared.Sum(nil))
	sizeOK := o.Size < 0 || o.Size == n
	digestMismatch := fmt.Sprintf("%s digest mismatch (declared %s…, actual %s…)",
		o.DigestAlgorithm, o.Digest[:8], actual[:8])
	switch {
	case actual != o.Digest && !sizeOK:
		return "", refusef("object %s: size mismatch (declared %d, actual %d) and %s", o.ID, o.Size, n, digestMismatch)
	case actual != o.Digest:
		return "", refusef("object %s: %s", o.ID, digestMismatch)
	case !sizeOK:
		return fmt.Sprintf("object %s: declared Size %d but %q holds %d bytes (its %s digest matches): size corrected",
			o.ID, o.Size, name, n, o.DigestAlgorithm), nil
	}
	return "", nil
}

func newHash(alg string) hash.Hash {
	switch alg {
	case "SHA-384":
		return sha512.New384()
	case "SHA-256":
		return sha256.New()
	case "SHA-1":
		return sha1.New()
	case "MD5":
		return md5.New()
	}
	return sha512.New()
}

// ctxReader stops a long read when its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}

// OpenObject opens the bytes of a present object (after Verify the store streams them
// into its blob store). Once Verify has run, the reader checks the bytes again as they
// stream and fails at the end if they are not the ones verified (a folder package can be
// changed on disk in between).
func (p *Package) OpenObject(o *BinaryObject) (io.ReadCloser, error) {
	name, ok := p.objects[o.ID]
	if !ok || !o.Present {
		return nil, fmt.Errorf("object %s: %w", o.ID, ErrAbsent)
	}
	rc, err := p.openEntry(name, p.lim.MaxTotalBytes)
	if err != nil {
		return nil, err
	}
	if o.SHA256 == "" {
		return rc, nil
	}
	return &checkedReader{rc: rc, o: o, h: sha256.New()}, nil
}

// ErrAbsent is returned by OpenObject for an object whose bytes the package does not hold.
var ErrAbsent = errors.New("bytes not in the package")

type checkedReader struct {
	rc io.ReadCloser
	o  *BinaryObject
	h  hash.Hash
	n  int64
}

func (c *checkedReader) Read(b []byte) (int, error) {
	n, err := c.rc.Read(b)
	c.h.Write(b[:n])
	c.n += int64(n)
	if err == io.EOF && (c.n != c.o.ActualSize || hex.EncodeToString(c.h.Sum(nil)) != c.o.SHA256) {
		return n, fmt.Errorf("object %s: bytes changed since they were verified", c.o.ID)
	}
	return n, err
}

func (c *checkedReader) Close() error { return c.rc.Close() }
