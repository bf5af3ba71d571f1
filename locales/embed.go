// Package locales embeds the bot's message catalogs: ru.toml (the default
// language) and en.toml. Every user-facing text lives here.
package locales

import "embed"

// FS holds the catalog files, one per language, named <lang>.toml.
//
//go:embed *.toml
var FS embed.FS
