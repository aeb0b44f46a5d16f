package localapi

import (
	"net/url"
	"strings"

	"broadsheet/internal/local/samtemplate"
)

// compiledRoute is a template route split into path segments.
type compiledRoute struct {
	samtemplate.Route
	segments  []segment
	isDefault bool // the $default route
}

type segmentKind int

const (
	literal segmentKind = iota
	param
	greedy
)

type segment struct {
	kind segmentKind
	text string // literal text or parameter name
}

func compileRoute(r samtemplate.Route) compiledRoute {
	c := compiledRoute{Route: r}
	if r.Path == "$default" {
		c.isDefault = true
		return c
	}
	for _, s := range strings.Split(strings.TrimPrefix(r.Path, "/"), "/") {
		switch {
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}"):
			c.segments = append(c.segments, segment{greedy, s[1 : len(s)-2]})
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			c.segments = append(c.segments, segment{param, s[1 : len(s)-1]})
		default:
			c.segments = append(c.segments, segment{literal, s})
		}
	}
	return c
}

// match matches an escaped request path; it returns the (decoded) path
// parameters and a specificity score (higher is more specific).
func (c compiledRoute) match(escapedPath string) (map[string]string, []int, bool) {
	if c.isDefault {
		return nil, nil, true
	}
	parts := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	var params map[string]string
	score := make([]int, 0, len(c.segments))
	for i, s := range c.segments {
		if s.kind == greedy {
			if i >= len(parts) || (i == len(parts)-1 && parts[i] == "") {
				return nil, nil, false // {proxy+} needs at least one character
			}
			v, err := url.PathUnescape(strings.Join(parts[i:], "/"))
			if err != nil {
				return nil, nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s.text] = v
			return params, append(score, 0), true
		}
		if i >= len(parts) {
			return nil, nil, false
		}
		v, err := url.PathUnescape(parts[i])
		if err != nil {
			return nil, nil, false
		}
		switch s.kind {
		case literal:
			if v != s.text {
				return nil, nil, false
			}
			score = append(score, 2)
		case param:
			if v == "" {
				return nil, nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s.text] = v
			score = append(score, 1)
		}
	}
	if len(parts) != len(c.segments) {
		return nil, nil, false
	}
	return params, score, true
}

// router picks the route API Gateway would: among the routes whose method
// matches (exactly or ANY), the most specific path (literal segments beat
// variables, variables beat greedy variables, compared left to right); an
// exact method beats ANY; $default catches the rest.
type router struct {
	routes []compiledRoute
}

func newRouter(rs []samtemplate.Route) *router {
	r := &router{}
	for _, rt := range rs {
		r.routes = append(r.routes, compileRoute(rt))
	}
	return r
}

type routeMatch struct {
	route  *compiledRoute
	params map[string]string
}

func (r *router) match(method, escapedPath string) (routeMatch, bool) {
	var best routeMatch
	var bestScore []int
	bestExact := false
	found := false
	for i := range r.routes {
		rt := &r.routes[i]
		if rt.isDefault {
			continue
		}
		if rt.Method != method && rt.Method != "ANY" {
			continue
		}
		params, score, ok := rt.match(escapedPath)
		if !ok {
			continue
		}
		exact := rt.Method == method
		if !found || better(score, exact, bestScore, bestExact) {
			best, bestScore, bestExact, found = routeMatch{rt, params}, score, exact, true
		}
	}
	if found {
		return best, true
	}
	for i := range r.routes {
		if rt := &r.routes[i]; rt.isDefault && (rt.Method == method || rt.Method == "ANY") {
			return routeMatch{route: rt}, true
		}
	}
	return routeMatch{}, false
}

// pathUsed reports whether the path belongs to the API: some route matches it
// (whatever its method), or it lies under the first path segment of a route
// (so /articles/ and /admin/anything are never static files).
func (r *router) pathUsed(escapedPath string) bool {
	first, _, _ := strings.Cut(strings.TrimPrefix(escapedPath, "/"), "/")
	for i := range r.routes {
		rt := &r.routes[i]
		if rt.isDefault {
			return true
		}
		if _, _, ok := rt.match(escapedPath); ok {
			return true
		}
		if len(rt.segments) > 0 && rt.segments[0].kind != literal {
			return true // a route like /{proxy+} owns every path
		}
		if len(rt.segments) > 0 && rt.segments[0].text == first {
			return true
		}
	}
	return false
}

func better(score []int, exact bool, than []int, thanExact bool) bool {
	for i := 0; i < len(score) && i < len(than); i++ {
		if score[i] != than[i] {
			return score[i] > than[i]
		}
	}
	if len(score) != len(than) {
		return len(score) > len(than)
	}
	return exact && !thanExact
}
