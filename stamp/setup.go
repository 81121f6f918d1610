package stamp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/font"
)

// DefaultFontPath is where Debian's fonts-dejavu-core puts DejaVuSans.
const DefaultFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

// fontName is the name DejaVuSans is installed under for pdfcpu. Not "DejaVuSans":
// pdfcpu reuses (and rewrites) a font of the document that has the stamp font's name,
// and many documents made on Linux embed their own subset of DejaVuSans, of another
// version or with a ToUnicode map pdfcpu cannot parse: with that name the LinuxCNC
// manual and a Vitam LibreOffice document cannot be stamped at all.
const fontName = "SesamDejaVuSans"

// pdfcpu keeps its configuration and font directories in package variables, so they
// are chosen once per process; setupDir remembers where.
var (
	setupMu  sync.Mutex
	setupDir string
)

// setup points pdfcpu at configDir/pdfcpu and installs the font, once per process.
func setup(configDir, fontPath string) error {
	if configDir == "" {
		return errors.New("no configuration directory given")
	}
	if _, err := os.Stat(fontPath); err != nil {
		return fmt.Errorf("font DejaVuSans: %w (install the Debian package fonts-dejavu-core)", err)
	}
	configDir, err := filepath.Abs(configDir)
	if err != nil {
		return err
	}
	setupMu.Lock()
	defer setupMu.Unlock()
	if setupDir != "" {
		if setupDir != configDir {
			return fmt.Errorf("pdfcpu already configured in %s, not %s: one Stamper per process", setupDir, configDir)
		}
		return nil
	}
	// Without this, pdfcpu's first use creates ~/.config/pdfcpu.
	if err := api.EnsureDefaultConfigAt(configDir); err != nil {
		return fmt.Errorf("pdfcpu configuration in %s: %w", configDir, err)
	}
	if err := installFont(font.UserFontDir, fontPath); err != nil {
		return err
	}
	setupDir = configDir
	return nil
}

// installFont converts the TrueType file for pdfcpu into fontDir under fontName. pdfcpu
// names an installed font after its PostScript name, so it is converted in a scratch
// directory and renamed into place. It is redone at every start, so that an upgraded
// Debian package is picked up.
func installFont(fontDir, fontPath string) error {
	scratch, err := os.MkdirTemp(fontDir, ".install-")
	if err != nil {
		return fmt.Errorf("install font: %w", err)
	}
	defer os.RemoveAll(scratch)
	report, err := font.InstallTrueTypeFontResult(scratch, fontPath)
	if err != nil {
		return fmt.Errorf("install font %s (Debian package fonts-dejavu-core): %w", fontPath, err)
	}
	if len(report.Fonts) != 1 {
		return fmt.Errorf("install font %s: %d fonts in it, want 1", fontPath, len(report.Fonts))
	}
	from := filepath.Join(scratch, report.Fonts[0].PostScriptName+".gob")
	if err := os.Rename(from, filepath.Join(fontDir, fontName+".gob")); err != nil {
		return fmt.Errorf("install font: %w", err)
	}
	if err := font.ReloadUserFonts(); err != nil {
		return fmt.Errorf("install font: %w", err)
	}
	return nil
}

// glyphs are the characters the installed stamp font can draw.
func glyphs() (map[uint32]uint16, error) {
	ttf, ok, err := font.UserFont(fontName)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", fontName, err)
	}
	if !ok {
		return nil, fmt.Errorf("font %s not installed", fontName)
	}
	return ttf.Chars, nil
}

// fontMetrics are the widths and character map of the installed font, read once per
// process: pdfcpu hands out a fresh copy of its tables (thousands of entries) at every
// call, and a letter measures every word it lays out. Only call it after setup.
var fontMetrics = sync.OnceValues(func() (font.TTFLight, error) {
	ttf, ok, err := font.UserFont(fontName)
	if err != nil {
		return font.TTFLight{}, fmt.Errorf("font %s: %w", fontName, err)
	}
	if !ok {
		return font.TTFLight{}, fmt.Errorf("font %s not installed", fontName)
	}
	return ttf, nil
})
