package broadsheet

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// Image is an article's lead image. It is referenced, not hosted: the URL
// points at the newsroom's CDN or media library, and Broadsheet stores only
// the reference and what readers need with it.
type Image struct {
	URL string `json:"url"`
	// Alt is the text alternative: what a screen reader says, and what a
	// link preview or feed reader shows when the picture does not load.
	Alt    string `json:"alt"`
	Credit string `json:"credit,omitempty"`
	// Width and Height are the intrinsic size in pixels, both or neither:
	// pages reserve the image's box from them, so it shifts no layout.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
}

// Limits on an image.
const (
	MaxImageURLBytes = 2048 // what browsers, CDNs and sitemaps all handle
	// MaxImageAltRunes is the Twitter card's limit for twitter:image:alt, the
	// tightest place the text goes.
	MaxImageAltRunes    = 420
	MaxImageCreditRunes = 200
	MaxImagePixels      = 20000 // per side
)

// ImageInput is the image an editor sends. Width and height are pointers so
// that a 0 sent is refused rather than read as "not given".
type ImageInput struct {
	URL    string `json:"url"`
	Alt    string `json:"alt"`
	Credit string `json:"credit"`
	Width  *int   `json:"width"`
	Height *int   `json:"height"`
}

// normalize trims the text fields.
func (in *ImageInput) normalize() {
	in.URL = strings.TrimSpace(in.URL)
	in.Alt = CleanText(in.Alt)
	in.Credit = CleanText(in.Credit)
}

// validate reports every problem under image.<field>.
func (in *ImageInput) validate(f FieldErrors) {
	if in.URL == "" {
		f.Add("image.url", "is required")
	} else if problem := imageURLProblem(in.URL); problem != "" {
		f.Add("image.url", problem)
	}
	// Alt is required and may not be empty: a lead image stands for the story
	// in link previews and feed readers, where there is no text beside it to
	// make it decorative (an empty alt tells a screen reader to skip it).
	checkText(f, "image.alt", in.Alt, true, MaxImageAltRunes)
	checkText(f, "image.credit", in.Credit, false, MaxImageCreditRunes)
	for _, d := range []struct {
		field string
		v     *int
	}{{"image.width", in.Width}, {"image.height", in.Height}} {
		if d.v != nil && (*d.v < 1 || *d.v > MaxImagePixels) {
			f.Add(d.field, "must be a whole number of pixels from 1 to 20000")
		}
	}
	switch {
	case in.Width != nil && in.Height == nil:
		f.Add("image.height", "is required with width (both or neither)")
	case in.Height != nil && in.Width == nil:
		f.Add("image.width", "is required with height (both or neither)")
	}
}

// imageURLProblem says what is wrong with an image URL, or "" if nothing:
// an absolute https URL with a host, no credentials, no fragment, no spaces.
func imageURLProblem(s string) string {
	if len(s) > MaxImageURLBytes {
		return "is too long (at most 2048 bytes)"
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '\u2028' || r == '\u2029' }) {
		return "must not contain spaces or control characters"
	}
	// Characters a URI never carries unescaped (RFC 3986): refused rather
	// than passed on to every page, feed and preview that quotes the URL.
	if strings.ContainsAny(s, "\"<>\\`") {
		return "must percent-encode quotes, angle brackets, backslashes and backticks"
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || !u.IsAbs():
		return "must be an absolute URL such as https://cdn.example.com/photo.jpg"
	case u.Scheme != "https":
		return "must use https"
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return "must name a host"
	case u.User != nil:
		return "must not carry a user name or password"
	case u.Fragment != "" || strings.Contains(s, "#"):
		return "must not have a fragment (#…)"
	}
	return ""
}

// image is the validated input as stored; nil for none.
func (in *ImageInput) image() *Image {
	if in == nil {
		return nil
	}
	im := &Image{URL: in.URL, Alt: in.Alt, Credit: in.Credit}
	if in.Width != nil && in.Height != nil {
		im.Width, im.Height = *in.Width, *in.Height
	}
	return im
}

// CopyImage returns a copy of im (nil for nil), for stores that hand out copies.
func CopyImage(im *Image) *Image {
	if im == nil {
		return nil
	}
	cp := *im
	return &cp
}
