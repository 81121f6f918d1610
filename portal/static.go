package portal

import (
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"

	"github.com/gofiber/fiber/v2"

	"sesam/static"
)

// staticFS is where /static/ reads from: the embedded files, or the disk in development.
func (a *App) staticFS() fs.FS {
	if a.cfg.AssetsDir != "" {
		return os.DirFS(filepath.Join(a.cfg.AssetsDir, "static"))
	}
	return static.FS
}

func (a *App) static(c *fiber.Ctx) error {
	name := path.Clean(c.Params("*"))
	b, err := fs.ReadFile(a.staticFS(), name)
	if err != nil {
		return errNotFound
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		c.Set(fiber.HeaderContentType, ct)
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(b)
}
