package chat

import (
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/render"
)

// stamp gives a document the bot made the organisation's properties
// (creator, company, the date it was made) in place of those of the
// library that wrote it. Files that are not DOCX or XLSX pass as they
// are, and so does a document the stamping cannot read: its properties
// already name mmobot, never a library.
func (b *Engine) stamp(name string, data []byte, now time.Time) []byte {
	if !strings.HasSuffix(name, ".docx") && !strings.HasSuffix(name, ".xlsx") {
		return data
	}
	out, err := render.WithProperties(data, render.Properties{Creator: b.opt.Org.Name, Company: b.opt.Org.Name, Created: now})
	if err != nil {
		return data
	}
	return out
}
