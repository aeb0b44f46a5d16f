package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// leadImageSize is the intrinsic size of the picture the media server serves.
const leadImageWidth, leadImageHeight = 1200, 800

// imageDelay holds the picture back so it arrives after the page has been
// laid out, as a newsroom CDN's large image does: a box not reserved for it
// would then shift the text below.
const imageDelay = 400 * time.Millisecond

// newMediaServer is a newsroom's media CDN: https (lead images must be), on
// a certificate only this browser trusts (mediaTrust).
func newMediaServer(t *testing.T) *httptest.Server {
	img := image.NewRGBA(image.Rect(0, 0, leadImageWidth, leadImageHeight))
	for y := range leadImageHeight {
		for x := range leadImageWidth {
			img.Set(x, y, color.RGBA{R: uint8(x / 5), G: 90, B: uint8(y / 4), A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(imageDelay)
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "no-store") // every page load waits for it again
		_, _ = w.Write(b.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv
}

// mediaTrust makes Chromium accept the media server's certificate and no
// other bad one: its public key is the only one it ignores errors for.
func mediaTrust(srv *httptest.Server) chromedp.ExecAllocatorOption {
	spki := sha256.Sum256(srv.Certificate().RawSubjectPublicKeyInfo)
	return chromedp.Flag("ignore-certificate-errors-spki-list", base64.StdEncoding.EncodeToString(spki[:]))
}
