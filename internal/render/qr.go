package render

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	qrcode "github.com/skip2/go-qrcode"
)

// QRPNG encodes content (a URL) as a PNG QR code of size×size pixels,
// medium error correction, with the quiet zone, suitable for printing or
// projecting.
//
// Every module is drawn with the same whole number of pixels and the symbol
// is centred on a white square (the quiet zone grows by the leftover
// pixels): uneven modules, as produced by plain scaling, make printed or
// projected codes harder to scan. A size too small to give each module at
// least one pixel is an error, as is content over the QR capacity (the
// library's error is wrapped).
func QRPNG(content string, size int) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("render: qr code: %w", err)
	}
	bitmap := q.Bitmap() // includes the 4-module quiet zone
	n := len(bitmap)
	if size < n {
		return nil, fmt.Errorf("render: qr code: size %d px is too small, need at least %d", size, n)
	}
	scale := size / n
	offset := (size - scale*n) / 2
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	for y, line := range bitmap {
		for x, black := range line {
			if !black {
				continue
			}
			for dy := range scale {
				row := img.Pix[(offset+y*scale+dy)*img.Stride:]
				for dx := range scale {
					row[offset+x*scale+dx] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("render: qr code png: %w", err)
	}
	return buf.Bytes(), nil
}
