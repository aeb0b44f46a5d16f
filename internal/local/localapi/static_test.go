package localapi

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// TestStaticAssetsCacheAndCompress: web/ files carry an ETag and
// Cache-Control, revalidate to 304, and are gzipped for clients that accept it.
func TestStaticAssetsCacheAndCompress(t *testing.T) {
	js := strings.Repeat("console.log('broadsheet');\n", 100)
	fsys := fstest.MapFS{"app.js": {Data: []byte(js)}}
	get := func(hdr map[string]string) *http.Response {
		r := httptest.NewRequest(http.MethodGet, "/app.js", nil)
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		serveAsset(w, r, fsys, "app.js")
		return w.Result()
	}
	plain := get(nil)
	body, _ := io.ReadAll(plain.Body)
	tag := plain.Header.Get("ETag")
	if string(body) != js || tag == "" || plain.Header.Get("Cache-Control") != StaticCacheControl || plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("plain: %d %v", plain.StatusCode, plain.Header)
	}
	if r := get(map[string]string{"If-None-Match": tag}); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", r.StatusCode)
	}
	zipped := get(map[string]string{"Accept-Encoding": "gzip, br"})
	if zipped.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(zipped.Header.Get("ETag"), "W/") {
		t.Fatalf("gzip: %v", zipped.Header)
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if string(unzipped) != js {
		t.Error("gzip body differs")
	}
	if r := get(map[string]string{"Accept-Encoding": "gzip", "If-None-Match": zipped.Header.Get("ETag")}); r.StatusCode != http.StatusNotModified {
		t.Errorf("weak If-None-Match: %d", r.StatusCode)
	}
}
