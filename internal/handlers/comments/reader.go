package comments

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"broadsheet/internal/apigw"
	"broadsheet/internal/broadsheet"
	"broadsheet/internal/comments"
)

// Reader routes that mail links to: "forget me" and the reply
// notifications' unsubscribe. As with /comments/verify, a GET (what mail
// scanners and link previews fetch) only shows a page with a button; the
// POST does it.

// ForgetAccepted is the 202 answer to every accepted forget-me request,
// whether or not the address has comments.
type ForgetAccepted struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// forgetRequest is POST /comments/forget {"email"}: 202 alike for every
// address (400 for a bad one, 429 for a client asking too often).
func (h *Handler) forgetRequest(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	var in struct {
		Email string `json:"email"`
	}
	if err := apigw.DecodeJSON(req, 4<<10, &in); err != nil {
		return apigw.Response{}, err
	}
	if err := h.public(req).RequestForget(ctx, in.Email, apigw.ClientIP(req, h.OriginSecret)); err != nil {
		return apigw.Response{}, err
	}
	emitCount(ctx, "ForgetRequested")
	r := apigw.JSON(http.StatusAccepted, ForgetAccepted{Status: "accepted",
		Message: "If this address has comments here, a link to remove it from them is on its way to it."})
	r.Headers["Cache-Control"] = "no-store"
	return r, nil
}

// formToken reads the token of a page's button: the form field, else the
// query (RFC 8058 one-click POSTs "List-Unsubscribe=One-Click" to the
// link itself, token in its query).
func formToken(req apigw.Request) (string, bool) {
	body, err := apigw.Body(req)
	if err != nil || len(body) > 4096 {
		return "", false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		form = url.Values{}
	}
	if t := form.Get("token"); t != "" {
		return t, true
	}
	return apigw.Query(req, "token"), true
}

func (h *Handler) brokenLink(req apigw.Request, err error) apigw.Response {
	return page(http.StatusBadRequest, pageData{Title: "This link does not work", Message: broadsheetMessage(err), Home: h.siteURL(req) + "/"})
}

func (h *Handler) forgetPage(_ context.Context, req apigw.Request) (apigw.Response, error) {
	token := apigw.Query(req, "token")
	if err := h.public(req).ForgetPreview(token); err != nil {
		return h.brokenLink(req, err), nil
	}
	return page(http.StatusOK, pageData{
		Title:   "Remove your email from your comments",
		Message: fmt.Sprintf("Press the button to remove this email address from all your comments here. They stay, signed %q; your email, website and reply notifications are removed.", broadsheet.ErasedName),
		Action:  h.apiURL(req) + comments.ForgetConfirmPath, Token: token, Button: "Remove my email", Home: h.siteURL(req) + "/",
	}), nil
}

func (h *Handler) forget(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	token, ok := formToken(req)
	if !ok {
		return h.brokenLink(req, broadsheet.Errorf(broadsheet.CodeBadRequest, "The form was not sent whole; open the link from the email again.")), nil
	}
	n, err := h.public(req).ConfirmForget(ctx, token)
	if broadsheet.ErrorCode(err) == broadsheet.CodeBadRequest {
		return h.brokenLink(req, err), nil
	}
	if err != nil {
		return apigw.Response{}, err
	}
	emitCount(ctx, "ForgetDone")
	msg := fmt.Sprintf("Your email address was removed from %d comments.", n)
	if n == 1 {
		msg = "Your email address was removed from 1 comment."
	}
	return page(http.StatusOK, pageData{Title: "Done: your email is forgotten", Message: msg, Home: h.siteURL(req) + "/"}), nil
}

func (h *Handler) unsubscribePage(_ context.Context, req apigw.Request) (apigw.Response, error) {
	token := apigw.Query(req, "token")
	if _, err := comments.OpenUnsubscribe(h.Identity, token); err != nil {
		return h.brokenLink(req, err), nil
	}
	return page(http.StatusOK, pageData{
		Title: "Stop reply notifications", Message: "Press the button to get no more mail about replies to this comment.",
		Action: h.apiURL(req) + comments.UnsubscribePath, Token: token, Button: "Unsubscribe", Home: h.siteURL(req) + "/",
	}), nil
}

func (h *Handler) unsubscribe(ctx context.Context, req apigw.Request) (apigw.Response, error) {
	token, ok := formToken(req)
	if !ok {
		return h.brokenLink(req, broadsheet.Errorf(broadsheet.CodeBadRequest, "The form was not sent whole; open the link from the email again.")), nil
	}
	err := h.public(req).Unsubscribe(ctx, token)
	if broadsheet.ErrorCode(err) == broadsheet.CodeBadRequest {
		return h.brokenLink(req, err), nil
	}
	if err != nil {
		return apigw.Response{}, err
	}
	emitCount(ctx, "RepliesUnsubscribed")
	return page(http.StatusOK, pageData{Title: "Unsubscribed", Message: "You will get no more mail about replies to this comment.", Home: h.siteURL(req) + "/"}), nil
}
