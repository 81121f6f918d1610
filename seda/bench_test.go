package seda

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkOpen opens and verifies the largest samples: the one with most units
// (1500 ArchiveUnit elements, 1000 units) and the one with most bytes. It reports units
// read and uncompressed megabytes (manifest plus objects) per second.
func BenchmarkOpen(b *testing.B) {
	for _, name := range []string{"itests__OK_SIP_1000_AU.zip", "sedatools__TestSip.zip"} {
		b.Run(name, func(b *testing.B) {
			path := corpus("sip", name)
			var units, size int64
			b.ReportAllocs()
			for b.Loop() {
				p, err := Open(path, Limits{})
				if err != nil {
					b.Fatal(err)
				}
				if err := p.Verify(context.Background()); err != nil {
					b.Fatal(err)
				}
				units += int64(len(p.Transfer().Units))
				size += p.files[manifestName(b, p)].size
				for _, o := range p.Transfer().Binaries {
					size += o.ActualSize
				}
				p.Close()
			}
			secs := b.Elapsed().Seconds()
			b.ReportMetric(float64(units)/secs, "units/s")
			b.ReportMetric(float64(size)/1e6/secs, "MB/s")
		})
	}
}

// BenchmarkReadManifest parses the 1000-unit manifest alone, from memory.
func BenchmarkReadManifest(b *testing.B) {
	raw := manifestOf(b, corpus("sip", "itests__OK_SIP_1000_AU.zip"))
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadManifest(bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
	}
}

func manifestName(b *testing.B, p *Package) string {
	name, err := p.findManifest()
	if err != nil {
		b.Fatal(err)
	}
	return filepath.ToSlash(name)
}
