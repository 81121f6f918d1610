// Package static holds the portal's CSS, JavaScript and images, embedded in the binary.
package static

import "embed"

// FS is the static files, served under /static/.
//
//go:embed *.css *.js *.svg
var FS embed.FS
