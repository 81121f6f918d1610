package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"sesam/store"
)

// BenchmarkImport imports the largest samples into fresh tenants: units/s and MB/s
// of the whole path (open, verify, blobs, rows, access, feed), without PDF text.
func BenchmarkImport(b *testing.B) {
	for _, name := range []string{"itests__OK_SIP_1000_AU.zip", "sedatools__TestSip.zip", "vitam__SIP_MAIL.zip"} {
		p := filepath.Join("..", "..", "shared", "testdata", "seda", "sip", name)
		fi, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			units, bytes := 0, int64(0)
			for i := 0; i < b.N; i++ {
				tenant := addTenant(b, fmt.Sprintf("bench/%s-%d-%d", sanitizeName(name), b.N, i))
				res, err := st.Import(ctx, tenant, p, store.ImportOptions{})
				if err != nil {
					b.Fatal(err)
				}
				units += res.Units
				bytes += res.Bytes
			}
			b.ReportMetric(float64(units)/b.Elapsed().Seconds(), "units/s")
			b.ReportMetric(float64(fi.Size())*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
		})
	}
}

func sanitizeName(s string) string {
	out := []byte{}
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			out = append(out, c)
		} else if c >= 'A' && c <= 'Z' {
			out = append(out, c+32)
		}
	}
	return string(out)
}
